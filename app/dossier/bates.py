"""Assemble the final PDF: join the parts, swap the appended PDFs' pages in,
stamp every page, add the outline and the metadata. One pikepdf pass.

The stamp (Bates number, "page x of y") is a few PDF operators appended to each
page's content, wrapped so the page's own graphics state cannot leak into it,
in the standard Helvetica fonts: cheap enough for thousands of pages, and the
same on the dossier's own pages and on appended originals. An appended page is
shrunk a little (about 4 %) to free a band at its foot for the stamp, so the
stamp never covers any of the original; a rotated page keeps its size and gets
the stamp on a white band along its displayed foot.
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


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def stamp_operators(layout: Layout, page: int, width: float, band: bool) -> bytes:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    centre = f"page {page} of {layout.total_pages}"
    bates = layout.bates(page)
    parts = []
    if band:
        parts.append(f"1 g 0 {FOOTER_Y - 10} {width:.2f} 22 re f")
    left_x = MARGIN if width > 300 else 12
    exhibit = _exhibit_pages(layout).get(page)
    if exhibit is not None:  # "Exhibit 5, page 2 of 3", just left of the Bates number
        label = f"Exhibit {exhibit[0]}, page {exhibit[1]} of {exhibit[2]}"
        right = width - left_x - stringWidth(bates, "Helvetica-Bold", 9) - 12
        parts.append(
            f"0.27 g BT /CFStampR 7.5 Tf {right - stringWidth(label, 'Helvetica', 7.5):.2f} {FOOTER_Y} Td "
            f"{_pdf_string(label)} Tj ET"
        )
    parts += [
        "0.27 g BT /CFStampR 7.5 Tf",
        f"{left_x} {FOOTER_Y} Td {_pdf_string(layout.legend)} Tj ET" if width > 400 and layout.legend else "ET",
        f"BT /CFStampR 7.5 Tf {(width - stringWidth(centre, 'Helvetica', 7.5)) / 2:.2f} {FOOTER_Y} Td "
        f"{_pdf_string(centre)} Tj ET",
        f"0 g BT /CFStampB 9 Tf {width - left_x - stringWidth(bates, 'Helvetica-Bold', 9):.2f} {FOOTER_Y - 1} Td "
        f"{_pdf_string(bates)} Tj ET",
    ]
    return ("\n".join(parts) + "\n").encode("cp1252")  # WinAnsiEncoding: the legend's en dash


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


def _fonts(pdf: Any) -> tuple[Any, Any]:
    import pikepdf

    def font(base: str) -> Any:
        return pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name("/" + base),
                Encoding=pikepdf.Name.WinAnsiEncoding,
            )
        )

    return font("Helvetica"), font("Helvetica-Bold")


def page_width(page_obj: Any) -> float:
    box = page_obj.mediabox
    return float(box[2]) - float(box[0])


def _appended_page_stamp(layout: Layout, number: int, page_obj: Any) -> tuple[bytes, bytes]:
    """(operators before the page's content, stamp operators after it)."""
    box = [float(v) for v in page_obj.trimbox]
    x0, y0, width, height = box[0], box[1], box[2] - box[0], box[3] - box[1]
    rotate = int(page_obj.obj.get("/Rotate", 0)) % 360
    if rotate == 0:
        scale = (height - FOOTER_BAND) / height
        tx = x0 + (width - scale * width) / 2 - scale * x0
        ty = y0 + FOOTER_BAND - scale * y0
        before = f"q {scale:.5f} 0 0 {scale:.5f} {tx:.3f} {ty:.3f} cm\n".encode()
        place = f"1 0 0 1 {x0:.3f} {y0:.3f} cm\n"
        return before, place.encode() + stamp_operators(layout, number, width, band=False)
    # Draw in the page's displayed orientation: map displayed (X, Y) to page (x, y).
    displayed_width = height if rotate in (90, 270) else width
    matrix = {
        90: f"0 1 -1 0 {x0 + width:.3f} {y0:.3f}",
        180: f"-1 0 0 -1 {x0 + width:.3f} {y0 + height:.3f}",
        270: f"0 -1 1 0 {x0:.3f} {y0 + height:.3f}",
    }.get(rotate, f"1 0 0 1 {x0:.3f} {y0:.3f}")
    return b"q\n", f"{matrix} cm\n".encode() + stamp_operators(layout, number, displayed_width, band=True)


def _stamp(pdf: Any, page_obj: Any, before: bytes, data: bytes, regular: Any, bold: Any) -> None:
    import pikepdf

    resources = page_obj.obj.get("/Resources")
    if resources is None:
        page_obj.obj.Resources = resources = pikepdf.Dictionary()
    fonts = resources.get("/Font")
    if fonts is None:
        resources.Font = fonts = pikepdf.Dictionary()
    fonts.CFStampR, fonts.CFStampB = regular, bold
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
    regular, bold = _fonts(main)
    for number, page_obj in enumerate(main.pages, start=1):
        if number in layout.placeholders:
            prefix, data = _appended_page_stamp(layout, number, page_obj)
        else:
            prefix, data = b"q\n", stamp_operators(layout, number, page_width(page_obj), band=False)
        _stamp(main, page_obj, prefix, data, regular, bold)
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
