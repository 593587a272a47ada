"""Lay out the dossier with reportlab platypus, in three parts.

    front  cover, contents, summary, chronology   (laid out twice)
    body   entries in full, exhibits              (laid out once)
    back   declaration, integrity appendix        (laid out twice)

The front and back print numbers that are known only once everything is laid
out (pin cites, Bates ranges, the page total), so each is measured first with
placeholders of the same width and then printed with the real numbers. The
body, which is nearly all the pages and holds every photo, is laid out once,
starting at the page after the front. Appended PDFs are placeholder pages, so
every count already includes them; ``bates.py`` swaps the real pages in and
stamps the Bates number and "page x of y" on every page in one pikepdf pass.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from app.dossier.declaration import declaration, integrity
from app.dossier.entry_pages import entries_in_full
from app.dossier.exhibit_pages import PHOTO_HEIGHT, exhibits_section
from app.dossier.layout import Layout
from app.dossier.photos import PhotoPrefetcher
from app.dossier.sections import FRAME_WIDTH, chronology, contents, cover, summary
from app.dossier.text import SANS, register_fonts

MARGIN = 54
MAX_ROUNDS = 3

Part = Callable[[Layout], list[Any]]
FRONT: tuple[Part, ...] = (cover, contents, summary, chronology)
BODY: tuple[Part, ...] = (entries_in_full, exhibits_section)
BACK: tuple[Part, ...] = (declaration, integrity)


def _header(layout: Layout) -> Any:
    def on_page(canv: Any, doc: Any) -> None:
        layout.tick()
        width, height = letter
        canv.saveState()
        canv.setFillColor(colors.HexColor("#444444"))
        canv.setFont(SANS, 7.5)
        canv.drawString(MARGIN, height - 32, f"Record of dealings: {layout.selection.client.name}"[:90])
        canv.drawRightString(width - MARGIN, height - 32, f"Prepared {layout.prepared_at:%Y-%m-%d}")
        canv.setStrokeColor(colors.HexColor("#bbbbbb"))
        canv.line(MARGIN, height - 36, width - MARGIN, height - 36)
        canv.restoreState()

    return on_page


def _lay_out(layout: Layout, parts: tuple[Part, ...], offset: int, with_cover: bool = False) -> tuple[bytes, int]:
    """One part as PDF bytes, and its page count."""
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out, pagesize=letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN
    )
    frame = Frame(MARGIN, MARGIN, letter[0] - 2 * MARGIN, letter[1] - 2 * MARGIN, leftPadding=0, rightPadding=0)
    templates = [PageTemplate("body", [frame], onPage=_header(layout))]
    if with_cover:
        templates.insert(0, PageTemplate("cover", [frame], onPage=lambda canv, doc: layout.tick()))
    doc.addPageTemplates(templates)
    layout.page_offset = offset
    story: list[Any] = [NextPageTemplate("body")] if with_cover else []
    for part in parts:
        story += part(layout)
    doc.build(story)
    return out.getvalue(), doc.page


def build_parts(layout: Layout) -> list[bytes]:
    """The three parts, laid out; ``layout`` then knows every page number."""
    register_fonts()
    _, front_pages = _lay_out(layout, FRONT, 0, with_cover=True)
    for _round in range(MAX_ROUNDS):
        layout.placeholders.clear()
        with PhotoPrefetcher(layout.vault, layout.exhibits, FRAME_WIDTH, PHOTO_HEIGHT) as layout.photos:
            body, body_pages = _lay_out(layout, BODY, front_pages)
        _, back_pages = _lay_out(layout, BACK, front_pages + body_pages)
        layout.total_pages = front_pages + body_pages + back_pages
        _number_exhibits(layout)
        back, printed_back = _lay_out(layout, BACK, front_pages + body_pages)
        front, printed_front = _lay_out(layout, FRONT, 0, with_cover=True)
        if (printed_front, printed_back) == (front_pages, back_pages):
            return [front, body, back]
        # A real number wrapped a line differently from its placeholder: lay out again.
        front_pages = printed_front
    raise RuntimeError("The dossier's page numbers did not settle; please report this.")


def _number_exhibits(layout: Layout) -> None:
    for ex in layout.exhibits:
        ex.first_page = layout.page_of(f"ex:{ex.number}")
        ex.last_page = layout.page_of(f"exend:{ex.number}")
        ex.bates_first, ex.bates_last = layout.bates(ex.first_page), layout.bates(ex.last_page)
