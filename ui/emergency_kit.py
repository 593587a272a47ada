"""The Emergency Kit: a one-page PDF with the recovery key, to print and keep somewhere safe."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def write_emergency_kit(target: Path, vault_path: Path, recovery_key: str) -> Path:
    """Write the kit to ``target`` (the user chose it and was told it holds the key in the clear)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from app.dossier.partials import create_private

    create_private(target)  # the recovery key in the clear: 0600 before reportlab writes into it
    page = canvas.Canvas(str(target), pagesize=A4)
    page.setTitle("Casefile Emergency Kit")
    width, height = A4
    y = height - 30 * mm
    page.setFont("Helvetica-Bold", 22)
    page.drawString(25 * mm, y, "Casefile Emergency Kit")
    page.setFont("Helvetica", 11)
    lines = [
        f"Made {datetime.now().astimezone():%d %B %Y, %H:%M} for the vault in:",
        str(vault_path),
        "",
        "If you forget your passphrase, this recovery key opens the vault.",
        "Casefile asks you for a new passphrase right after.",
        "Keep this page somewhere safe, away from the computer: anyone who has",
        "it and a copy of the vault folder can read your records.",
    ]
    for line in lines:
        y -= 7 * mm
        page.drawString(25 * mm, y, line)
    y -= 20 * mm
    page.setFont("Courier-Bold", 20)
    page.drawString(25 * mm, y, recovery_key)
    page.rect(20 * mm, y - 8 * mm, width - 40 * mm, 22 * mm)
    y -= 25 * mm
    page.setFont("Helvetica", 11)
    page.drawString(25 * mm, y, "Your passphrase (optional, write it by hand):")
    page.line(25 * mm, y - 12 * mm, width - 25 * mm, y - 12 * mm)
    page.showPage()
    page.save()
    return target
