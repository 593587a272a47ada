"""Swap the appended PDFs' pages in, stamp them, and set the document metadata.

reportlab drew the Bates number and "page x of y" on its own pages; here each
placeholder page is replaced by the original PDF page it stands for, and a stamp
made with reportlab (same words, same place, on a white band so it stays legible
over any content) is merged over it with pikepdf. Page order and count never
change, so the numbers reportlab printed stay right.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from typing import Any

from app.dossier.layout import Layout


def _stamp_pdf(layout: Layout, pages: list[tuple[int, float, float]]) -> Any:
    """One stamp page per appended page: (page number, width, height)."""
    import pikepdf
    from reportlab.pdfgen.canvas import Canvas

    from app.dossier.pdf import footer

    out = io.BytesIO()
    canv = Canvas(out)
    for page, width, height in pages:
        canv.setPageSize((width, height))
        canv.setFillColorRGB(1, 1, 1)
        canv.rect(0, 14, width, 22, stroke=0, fill=1)
        footer(canv, layout, page, width)
        canv.showPage()
    canv.save()
    return pikepdf.open(io.BytesIO(out.getvalue()))


def finish_pdf(layout: Layout, rendered: bytes, prepared_at: datetime) -> bytes:
    """The final PDF: appended pages in place, stamped; metadata set."""
    import pikepdf

    main = pikepdf.open(io.BytesIO(rendered))
    by_exhibit: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for page, (exhibit, source_page) in sorted(layout.placeholders.items()):
        by_exhibit[exhibit].append((page, source_page))
    exhibits = {ex.number: ex for ex in layout.exhibits}
    sources = []
    stamps: list[tuple[int, float, float]] = []
    for number, slots in by_exhibit.items():
        data = layout.vault.attachments.read_bytes(exhibits[number].attachment.sha256)
        source = pikepdf.open(io.BytesIO(data))
        sources.append(source)
        for page, source_page in slots:
            main.pages[page - 1] = source.pages[source_page]
            box = main.pages[page - 1].trimbox
            stamps.append((page, float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
        layout.tick()
    if stamps:
        stamp_pdf = _stamp_pdf(layout, stamps)
        for stamp_page, (page, _w, _h) in zip(stamp_pdf.pages, stamps, strict=True):
            target = main.pages[page - 1]
            target.add_overlay(stamp_page, pikepdf.Rectangle(*[float(v) for v in target.trimbox]))
    sel = layout.selection
    with main.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = f"Record of dealings: {sel.client.name}"
        meta["dc:creator"] = [", ".join(x for x in (sel.owner_name, sel.business_name) if x) or "Casefile"]
        meta["xmp:CreateDate"] = prepared_at.isoformat()
    out = io.BytesIO()
    main.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    main.close()
    return out.getvalue()
