"""Assemble the final PDF: join the parts, swap the appended PDFs' pages in,
stamp every page, add the outline and the metadata. One pikepdf pass.

The stamp (Bates number, "page x of y") is a few PDF operators appended to each
page's content, wrapped so the page's own graphics state cannot leak into it,
in DejaVu Sans subsets embedded once for the whole PDF (``StampFonts``): cheap
enough for thousands of pages, and the same on the dossier's own pages and on
appended originals. An appended page is shrunk a little (about 4 %) to free a
band at its displayed foot for the stamp, whatever its rotation and boxes, so
the stamp never covers any of the original.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from typing import Any

from app.dossier.layout import Layout

MARGIN = 54
FOOTER_Y = 26
FOOTER_BAND = 34  # points freed at the foot of an appended page for the stamp


STAMP_CHARS = "0123456789 ,Exhibitpageof"


class StampFonts:
    """DejaVu Sans and DejaVu Sans Bold, subset to the characters the stamp uses
    (digits, the Bates prefix, the legend), made by reportlab once per dossier and
    copied into it: the stamp's text is embedded like every other, and readable.

    ``resources`` names each subset for a page's /Font dictionary; ``show(text,
    bold, size, x, y)`` is the operators that draw ``text`` at (x, y)."""

    def __init__(self, pdf: Any, chars: str) -> None:
        import pikepdf
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfgen import canvas

        from app.dossier.text import BOLD, SANS, register_fonts

        register_fonts()
        self._names = {False: SANS, True: BOLD}
        wanted = "".join(sorted(set(STAMP_CHARS + chars)))
        made = io.BytesIO()
        sample = canvas.Canvas(made, initialFontName=SANS)
        self._codes: dict[tuple[bool, str], tuple[int, int]] = {}  # (bold, char) -> (subset, code)
        for bold, name in self._names.items():
            sample.setFont(name, 8)
            sample.drawString(0, 0, wanted)
            font = pdfmetrics.getFont(name)
            for ch in wanted:
                ((subset, code),) = font.splitString(ch, sample._doc)
                self._codes[(bold, ch)] = (subset, code[0])
        internal = {}  # reportlab's resource name of each subset (known only until the save)
        for bold, name in self._names.items():
            font = pdfmetrics.getFont(name)
            for subset in {s for (b, _ch), (s, _c) in self._codes.items() if b == bold}:
                internal[font.getSubsetInternalName(subset, sample._doc)] = self._key(bold, subset)
        sample.showPage()
        sample.save()
        self.resources: dict[str, Any] = {}
        with pikepdf.open(io.BytesIO(made.getvalue())) as source:
            for name, font_obj in source.pages[0].Resources.Font.items():
                if name in internal:
                    copied = pdf.copy_foreign(font_obj)
                    # a subset tag of its own: the parts' DejaVu subsets are also AAAAAA+DejaVuSans
                    tag = f"/CFST{internal[name][8]}{chr(65 + int(internal[name][9:]) % 26)}+"
                    copied.BaseFont = copied.FontDescriptor.FontName = pikepdf.Name(
                        tag + str(copied.BaseFont).split("+", 1)[-1]
                    )
                    self.resources[internal[name]] = copied

    @staticmethod
    def _key(bold: bool, subset: int) -> str:
        return f"/CFStamp{'B' if bold else 'R'}{subset}"

    def width(self, text: str, bold: bool, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return float(stringWidth(text, self._names[bold], size))

    def show(self, text: str, bold: bool, size: float, x: float, y: float) -> str:
        ops = [f"BT {x:.2f} {y:.2f} Td"]
        current = -1
        run: list[int] = []
        for ch in text:
            subset, code = self._codes.get((bold, ch), self._codes[(bold, " ")])
            if subset != current:
                if run:
                    ops.append(f"<{bytes(run).hex()}> Tj")
                    run = []
                ops.append(f"{self._key(bold, subset)} {size} Tf")
                current = subset
            run.append(code)
        if run:
            ops.append(f"<{bytes(run).hex()}> Tj")
        return " ".join([*ops, "ET"])


def stamp_operators(layout: Layout, fonts: StampFonts, page: int, width: float) -> bytes:
    centre = f"page {page} of {layout.total_pages}"
    bates = layout.bates(page)
    left_x = MARGIN if width > 300 else 12
    parts = ["0.27 g"]
    exhibit = _exhibit_pages(layout).get(page)
    if exhibit is not None:  # "Exhibit 5, page 2 of 3", just left of the Bates number
        label = f"Exhibit {exhibit[0]}, page {exhibit[1]} of {exhibit[2]}"
        right = width - left_x - fonts.width(bates, True, 9) - 12
        parts.append(fonts.show(label, False, 7.5, right - fonts.width(label, False, 7.5), FOOTER_Y))
    centre_x = (width - fonts.width(centre, False, 7.5)) / 2
    if width > 400 and layout.legend:
        parts += _legend(fonts, layout.legend, left_x, centre_x - 12 - left_x)
    parts += [
        fonts.show(centre, False, 7.5, centre_x, FOOTER_Y),
        "0 g",
        fonts.show(bates, True, 9, width - left_x - fonts.width(bates, True, 9), FOOTER_Y - 1),
    ]
    return ("\n".join(parts) + "\n").encode()


def _legend(fonts: StampFonts, legend: str, x: float, room: float) -> list[str]:
    """The legend left of "page x of y", never over it: smaller type if it must (down to
    5.5 pt), and beyond that a second line below the first."""
    size = 7.5
    while size > 5.5 and fonts.width(legend, False, size) > room:
        size -= 0.5
    if fonts.width(legend, False, size) <= room:
        return [fonts.show(legend, False, size, x, FOOTER_Y)]
    head, dot, tail = legend.partition(" · ")  # the demo's notice and counsel's legend: a line each
    if not (dot and fonts.width(head, False, size) <= room):
        words = legend.split(" ")
        cut = next(
            (n for n in range(len(words) - 1, 0, -1) if fonts.width(" ".join(words[:n]), False, size) <= room), 1
        )
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
    return [fonts.show(head, False, size, x, FOOTER_Y), fonts.show(tail, False, size, x, FOOTER_Y - size - 1)]


def _exhibit_pages(layout: Layout) -> dict[int, tuple[int, int, int]]:
    """page -> (exhibit number, page within the exhibit, its page count), once per layout."""
    key = "exhibit_pages"
    if key not in layout.cache:
        pages: dict[int, tuple[int, int, int]] = {}
        for ex in layout.exhibits:
            if ex.first_page and ex.last_page >= ex.first_page:
                count = ex.last_page - ex.first_page + 1
                for offset in range(count):
                    pages[ex.first_page + offset] = (ex.number, offset + 1, count)
        layout.cache[key] = pages
    return layout.cache[key]  # type: ignore[no-any-return]


def page_width(page_obj: Any) -> float:
    box = page_obj.mediabox
    return float(box[2]) - float(box[0])


Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as PDF's cm operator


def _then(first: Matrix, second: Matrix) -> Matrix:
    """The matrix that applies ``first``, then ``second`` (PDF's row-vector product)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _inverse(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(e * ia + f * ic), -(e * ib + f * id_))


def _cm(m: Matrix) -> str:
    return " ".join(f"{v:.5f}" for v in m) + " cm\n"


def _appended_page_stamp(layout: Layout, fonts: StampFonts, number: int, page_obj: Any) -> tuple[bytes, bytes]:
    """(operators before the page's content, stamp operators after it).

    Worked out as the page is shown: its visible box (CropBox, any origin) turned
    by /Rotate. The content is shrunk about the centre of the shown page, just
    enough to free a band at the shown foot, and the stamp is drawn in that band,
    upright. The same for portrait, landscape and rotated pages."""
    box = [float(v) for v in page_obj.cropbox]
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    width, height = x1 - x0, y1 - y0
    rotate = int(page_obj.obj.get("/Rotate", 0)) % 360
    shown_width, shown_height = (height, width) if rotate in (90, 270) else (width, height)
    # shown (X, Y), origin at the shown page's lower left -> the page's own (x, y)
    shown_to_page: Matrix = {
        90: (0.0, 1.0, -1.0, 0.0, x1, y0),
        180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
        270: (0.0, -1.0, 1.0, 0.0, x0, y1),
    }.get(rotate, (1.0, 0.0, 0.0, 1.0, x0, y0))
    scale = (shown_height - FOOTER_BAND) / shown_height if shown_height > 2 * FOOTER_BAND else 1.0
    shrink: Matrix = (scale, 0.0, 0.0, scale, (shown_width - scale * shown_width) / 2, shown_height * (1 - scale))
    content = _then(_then(_inverse(shown_to_page), shrink), shown_to_page)
    before = ("q\n" + _cm(content)).encode()
    return before, _cm(shown_to_page).encode() + stamp_operators(layout, fonts, number, shown_width)


def _stamp(pdf: Any, page_obj: Any, before: bytes, data: bytes, fonts: StampFonts) -> None:
    import pikepdf

    resources = page_obj.obj.get("/Resources")
    if resources is None:
        page_obj.obj.Resources = resources = pikepdf.Dictionary()
    font_dict = resources.get("/Font")
    if font_dict is None:
        resources.Font = font_dict = pikepdf.Dictionary()
    for name, font in fonts.resources.items():
        font_dict[name] = font
    page_obj.contents_add(pikepdf.Stream(pdf, before), prepend=True)
    page_obj.contents_add(pikepdf.Stream(pdf, b"\nQ\n" + data))


def finish_pdf(layout: Layout, parts: list[bytes], prepared_at: datetime) -> bytes:
    """The final PDF from the laid-out parts."""
    import pikepdf

    main = pikepdf.open(io.BytesIO(parts[0]))
    others = [pikepdf.open(io.BytesIO(data)) for data in parts[1:]]
    for other in others:
        main.pages.extend(other.pages)
    sources = _swap_in_appended_pages(layout, main)
    fonts = StampFonts(main, layout.bates(1) + layout.legend)
    for number, page_obj in enumerate(main.pages, start=1):
        if number in layout.placeholders:
            prefix, data = _appended_page_stamp(layout, fonts, number, page_obj)
        else:
            prefix, data = b"q\n", stamp_operators(layout, fonts, number, page_width(page_obj))
        _stamp(main, page_obj, prefix, data, fonts)
    _outline(layout, main)
    _links(layout, main)
    _metadata(layout, main, prepared_at)
    out = io.BytesIO()
    main.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for pdf in [*sources, *others, main]:
        pdf.close()
    return out.getvalue()


def _swap_in_appended_pages(layout: Layout, main: Any) -> list[Any]:
    import pikepdf

    by_exhibit: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for page, (exhibit, source_page) in sorted(layout.placeholders.items()):
        by_exhibit[exhibit].append((page, source_page))
    exhibits = {ex.number: ex for ex in layout.exhibits}
    sources = []
    for number, slots in by_exhibit.items():
        source = pikepdf.open(io.BytesIO(layout.vault.attachments.read_bytes(exhibits[number].attachment.sha256)))
        sources.append(source)
        for page, source_page in slots:
            main.pages[page - 1] = source.pages[source_page]
        layout.tick()
    return sources


def _outline(layout: Layout, main: Any) -> None:
    """Bookmarks for every section (level 0), entry and exhibit (level 1)."""
    import pikepdf

    entries = sorted(layout.outline.items(), key=lambda item: layout.page_of(item[0]))
    with main.open_outline() as outline:
        parent = None
        for key, (title, level) in entries:
            item = pikepdf.OutlineItem(title, layout.page_of(key) - 1)
            if level == 0 or parent is None:
                outline.root.append(item)
                parent = item
            else:
                parent.children.append(item)


def _links(layout: Layout, main: Any) -> None:
    """Contents lines and pin cites become links to the page they name."""
    import pikepdf

    for (_where, target), (page, x0, y0, x1, y1) in layout.links.items():
        destination = layout.page_of(target)
        if not destination:
            continue
        annotation = main.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[x0, y0, x1, y1],
                Border=[0, 0, 0],
                Dest=[main.pages[destination - 1].obj, pikepdf.Name.Fit],
            )
        )
        page_obj = main.pages[page - 1].obj
        if "/Annots" not in page_obj:
            page_obj.Annots = pikepdf.Array()
        page_obj.Annots.append(annotation)


def _metadata(layout: Layout, main: Any, prepared_at: datetime) -> None:
    import pikepdf

    sel = layout.selection
    title = f"Record of dealings: {sel.client.name}"
    author = ", ".join(x for x in (sel.owner_name, sel.business_name) if x) or "Casefile"
    stamp = prepared_at.strftime("D:%Y%m%d%H%M%S") + (
        prepared_at.strftime("%z")[:3] + "'" + prepared_at.strftime("%z")[3:] + "'"
    )
    main.docinfo = main.make_indirect(
        pikepdf.Dictionary(
            Title=pikepdf.String(title),
            Author=pikepdf.String(author),
            Subject=pikepdf.String(f"Dossier; ledger head {sel.ledger_head}"),
            Creator=pikepdf.String("Casefile"),
            Producer=pikepdf.String("Casefile (reportlab, pikepdf)"),
            CreationDate=pikepdf.String(stamp),
            ModDate=pikepdf.String(stamp),
        )
    )
