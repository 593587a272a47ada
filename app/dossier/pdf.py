"""Lay out the dossier with reportlab platypus, in five parts.

    front     cover, contents, summary, chronology   measured, then printed
    entries   entries in full                        laid out once
    index     exhibit index                          measured, then printed
    exhibits  every exhibit (photos, emails, PDFs)   laid out once
    back      declaration, integrity appendix        measured, then printed

Some parts print numbers known only once everything is placed (pin cites, Bates
ranges, the page total). Each part is laid out in order, to learn where
everything lands — those that print numbers only measured (placed, not drawn:
``_MeasuringFrame``); then they are laid out again, drawn, with the real values,
reusing the markup parsed the first time (``bidi.reuse_parsing``). Numbers are fixed-width Bates labels, so a part keeps its
page count (checked; if one changes, the whole layout runs again with the new
numbers). The entries and exhibits, nearly all the pages and every photo, are
laid out once. Appended PDFs are placeholder pages, so every count includes
them; ``bates.py`` swaps the real pages in and stamps the Bates number and
"page x of y" on every page in one pikepdf pass.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from app.dossier.bidi import reuse_parsing
from app.dossier.declaration import declaration, integrity, privilege_log
from app.dossier.entry_pages import entries_in_full
from app.dossier.exhibit_pages import PHOTO_HEIGHT, all_exhibits, exhibit_index
from app.dossier.layout import AnchoredHeading, Layout, Marker, PlaceholderPage
from app.dossier.photos import PhotoPrefetcher
from app.dossier.sections import FRAME_WIDTH, business_zone, chronology, contents, cover, summary
from app.dossier.text import SANS, markup, register_fonts

MARGIN = 54
MAX_ROUNDS = 3

Part = Callable[[Layout], list[Any]]
# (sections, printed again once the numbers are known)
PARTS: tuple[tuple[tuple[Part, ...], bool], ...] = (
    ((cover, contents, summary, chronology), True),
    ((entries_in_full,), False),
    ((exhibit_index,), True),
    ((all_exhibits,), False),
    ((privilege_log, declaration, integrity), True),
)


def _header(layout: Layout) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    from app.dossier.bidi import Para

    # Through markup(): a client named in Chinese or Korean gets its CJK font here too.
    title = markup(f"Record of dealings: {layout.selection.client.name}"[:90])
    style = ParagraphStyle("header", fontName=SANS, fontSize=7.5, leading=9, textColor=colors.HexColor("#444444"))

    prepared = f"Prepared {layout.prepared_at.astimezone(business_zone(layout)):%Y-%m-%d}"  # the cover's day

    def on_page(canv: Any, doc: Any) -> None:
        layout.tick()
        width, height = letter
        canv.saveState()
        canv.setFillColor(colors.HexColor("#444444"))
        canv.setFont(SANS, 7.5)
        line = Para(title, style)
        line.wrapOn(canv, width - 2 * MARGIN - 120, 20)
        line.drawOn(canv, MARGIN, height - 34)
        canv.drawRightString(width - MARGIN, height - 32, prepared)
        canv.setStrokeColor(colors.HexColor("#bbbbbb"))
        canv.line(MARGIN, height - 36, width - MARGIN, height - 36)
        canv.restoreState()

    return on_page


class _MeasuringFrame(Frame):  # type: ignore[misc]
    """A frame that places flowables without drawing them: a part printed twice is
    first only measured (its page count and where its headings and marks land).
    Headings, marks and held pages still record themselves; nothing else is drawn."""

    def _add(self, flowable: Any, canv: Any, trySplit: int = 0) -> Any:
        if not isinstance(flowable, (Marker, PlaceholderPage)) and hasattr(flowable, "__dict__"):
            flowable.__dict__["drawOn"] = _recording_only(flowable)  # past a Drawing's attribute check
        return super()._add(flowable, canv, trySplit)

    add = _add  # what the doc template calls (Frame binds add to its own _add)


def _recording_only(flowable: Any) -> Callable[..., None]:
    def draw_on(canv: Any, x: float, y: float, _sW: float = 0) -> None:
        _mark_all(flowable, canv)

    return draw_on


def _mark_all(flowable: Any, canv: Any) -> None:
    """Headings record their page, also inside a KeepTogether; the rest draws nothing."""
    if isinstance(flowable, AnchoredHeading):
        flowable.canv = canv
        flowable.mark()
    elif isinstance(flowable, (Marker, PlaceholderPage)):
        flowable.drawOn(canv, 0, 0)
    for inner in getattr(flowable, "_content", None) or ():
        _mark_all(inner, canv)


def _lay_out(
    layout: Layout,
    parts: tuple[Part, ...],
    offset: int,
    with_cover: bool = False,
    measure: bool = False,
    parsed: dict[Any, Any] | None = None,
) -> tuple[bytes, int]:
    """One part as PDF bytes, and its page count. ``measure``: nothing is drawn (the
    bytes are empty pages), only the page count and the recorded places count.
    ``parsed``: paragraph markup parsed once and reused (bidi.reuse_parsing)."""
    if parsed is not None:
        with reuse_parsing(parsed):
            return _lay_out(layout, parts, offset, with_cover, measure)
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        initialFontName=SANS,  # each page's preamble sets a font: not the unembedded Helvetica
    )
    frame = (_MeasuringFrame if measure else Frame)(
        MARGIN, MARGIN, letter[0] - 2 * MARGIN, letter[1] - 2 * MARGIN, leftPadding=0, rightPadding=0
    )
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
    """Every part, laid out; ``layout`` then knows every page number."""
    register_fonts()
    for _round in range(MAX_ROUNDS):
        laid_out: list[tuple[bytes, int, int]] = []  # (pdf, pages, offset)
        parsed: list[dict[Any, Any]] = [{} for _part in PARTS]  # a twice-printed part's cells, parsed once
        offset = 0
        layout.placeholders.clear()
        with PhotoPrefetcher(layout.vault, layout.exhibits, FRAME_WIDTH, PHOTO_HEIGHT) as layout.photos:
            for index, (sections, twice) in enumerate(PARTS):
                data, pages = _lay_out(
                    layout,
                    sections,
                    offset,
                    with_cover=index == 0,
                    measure=twice,
                    parsed=parsed[index] if twice else None,
                )
                laid_out.append((data, pages, offset))
                offset += pages
        layout.total_pages = offset
        _number_exhibits(layout)
        settled = True
        for index, (sections, twice) in enumerate(PARTS):
            if twice:
                _measured, pages, start = laid_out[index]
                data, printed = _lay_out(layout, sections, start, with_cover=index == 0, parsed=parsed[index])
                laid_out[index] = (data, printed, start)
                settled = settled and printed == pages
        if settled:
            return [data for data, _pages, _start in laid_out]
        # A real number wrapped a line differently from its placeholder: lay out
        # again, measuring with the numbers just printed.
    raise RuntimeError("The dossier's page numbers did not settle; please report this.")


def _number_exhibits(layout: Layout) -> None:
    for ex in layout.exhibits:
        ex.first_page = layout.page_of(f"ex:{ex.number}")
        ex.last_page = layout.page_of(f"exend:{ex.number}")
        ex.bates_first, ex.bates_last = layout.bates(ex.first_page), layout.bates(ex.last_page)
