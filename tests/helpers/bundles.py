"""Helpers for dossier tests: PDF text, page images, rewriting a bundle ZIP."""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path


def pdf_pages_text(pdf: Path) -> list[str]:
    """pdftotext (poppler) output, one string per page."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def footer_words(pdf: Path, band: float = 40) -> list[list[tuple[str, float, float]]]:
    """Per page, the words in the bottom ``band`` points, as (word, x min, x max), from
    pdftotext -bbox (poppler): where the stamp's texts really are on the page."""
    import html
    import re

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages: list[list[tuple[str, float, float]]] = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        height = float(page[2])
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page[3])
        pages.append([(html.unescape(w), float(x0), float(x1)) for x0, y0, x1, w in words if float(y0) > height - band])
    return pages


def rewrite_zip(
    src: Path, dest: Path, change: Callable[[str, bytes], bytes | None], add: dict[str, bytes] | None = None
) -> None:
    """Copy a ZIP member by member; ``change`` returns new bytes, or None to drop the member."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
