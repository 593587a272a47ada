"""PDFs, plain text and every other file: stored as-is, text extracted for search.

PDF text comes from pypdfium2 (PDFium, the engine that also renders previews).
A PDF it cannot read is still evidence: it is stored, with a note saying why
there is no searchable text.
"""

from __future__ import annotations

import codecs
from typing import Any

from app.ingest.parsed import ParsedItem, Part, Source
from app.records.attachments import safe_display_name
from app.records.models import EntryFields

MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 2000
TEXT_SUFFIXES = (".txt", ".text", ".md", ".csv", ".log", ".json", ".xml", ".html", ".htm", ".rtf", ".ics", ".vcf")


def is_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]


def parse_document(source: Source) -> list[ParsedItem]:
    head = source.head()
    metadata: dict[str, Any] = {}
    text = ""
    media_type = None
    if is_pdf(head):
        media_type = "application/pdf"
        text, metadata = pdf_text(source)
    elif source.name.lower().endswith(TEXT_SUFFIXES) or _looks_like_text(head):
        text = _plain_text(source)
    fields = EntryFields(kind="document", occurred_at=source.mtime, title=safe_display_name(source.name)[:1000])
    part = Part(name=source.name, source=source, media_type=media_type, metadata=metadata, text=text)
    notes = [metadata["note"]] if "note" in metadata else []
    return [ParsedItem(fields=fields, parts=[part], notes=[*notes, "dated by the file's time"])]


def pdf_text(source: Source) -> tuple[str, dict[str, Any]]:
    import pypdfium2 as pdfium

    from app.pdf_engine import LOCK

    with LOCK:
        try:
            pdf = pdfium.PdfDocument(str(source.path) if source.path else source.read_all(256 * 1024 * 1024, "a PDF"))
        except Exception as error:  # PdfiumError, or a too-large PDF read back from triage
            return "", {"note": f"no searchable text: the PDF could not be opened ({error})"}
        try:
            pages = len(pdf)
            chunks: list[str] = []
            total = 0
            for index in range(min(pages, MAX_PDF_PAGES)):
                page = pdf[index]
                textpage = page.get_textpage()
                chunk = textpage.get_text_bounded()
                textpage.close()
                page.close()
                chunks.append(chunk)
                total += len(chunk)
                if total > MAX_TEXT_CHARS:
                    break
        finally:
            pdf.close()
    return "\n".join(chunks)[:MAX_TEXT_CHARS].replace("\x00", ""), {"pages": pages}


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return False
    return True


def _plain_text(source: Source) -> str:
    with source.opener() as stream:
        data = stream.read(MAX_TEXT_CHARS)
    for encoding in ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace").replace("\x00", "")
