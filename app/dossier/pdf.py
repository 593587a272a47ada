"""Lay out the dossier with reportlab platypus, in five parts.

    front     cover, contents, summary, chronology   measured, then printed
    entries   entries in full                        laid out once
    index     exhibit index                          measured, then printed
    exhibits  every exhibit (photos, emails, PDFs)   laid out once
    back      declaration, integrity appendix        measured, then printed

Each part (or run of a part: ``Piece``) is a reportlab document of its own that records
where its headings, entries and exhibits land by its own page numbers
(``layout.Recorded``); placed one after the other, they give every page number. Some parts
print numbers known only once everything is placed (pin cites, Bates ranges, the page
total): they are first only measured (placed, not drawn: ``_MeasuringFrame``), then laid
out again, drawn, with the real values, reusing the markup parsed the first time
(``bidi.reuse_parsing``). Numbers are fixed-width Bates labels, so a part keeps its page
count (checked; if one changes, it is printed again with the new numbers). The entries and
exhibits, nearly all the pages and every photo, are laid out once, and print no page
number: in a large dossier their later runs are laid out at the same time by a second
process, on the machine's other core (``layout_helper.py``). Appended PDFs are placeholder
pages, so every count includes them; ``bates.py`` swaps the real pages in and stamps the
Bates number and "page x of y" on every page in one pikepdf pass.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from app.dossier.bidi import reuse_parsing
from app.dossier.declaration import declaration, integrity, privilege_log
from app.dossier.entry_pages import entries_in_full
from app.dossier.exhibit_pages import PHOTO_HEIGHT, all_exhibits, exhibit_index
from app.dossier.layout import AnchoredHeading, Layout, Marker, PlaceholderPage, Recorded
from app.dossier.layout_helper import check_required
from app.dossier.photos import PhotoPrefetcher
from app.dossier.sections import FRAME_WIDTH, business_zone, chronology, contents, cover, summary
from app.dossier.text import SANS, markup, register_fonts

if TYPE_CHECKING:
    from app.dossier.layout_helper import LayoutHelper

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
FRONT, BACK = 0, 4
ENTRIES, EXHIBITS = 1, 3  # the parts laid out once, in runs that may go to the layout helper


def _header(layout: Layout) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    from app.dossier.bidi import Para

    # Through markup(): a client named in Chinese or Korean gets its CJK font here too.
    title = markup(f"Record of dealings: {layout.selection.client.name}"[:90])
    style = ParagraphStyle("header", fontName=SANS, fontSize=7.5, leading=9, textColor=colors.HexColor("#444444"))

    prepared = f"Prepared {layout.prepared_at.astimezone(business_zone(layout)):%Y-%m-%d}"  # the cover's day
    width, height = letter
    line = Para(title, style)
    wrapped: list[bool] = []  # the same line on every page: parsed and wrapped once

    def on_page(canv: Any, doc: Any) -> None:
        layout.tick()
        canv.saveState()
        canv.setFillColor(colors.HexColor("#444444"))
        canv.setFont(SANS, 7.5)
        if not wrapped:
            line.wrapOn(canv, width - 2 * MARGIN - 120, 20)
            wrapped.append(True)
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


@dataclass(frozen=True)
class Piece:
    """One reportlab document of the dossier: a whole part, or a run ``start:stop`` of the
    entries or of the exhibits (each entry and each exhibit starts a page, so a run has the
    pages it would have inside the whole part)."""

    part: int  # index into PARTS
    start: int = 0
    stop: int | None = None

    @property
    def twice(self) -> bool:
        return PARTS[self.part][1]


@dataclass
class Laid:
    """A laid-out piece: its PDF, its page count, what it recorded by its own pages, and the
    exhibits found damaged while drawn (number -> reason). Picklable: the layout helper
    process sends its pieces back as these."""

    pdf: bytes
    pages: int
    recorded: Recorded
    reasons: dict[int, str] = field(default_factory=dict)


def lay_out(layout: Layout, piece: Piece, measure: bool = False, parsed: dict[Any, Any] | None = None) -> Laid:
    """One piece as a PDF. ``measure``: nothing is drawn (the bytes are empty pages), only
    the page count and the recorded places count. ``parsed``: paragraph markup parsed once
    and reused (bidi.reuse_parsing)."""
    if parsed is not None:
        with reuse_parsing(parsed):
            return lay_out(layout, piece, measure)
    sections, _twice = PARTS[piece.part]
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
    with_cover = piece.part == 0
    templates = [PageTemplate("body", [frame], onPage=_header(layout))]
    if with_cover:
        templates.insert(0, PageTemplate("cover", [frame], onPage=lambda canv, doc: layout.tick()))
    doc.addPageTemplates(templates)
    layout.recording, layout.span = Recorded(), slice(piece.start, piece.stop)
    shown = layout.exhibits[layout.span] if piece.part == EXHIBITS else []
    reasons = {ex.number: ex.reason for ex in shown}
    try:
        story: list[Any] = [NextPageTemplate("body")] if with_cover else []
        for section in sections:
            story += section(layout)
        doc.build(story)
        found = {ex.number: ex.reason for ex in shown if ex.reason != reasons[ex.number]}
        return Laid(out.getvalue(), doc.page, layout.recording, found)
    finally:
        layout.recording, layout.span = Recorded(), slice(None)


def build_parts(
    layout: Layout, helper: LayoutHelper | None = None, idle: Callable[[], None] | None = None
) -> list[bytes]:
    """Every piece, laid out; ``layout`` then knows every page number. With a ``helper``
    (a second process: layout_helper.py) the front and the later runs of the entries and
    exhibits are laid out there while this process lays out the rest, and the front is
    printed there while this process prints the index and the back; what the helper laid out
    comes back recorded by its own page numbers and is placed like this process's own.
    ``idle`` is called (once) when this process has nothing left but to wait for the helper's
    front: it may start work of its own on a thread."""
    register_fonts()
    order = pieces(layout, helper.share(layout) if helper is not None else 0.0)
    front, back = order[0], order[-1]
    theirs = [piece for piece in order if piece.start > 0 or piece is front]
    if helper is not None:
        helper.lay_out(layout, theirs)
    else:
        theirs = []
    # The back is measured last, once every entry is placed: its declaration gives the entries'
    # pages as Bates ranges, merging neighbours, so their number (and its lines) depend on them.
    mine = [piece for piece in order if piece not in theirs and piece is not back]
    parsed: dict[Piece, dict[Any, Any]] = {piece: {} for piece in order if piece.twice}
    own_tick = layout.tick
    if helper is not None:
        busy = helper

        def tick() -> None:  # the helper's pages count too, as they come
            own_tick()
            busy.poll(own_tick)

        layout.tick = tick
    try:
        laid = lay_out_all(layout, mine, parsed)
        if helper is not None:
            laid.update(helper.results(own_tick))
            check_required(all(piece in laid for piece in theirs))
            # A helper that could not finish (it died, or could not start): the rest here.
            laid.update(lay_out_all(layout, [piece for piece in theirs if piece not in laid], parsed))
        _place(layout, order[:-1], laid)
        laid[back] = lay_out(layout, back, measure=True, parsed=parsed[back])
        return _print(layout, order, laid, parsed, helper, own_tick, idle)
    finally:
        layout.tick = own_tick  # the helper stays: the caller closes it or gives it the split


def _print(
    layout: Layout,
    order: list[Piece],
    laid: dict[Piece, Laid],
    parsed: dict[Piece, dict[Any, Any]],
    helper: LayoutHelper | None,
    tick: Callable[[], None],
    idle: Callable[[], None] | None = None,
) -> list[bytes]:
    """Lay out the parts that print numbers again, drawn, until their page counts hold."""
    front = order[0]
    for _round in range(MAX_ROUNDS):
        _place(layout, order, laid)
        there = helper is not None and helper.print_front(layout)  # beside the index and the back
        settled = True
        for piece in order:
            if piece.twice and not (there and piece is front):
                printed = lay_out(layout, piece, parsed=parsed[piece])
                settled = settled and printed.pages == laid[piece].pages
                laid[piece] = printed
        if there:
            assert helper is not None
            if idle is not None:
                idle()
                idle = None
            printed = helper.printed(tick) or lay_out(layout, front, parsed=parsed[front])
            settled = settled and printed.pages == laid[front].pages
            laid[front] = printed
        if settled:
            _place(layout, order, laid)  # with the links the printed parts recorded
            return [laid[piece].pdf for piece in order]
        # A real number wrapped a line differently from its placeholder: print again with
        # the numbers of this printing.
    raise RuntimeError("The dossier's page numbers did not settle; please report this.")


def pieces(layout: Layout, share: float) -> list[Piece]:
    """The dossier's pieces in page order. With ``share`` > 0 the entries and the exhibits
    are each cut in two runs, the later one holding about ``share`` of them."""
    out: list[Piece] = []
    for part, count in enumerate((0, len(layout.selection.entries), 0, len(layout.exhibits), 0)):
        cut = min(count - 1, round(count * (1 - share))) if part in (ENTRIES, EXHIBITS) else 0
        if share > 0 and cut >= 1 and count - cut >= 1:
            out += [Piece(part, 0, cut), Piece(part, cut, None)]
        else:
            out.append(Piece(part))
    return out


def lay_out_all(
    layout: Layout,
    todo: list[Piece],
    parsed: dict[Piece, dict[Any, Any]],
    done: Callable[[Piece, Laid], None] = lambda piece, laid: None,
) -> dict[Piece, Laid]:
    """Lay out ``todo`` in order, the twice-printed ones measured only; the photos of its
    exhibits are decoded ahead in worker threads meanwhile. ``done`` is told of each piece
    as it is laid out (the layout helper sends it on at once)."""
    shown = [ex for piece in todo if piece.part == EXHIBITS for ex in layout.exhibits[piece.start : piece.stop]]
    laid: dict[Piece, Laid] = {}
    with PhotoPrefetcher(layout.vault, shown, FRAME_WIDTH, PHOTO_HEIGHT) as layout.photos:
        for piece in todo:
            laid[piece] = lay_out(layout, piece, measure=piece.twice, parsed=parsed.get(piece))
            done(piece, laid[piece])
    return laid


def _place(layout: Layout, order: list[Piece], laid: dict[Piece, Laid]) -> None:
    """Every piece's records at its place in the whole, the page total, the exhibits' numbers."""
    layout.forget_places()
    by_number = {ex.number: ex for ex in layout.exhibits}
    offset = 0
    for piece in order:
        done = laid[piece]
        layout.place(done.recorded, offset)
        offset += done.pages
        for number, reason in done.reasons.items():  # found by the helper process
            by_number[number].reason = reason
    layout.total_pages = offset
    _number_exhibits(layout)


def _number_exhibits(layout: Layout) -> None:
    for ex in layout.exhibits:
        ex.first_page = layout.page_of(f"ex:{ex.number}")
        ex.last_page = layout.page_of(f"exend:{ex.number}")
        ex.bates_first, ex.bates_last = layout.bates(ex.first_page), layout.bates(ex.last_page)
