"""Exhibits: the index, then each exhibit (image, email, appended PDF or native)."""

from __future__ import annotations

import html
import re
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.dossier.bounded import HEADER_CHARS, HEADING_CHARS, clip, split_tall_rows
from app.dossier.describe import media_type_name, metadata_text, source_name
from app.dossier.exhibits import Exhibit
from app.dossier.layout import AnchoredHeading, ExhibitImage, Layout, Marker, PlaceholderPage
from app.dossier.ocr_pages import image_with_ocr
from app.dossier.sections import (
    FRAME_WIDTH,
    PAD_X,
    PAD_Y,
    business_zone,
    cells,
    heading,
    long_grid,
    row_height,
    when_text,
)
from app.dossier.text import body_paragraphs, markup, para, styles
from app.words import plural

FRAME_HEIGHT = 792 - 2 * 54
PHOTO_HEIGHT = FRAME_HEIGHT - 82  # room for the exhibit's heading and the reduced-copy line
MAX_EMAIL_CHARS = 400_000


def size_text(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def sha_lines(sha: str) -> str:
    return f"{sha[:32]}\n{sha[32:]}"


def pages_text(ex: Exhibit) -> str:
    """'2 pages', or '– pages' before the exhibits are placed (the same lines either way)."""
    return plural(ex.last_page - ex.first_page + 1, "page") if ex.first_page else "– pages"


def exhibit_index(layout: Layout) -> list[Any]:
    """The index: laid out after the exhibits are placed (it prints their Bates ranges)."""
    s = styles()
    zone = business_zone(layout)  # times as in the chronology
    story: list[Any] = [heading(layout, "sec:exhibits", "Exhibits")]
    if not layout.exhibits:
        return [*story, para("No files are attached to the chosen entries.", s["body"]), PageBreak()]
    story.append(
        para(
            "Every attached file, numbered in the order of the record. The originals are in the bundle under "
            "'Native file'; their SHA-256 values identify them exactly. Pages: pages in this PDF.",
            s["muted"],
        )
    )
    rows: list[list[Any]] = [
        cells("Exhibit, Bates", "Description and file", "Acquired and times", "SHA-256", bold=True)
    ]
    for ex in layout.exhibits:
        att = ex.attachment
        original = f", {plural(ex.page_count, 'page')} in the original" if ex.page_count else ""
        rows.append(
            [
                para(f"{ex.number}\n{ex.bates_first}\n– {ex.bates_last}\n{pages_text(ex)}", s["cell"]),
                para(
                    f"{ex.description}\nFile: {att.name}\nType: {media_type_name(att.media_type, att.name)}, "
                    f"{size_text(att.size)}{original}"
                    f"\nNative file: {ex.native_path}"
                    + (f"\nNote: {ex.reason}" if ex.reason else "")
                    + f"\nFrom entry #{ex.entry.id}, in full at {layout.bates_of(f'entry:{ex.entry.id}')}",
                    s["cell"],
                ),
                para(
                    f"Acquired: {when_text(att.added_at.astimezone(zone))}, {source_name(att.source)}"
                    f"\nOccurred: {when_text(ex.entry.occurred_at.astimezone(zone))}"
                    f"\nRecorded: {when_text(ex.entry.recorded_at.astimezone(zone))}",
                    s["cell"],
                ),
                para(sha_lines(att.sha256), s["mono"]),
            ]
        )
    story += [*long_grid(rows, [70, 180, 120, FRAME_WIDTH - 370]), PageBreak()]
    return story


def all_exhibits(layout: Layout) -> list[Any]:
    """The exhibits of ``layout.span`` (each ends with a page break, so a run laid out as a
    piece of its own has the pages it would have in one document)."""
    story: list[Any] = []
    for ex in layout.exhibits[layout.span]:
        layout.tick()
        story += exhibit_pages(layout, ex)
    return story


def _exhibit_heading(layout: Layout, ex: Exhibit) -> list[Any]:
    s = styles()
    att = ex.attachment
    flowables = [
        AnchoredHeading(
            markup(clip(ex.description, HEADING_CHARS, "see the exhibit index")),
            s["h2"],
            layout,
            f"ex:{ex.number}",
            outline=ex.description[:120],
            level=1,
        ),
        para(
            f"{clip(att.name, HEADING_CHARS, 'see the exhibit index')} · {media_type_name(att.media_type, att.name)} · {size_text(att.size)} · SHA-256 {att.sha256}",
            s["small"],
        ),
    ]
    recorded = metadata_text(att.metadata) if att.metadata else ""
    if recorded:
        flowables.append(para(f"Recorded metadata: {recorded}", s["small"]))
    return [*flowables, Spacer(1, 6)]


def exhibit_pages(layout: Layout, ex: Exhibit) -> list[Any]:
    s = styles()
    head = _exhibit_heading(layout, ex)
    end = [Marker(layout, f"exend:{ex.number}"), PageBreak()]
    if ex.category == "image":
        beside = image_with_ocr(layout, ex, PHOTO_HEIGHT)  # its machine-read text, when OCR found some
        if beside is not None:
            return [*head, *beside, *end]
        width, height = ex.image_size or (0, 0)
        reduced = "Reduced copy; the" if max(width, height) > 1000 else "The"
        note = para(
            f"{reduced} original {width} × {height} pixel file is native {ex.native_path} in the bundle.", s["small"]
        )
        return [KeepTogether([*head, note, ExhibitImage(layout, ex, PHOTO_HEIGHT)]), *end]
    if ex.category == "email":
        return [*head, *email_flowables(layout, ex), *end]
    if ex.category == "pdf":
        slip = para(
            (
                "The original PDF's one page follows, stamped with its Bates number. "
                if ex.page_count == 1
                else f"The {plural(ex.page_count or 0, 'page')} of the original PDF follow, each stamped with its "
                "Bates number. "
            )
            + f"The native file is in the bundle at {ex.native_path}.",
            s["body"],
        )
        pages: list[Any] = [*head, slip]
        for index in range(ex.page_count or 0):
            pages += [PageBreak(), PlaceholderPage(layout, ex.number, index)]
        return [*pages, *end]
    reason = ex.reason or "this kind of file cannot be shown on paper"
    native = para(
        f"This exhibit is produced as a native file: {reason}. The original bytes are in the bundle at "
        f"{ex.native_path}; check them against the SHA-256 above.",
        s["body"],
    )
    return [*head, native, *end]


def _email_text(layout: Layout, ex: Exhibit) -> tuple[list[tuple[str, str]], str, list[str]]:
    """Headers, body text and attachment names of a stored .eml (cached across passes)."""
    key = f"email:{ex.attachment.sha256}"
    if key not in layout.cache:
        from email import policy
        from email.parser import BytesParser

        msg = BytesParser(policy=policy.default).parsebytes(layout.vault.attachments.read_bytes(ex.attachment.sha256))
        headers = [
            (h, str(msg.get(h, ""))) for h in ("From", "To", "Cc", "Date", "Subject", "Message-ID") if msg.get(h)
        ]
        body = msg.get_body(preferencelist=("plain", "html"))
        text = ""
        if body is not None:
            try:
                text = body.get_content()
            except (LookupError, ValueError):
                text = body.get_payload(decode=True).decode("utf-8", "replace")  # type: ignore[union-attr]
            if body.get_content_type() == "text/html":
                text = _html_to_text(text)
        names = [part.get_filename() or part.get_content_type() for part in msg.iter_attachments()]
        layout.cache[key] = (headers, text[:MAX_EMAIL_CHARS], names)
    return layout.cache[key]  # type: ignore[no-any-return]


def _html_to_text(markup_text: str) -> str:
    text = re.sub(r"(?is)<(script|style).*?</\1>", "", markup_text)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _with_exhibit_numbers(layout: Layout, ex: Exhibit, names: list[str]) -> list[str]:
    """'kitchen.jpg (Exhibit 6)': the files that came with this email, by the exhibit
    number each has here (their Bates ranges are in the index and the load file)."""
    siblings = [o for o in layout.exhibits if o.entry.id == ex.entry.id and "mime_part" in o.attachment.metadata]
    by_name: dict[str, list[Exhibit]] = {}
    for other in siblings:
        by_name.setdefault(other.attachment.name, []).append(other)
    out = []
    for position, name in enumerate(names):
        same = by_name.get(name)
        match = same.pop(0) if same else None
        if match is None and len(siblings) == len(names):  # renamed on import: same order
            match = siblings[position]
        out.append(f"{name} ({match.label})" if match is not None else name)
    return out


def email_flowables(layout: Layout, ex: Exhibit) -> list[Any]:
    s = styles()
    headers, text, names = _email_text(layout, ex)
    where = f"the full header is in the native file {ex.native_path}"
    rows = [cells(k, bold=True)[:1] + cells(clip(v, HEADER_CHARS, where)) for k, v in headers]
    if names:
        listed = clip(
            ", ".join(_with_exhibit_numbers(layout, ex, [str(n) for n in names])),
            HEADER_CHARS,
            f"{plural(len(names), 'attachment')} in all; see {ex.native_path}",
        )
        rows.append(cells("Attachments", bold=True)[:1] + cells(listed))
    rows = rows or [cells("(no headers)", "")]
    widths: list[float] = [80, FRAME_WIDTH - 80]
    heights = [row_height(row, widths) for row in rows]
    rows, heights = split_tall_rows(rows, widths, heights, PAD_X, PAD_Y)
    block = Table(rows, colWidths=widths, rowHeights=heights, splitByRow=1)
    block.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f5f8")),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#99a3b0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    from app.mail.provenance import mail_proof_lines

    proof = [para(markup(line), s["small"]) for line in mail_proof_lines(ex.attachment.metadata)]
    body = body_paragraphs(text, s["body"]) or [Paragraph("(empty message)", s["muted"])]
    return [block, Spacer(1, 4), *proof, Spacer(1, 8), *body]
