"""An image exhibit with its machine-read text (app/ingest/ocr.py) beside it.

The text is a derivative, not evidence: it is printed under the same label the app
shows, "Machine-read text (OCR, may contain errors)". A short text sits in a column
beside the image; a long one (a photographed letter) follows the image in full, since
a table cell cannot be split across pages.
"""

from __future__ import annotations

from typing import Any

from app.dossier.exhibits import Exhibit
from app.dossier.layout import ExhibitImage, Layout
from app.dossier.sections import FRAME_WIDTH
from app.dossier.text import body_paragraphs, para, styles

BESIDE_MAX_CHARS = 1200
MAX_CHARS = 200_000


def image_with_ocr(layout: Layout, ex: Exhibit, photo_height: float) -> list[Any] | None:
    """Flowables for the image and its OCR text, or None when OCR has found no text."""
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    from app.ingest.ocr import LABEL, ocr_text

    text = (ocr_text(layout.vault, ex.attachment.sha256) or "").strip()
    if not text:
        return None
    s = styles()
    label = para(LABEL, s["small"])
    if len(text) <= BESIDE_MAX_CHARS:
        column = [label, *body_paragraphs(text, s["small"])]
        table = Table(
            [[ExhibitImage(layout, ex, photo_height), column]], colWidths=[FRAME_WIDTH * 0.6, FRAME_WIDTH * 0.4]
        )
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (1, 0), (1, 0), 10)]))
        return [table]
    return [
        KeepTogether([ExhibitImage(layout, ex, photo_height * 0.7)]),
        Spacer(1, 6),
        label,
        *body_paragraphs(text[:MAX_CHARS], s["small"]),
    ]
