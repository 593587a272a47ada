"""Lay out the dossier with reportlab platypus, in two passes.

Pass one measures (images are not decoded); pass two prints the page numbers
pass one learned. Appended PDFs are laid out as placeholder pages so every count
(pin cites, Bates ranges, "page x of y") already includes them; ``bates.py`` swaps
the real pages in afterwards.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from app.dossier.declaration import declaration, integrity
from app.dossier.entry_pages import entries_in_full
from app.dossier.exhibit_pages import exhibits_section
from app.dossier.layout import Layout
from app.dossier.sections import chronology, contents, cover, summary, when_text
from app.dossier.text import BOLD, SANS, register_fonts

MARGIN = 54
MAX_PASSES = 4


def _decorate(layout: Layout, cover_page: bool) -> Any:
    sel = layout.selection

    def on_page(canv: Any, doc: Any) -> None:
        page = canv.getPageNumber()
        layout.tick()
        if page in layout.placeholders:
            return  # an appended PDF's page goes here; bates.py stamps it
        width, _height = letter
        canv.saveState()
        canv.setFillColor(colors.HexColor("#444444"))
        if not cover_page:
            canv.setFont(SANS, 7.5)
            canv.drawString(MARGIN, letter[1] - 32, f"Record of dealings: {sel.client.name}"[:90])
            canv.drawRightString(width - MARGIN, letter[1] - 32, f"Prepared {layout.prepared_at:%Y-%m-%d}")
            canv.setStrokeColor(colors.HexColor("#bbbbbb"))
            canv.line(MARGIN, letter[1] - 36, width - MARGIN, letter[1] - 36)
        footer(canv, layout, page, width)
        canv.restoreState()

    return on_page


def footer(canv: Any, layout: Layout, page: int, width: float) -> None:
    """Bates number and "page x of y"; the same words bates.py stamps on appended pages."""
    canv.setFont(SANS, 7.5)
    canv.setFillColor(colors.HexColor("#444444"))
    canv.drawString(MARGIN, 26, "Confidential: prepared for counsel")
    canv.drawCentredString(width / 2, 26, f"page {page} of {layout.total_pages or page}")
    canv.setFont(BOLD, 9)
    canv.setFillColor(colors.black)
    canv.drawRightString(width - MARGIN, 25, layout.bates(page))


def story(layout: Layout) -> list[Any]:
    flowables: list[Any] = [NextPageTemplate("body"), *cover(layout)]
    for part in (contents, summary, chronology, entries_in_full, exhibits_section, declaration, integrity):
        flowables += part(layout)
    return flowables


def _one_pass(layout: Layout) -> bytes:
    sel = layout.selection
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Record of dealings: {sel.client.name}",
        author=", ".join(x for x in (sel.owner_name, sel.business_name) if x) or "Casefile",
        subject=f"Dossier prepared {when_text(layout.prepared_at)}; ledger head {sel.ledger_head}",
        creator="Casefile",
        invariant=0,
    )
    frame = Frame(
        MARGIN, MARGIN, letter[0] - 2 * MARGIN, letter[1] - 2 * MARGIN, id="main", leftPadding=0, rightPadding=0
    )
    doc.addPageTemplates(
        [
            PageTemplate("cover", [frame], onPage=_decorate(layout, True)),
            PageTemplate("body", [frame], onPage=_decorate(layout, False)),
        ]
    )
    layout.placeholders.clear()
    doc.build(story(layout))
    layout.total_pages = doc.page
    return out.getvalue()


def build_pdf(layout: Layout) -> bytes:
    """The reportlab part of the dossier (placeholders where PDFs are appended)."""
    register_fonts()
    layout.final = False
    _one_pass(layout)
    for _ in range(MAX_PASSES):
        seen = (dict(layout.pages), layout.total_pages)
        _number_exhibits(layout)
        layout.final = True
        data = _one_pass(layout)
        if (layout.pages, layout.total_pages) == seen:
            return data
        # Positions moved (rare: a longer number wrapped a line): print again with the new ones.
    return data


def _number_exhibits(layout: Layout) -> None:
    for ex in layout.exhibits:
        ex.first_page = layout.page_of(f"ex:{ex.number}")
        ex.last_page = layout.page_of(f"exend:{ex.number}")
        ex.bates_first, ex.bates_last = layout.bates(ex.first_page), layout.bates(ex.last_page)
