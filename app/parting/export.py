"""Writing a letter out of the vault: .txt, .eml (an unsent draft for the mail program) or PDF.

These are exports the user asked for: the only place a letter is written in the
clear. Each export is a ledger event (what, for whom, the file's SHA-256), not the
file's content.
"""

from __future__ import annotations

import hashlib
import os
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import InvalidInput, UnsupportedFile
from app.parting.letters import Letter
from app.records.times import now_utc

if TYPE_CHECKING:
    from app.vault import Vault

FORMATS = (".txt", ".eml", ".pdf")


def letter_text(letter: Letter) -> str:
    head = f"Subject: {letter.subject}\n\n" if letter.subject else ""
    return head + letter.body.rstrip("\n") + "\n"


def eml_bytes(letter: Letter, *, to: str = "", sender: str = "") -> bytes:
    """An RFC 5322 message marked as unsent, so mail programs open it as a draft."""
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = to
    msg["Subject"] = letter.subject
    msg["Date"] = format_datetime(now_utc())
    msg["X-Unsent"] = "1"
    msg.set_content(letter.body)
    return bytes(msg)


def pdf_bytes(letter: Letter, *, letterhead: str = "") -> bytes:
    """A plain one-column letter laid out with reportlab."""
    try:
        from reportlab.lib.pagesizes import LETTER
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.lib.units import inch
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    except ImportError:
        raise UnsupportedFile("PDF export needs reportlab (pip install reportlab); use .txt or .eml.") from None
    import io
    from xml.sax.saxutils import escape

    styles = getSampleStyleSheet()
    story = []
    if letterhead:
        story += [Paragraph(escape(letterhead), styles["Title"]), Spacer(1, 0.2 * inch)]
    if letter.subject:
        story += [Paragraph(f"<b>{escape(letter.subject)}</b>", styles["Normal"]), Spacer(1, 0.2 * inch)]
    for paragraph in letter.body.split("\n\n"):
        lines = "<br/>".join(escape(line) for line in paragraph.strip("\n").split("\n"))
        story += [Paragraph(lines, styles["Normal"]), Spacer(1, 0.12 * inch)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=LETTER, title=letter.subject or "Letter", author=letterhead).build(story)
    return out.getvalue()


def check_export_path(path: Path) -> str:
    """Raise InvalidInput (one line) when ``export_letter`` would refuse ``path``; its format's suffix.

    Writes nothing: the desktop app checks here on the GUI thread before the export runs on a worker."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"Cannot export a letter as {suffix or 'a file without extension'}; use .txt, .eml or .pdf.")
    if not Path(path).parent.is_dir():
        raise InvalidInput(f"The folder {Path(path).parent} does not exist.")
    return suffix


def export_letter(vault: Vault, client_id: int, letter: Letter, path: Path, *, sender: str = "") -> Path:
    """Write the letter to ``path`` (format from the extension) and record the export."""
    path = Path(path)
    suffix = check_export_path(path)
    client = vault.clients.get(client_id)
    if suffix == ".txt":
        data = letter_text(letter).encode("utf-8")
    elif suffix == ".eml":
        data = eml_bytes(letter, to=client.emails[0] if client.emails else "", sender=sender)
    else:
        data = pdf_bytes(letter, letterhead=vault.settings.get("business_name"))
    _write_atomically(path, data)
    vault.record_event(
        "parting.letter_exported",
        # Not "client:N": that subject's latest event must carry the client's state for verify.
        f"letter:client:{client_id}",
        {"template": letter.template, "file": path.name, "sha256": hashlib.sha256(data).hexdigest()},
    )
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise InvalidInput(f"The folder {path.parent} does not exist.")
    from app.dossier.partials import create_private

    partial = path.with_name(path.name + ".part")
    try:
        create_private(partial)  # 0600 from the first byte: a letter holds the client's record
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write {path}: {error.strerror or error}.") from None
