"""The production load files: every produced page belongs to exactly one document.

Documents, in page order, cover the PDF without gaps or overlaps:
    the front matter (cover, contents, summary, chronology)   DOCTYPE report
    each entry in full (each starts on its own page)          DOCTYPE entry
    the exhibit index                                         DOCTYPE report
    each exhibit                                              email / attachment / photo / pdf / native
    the privilege log, declaration and integrity appendix     DOCTYPE report

Families follow e-discovery practice for an email: the rendered .eml is the parent,
the files that came attached to it (``mime_part`` in their metadata) are its
children; BEGATTACH/ENDATTACH span the family, PARENT_BATES / ATTACHMENT_BATES
point both ways. A document outside a family spans only itself.

From them: ``loadfile.dat`` (Concordance, same conventions as before: þ quotes,
ASCII 20 delimiter, UTF-8 with BOM, CRLF), ``loadfile.opt`` (Opticon, one line per
page, pointing at the per-document PDF under ``documents/``), one PDF per document
split from the final PDF with pikepdf (pages copied, nothing laid out again) and one
UTF-8 text file per document under ``text/``.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from app.dossier.exhibits import Exhibit
from app.dossier.layout import Layout
from app.records.models import ENTRY_KINDS, Entry

DAT_NAME, OPT_NAME = "loadfile.dat", "loadfile.opt"
DAT_QUOTE, DAT_DELIM = "þ", "\x14"
DAT_FIELDS = (
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PARENT_BATES", "ATTACHMENT_BATES", "CUSTODIAN",
    "DOCTYPE", "DATE", "TIME", "TIMEZONE", "FROM", "TO", "CC", "BCC", "SUBJECT", "FILENAME", "FILEEXT",
    "FILESIZE", "PAGECOUNT", "MD5HASH", "SHA256HASH", "NATIVEPATH", "TEXTPATH", "CONFIDENTIALITY",
    "DESCRIPTION", "ENTRY_BATES", "DKIM",
)  # fmt: skip
MAX_HEADER_BYTES = 1024 * 1024  # an email's header block is read up to this much, never the whole file
MAX_TEXT_CHARS = 2_000_000  # per text file


@dataclass
class Document:
    """One produced document: a page range of the dossier and what it is."""

    doctype: str  # report | entry | email | attachment | photo | pdf | native
    first_page: int
    last_page: int = 0
    title: str = ""  # for the generated reports
    entry: Entry | None = None
    exhibit: Exhibit | None = None
    parent: Document | None = None
    children: list[Document] = field(default_factory=list)
    begbates: str = ""
    endbates: str = ""

    @property
    def pages(self) -> int:
        return self.last_page - self.first_page + 1

    @property
    def file_key(self) -> str:
        """The name of its PDF and text file: its first Bates number, safe on every system."""
        return re.sub(r"[^A-Za-z0-9._-]+", "_", self.begbates).strip(".") or f"page-{self.first_page}"

    @property
    def pdf_path(self) -> str:
        return f"documents/{self.file_key}.pdf"

    @property
    def text_path(self) -> str:
        return f"text/{self.file_key}.txt"


_EXHIBIT_DOCTYPES = {"email": "email", "image": "photo", "pdf": "pdf", "native": "native"}
_FRONT = "Front matter: cover, contents, summary and chronology (summaries prepared for this production)"
_INDEX = "Exhibit index (a summary prepared for this production)"
_BACK = "Privilege log, records declaration (template) and integrity appendix"


def documents(layout: Layout) -> list[Document]:
    """Every document in page order; together they cover pages 1 … total exactly once."""
    docs: list[Document] = [Document("report", 1, title=_FRONT)]
    entries = layout.selection.entries
    for index, chosen in enumerate(entries):
        key = "sec:entries" if index == 0 else f"entry:{chosen.entry.id}"  # the section heading goes with entry 1
        docs.append(
            Document("entry", layout.page_of(key) or layout.page_of(f"entry:{chosen.entry.id}"), entry=chosen.entry)
        )
    if not entries and layout.page_of("sec:entries"):
        docs.append(Document("report", layout.page_of("sec:entries"), title="Entries in full (none chosen)"))
    if layout.page_of("sec:exhibits"):
        docs.append(Document("report", layout.page_of("sec:exhibits"), title=_INDEX))
    by_exhibit: dict[int, Document] = {}
    for ex in layout.exhibits:
        doc = Document(_EXHIBIT_DOCTYPES.get(ex.category, "native"), ex.first_page, entry=ex.entry, exhibit=ex)
        by_exhibit[ex.number] = doc
        docs.append(doc)
    back = [p for p in (layout.page_of("sec:privilege"), layout.page_of("sec:declaration")) if p]
    if back:
        docs.append(Document("report", min(back), title=_BACK))
    docs.sort(key=lambda d: d.first_page)
    for doc, nxt in zip(docs, [*docs[1:], None], strict=True):
        doc.last_page = (nxt.first_page - 1) if nxt is not None else layout.total_pages
        if doc.last_page < doc.first_page:
            raise RuntimeError(f"Two documents of the dossier begin on page {doc.first_page}; please report this.")
        doc.begbates, doc.endbates = layout.bates(doc.first_page), layout.bates(doc.last_page)
    _families(layout, by_exhibit)
    return docs


def _families(layout: Layout, by_exhibit: dict[int, Document]) -> None:
    """An email exhibit and the files that came attached to it (the same entry's
    exhibits with a MIME part number) form a family."""
    for ex in layout.exhibits:
        if ex.category != "email" or "mime_part" in ex.attachment.metadata:
            continue
        parent = by_exhibit[ex.number]
        for other in layout.exhibits:
            if other.entry.id == ex.entry.id and "mime_part" in other.attachment.metadata:
                child = by_exhibit[other.number]
                if child.parent is None:
                    child.parent = parent
                    child.doctype = "attachment"
                    parent.children.append(child)


def family_range(doc: Document) -> tuple[str, str]:
    head = doc.parent or doc
    members = [head, *head.children]
    first = min(members, key=lambda d: d.first_page)
    last = max(members, key=lambda d: d.last_page)
    return first.begbates, last.endbates


def business_zone(layout: Layout) -> tzinfo | None:
    return layout.vault.settings.display_zone()


def in_business_zone(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def zone_label(moment: datetime) -> str:
    """'America/New_York (UTC-05:00)' or 'UTC+01:00' for a fixed offset."""
    offset = moment.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = getattr(moment.tzinfo, "key", "")
    return f"{name} ({utc})" if name else utc


def _header_block(layout: Layout, sha256: str) -> bytes:
    """An email's header block, read chunk by chunk up to the blank line."""
    data = b""
    for chunk in layout.vault.attachments.iter_bytes(sha256):
        data += chunk
        end = min((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0), default=-1)
        if end >= 0:
            return data[: end + 2]
        if len(data) > MAX_HEADER_BYTES:
            break
    return data[:MAX_HEADER_BYTES]


def email_headers(layout: Layout, ex: Exhibit) -> dict[str, str]:
    key = f"loadfile-headers:{ex.attachment.sha256}"
    if key not in layout.cache:
        from email import policy
        from email.parser import BytesHeaderParser

        msg = BytesHeaderParser(policy=policy.default).parsebytes(_header_block(layout, ex.attachment.sha256))
        values: dict[str, str] = {}
        for name in ("From", "To", "Cc", "Bcc", "Subject", "Date"):
            try:
                value = msg.get(name)
            except (ValueError, TypeError, LookupError, IndexError):
                value = None
            values[name] = " ".join(str(value).split()) if value is not None else ""
        layout.cache[key] = values
    return layout.cache[key]  # type: ignore[no-any-return]


def _email_exhibit_of(layout: Layout, entry: Entry) -> Exhibit | None:
    for ex in layout.exhibits:
        if ex.entry.id == entry.id and ex.category == "email" and "mime_part" not in ex.attachment.metadata:
            return ex
    return None


@dataclass(frozen=True)
class Hashes:
    md5: str
    sha256: str


def dat_rows(
    layout: Layout, docs: list[Document], natives: dict[str, Hashes], pdfs: dict[str, Hashes]
) -> Iterator[list[str]]:
    """One row per document, in the order of DAT_FIELDS. The hashes are the native
    file's where there is one, else those of the document's PDF under documents/."""
    from app.dossier.bundle import dkim_field

    sel = layout.selection
    custodian = sel.owner_name or sel.business_name or "Casefile"
    zone = business_zone(layout)
    entry_docs = {d.entry.id: d for d in docs if d.doctype == "entry" and d.entry is not None}
    for doc in docs:
        ex, entry = doc.exhibit, doc.entry
        moment = in_business_zone(entry.occurred_at if entry is not None else layout.prepared_at, zone)
        heads = {"From": "", "To": "", "Cc": "", "Bcc": "", "Subject": ""}
        email_ex = ex if ex is not None and doc.doctype == "email" else None
        if email_ex is None and doc.doctype == "entry" and entry is not None and entry.kind == "email":
            email_ex = _email_exhibit_of(layout, entry)
        if email_ex is not None:
            heads.update({k: v for k, v in email_headers(layout, email_ex).items() if k in heads})
        if not heads["Subject"] and entry is not None and doc.doctype == "entry":
            heads["Subject"] = entry.title
        name = ex.attachment.name if ex is not None else ""
        hashes = natives.get(ex.native_path) if ex is not None else None
        hashes = hashes or pdfs[doc.pdf_path]
        beg_attach, end_attach = family_range(doc)
        legend = layout.legend
        if entry is not None and entry.fields.private:
            legend = " · ".join(x for x in ("PRIVILEGED", legend) if x)
        owner_doc = entry_docs.get(entry.id) if entry is not None else None
        yield [
            doc.begbates,
            doc.endbates,
            beg_attach,
            end_attach,
            doc.parent.begbates if doc.parent else "",
            ";".join(c.begbates for c in doc.children),
            custodian,
            doc.doctype,
            f"{moment:%m/%d/%Y}",
            f"{moment:%H:%M:%S}",
            zone_label(moment),
            heads["From"],
            heads["To"],
            heads["Cc"],
            heads["Bcc"],
            heads["Subject"],
            name,
            name.rpartition(".")[2].lower() if "." in name.strip(".") else "",
            str(ex.attachment.size) if ex is not None else "",
            str(doc.pages),
            hashes.md5,
            hashes.sha256,
            ex.native_path if ex is not None else "",
            doc.text_path,
            legend,
            describe(layout, doc),
            owner_doc.begbates if owner_doc is not None and owner_doc is not doc else "",
            dkim_field(ex.attachment.metadata) if ex is not None else "",
        ]


def describe(layout: Layout, doc: Document) -> str:
    if doc.exhibit is not None:
        return doc.exhibit.description
    if doc.entry is not None:
        kind = ENTRY_KINDS.get(doc.entry.kind, doc.entry.kind).lower()
        return f"Entry #{doc.entry.id} (revision {doc.entry.rev}): {doc.entry.occurred_at:%Y-%m-%d} {kind}, {doc.entry.title}"
    return doc.title


def concordance_dat(rows: Iterator[list[str]]) -> bytes:
    def line(values: list[str] | tuple[str, ...]) -> str:
        # No quote character inside a value, and no line break: one document, one line.
        return DAT_DELIM.join(
            f"{DAT_QUOTE}{' '.join(v.replace(DAT_QUOTE, '').replace(DAT_DELIM, ' ').splitlines())}{DAT_QUOTE}"
            for v in values
        )

    lines = [line(DAT_FIELDS), *(line(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def opticon(layout: Layout, docs: list[Document]) -> bytes:
    """ImageKey,Volume,ImagePath,DocBreak,Folder,Box,Pages: one line per page; the
    image is the document's PDF (the reviewer's tool opens it at that page)."""
    volume = layout.production.number if layout.production is not None else "VOL001"
    out: list[str] = []
    for doc in docs:
        path = doc.pdf_path.replace("/", "\\")
        for page in range(doc.first_page, doc.last_page + 1):
            first = page == doc.first_page
            out.append(f"{layout.bates(page)},{volume},{path},{'Y' if first else ''},,,{doc.pages if first else ''}")
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def page_ranges(docs: list[Document]) -> list[tuple[str, int, int]]:
    """(path in the bundle, first page, last page) of each document: what a split needs."""
    return [(doc.pdf_path, doc.first_page, doc.last_page) for doc in docs]


def split_documents(pdf: bytes, ranges: list[tuple[str, int, int]]) -> Iterator[tuple[str, bytes]]:
    """One PDF per document, its pages copied from the final PDF; made one at a time."""
    import warnings

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as whole, warnings.catch_warnings():
        # The links into other documents and the signature field cannot survive the
        # split (the signature covers the whole PDF only): they are left out below.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for path, first, last in ranges:
            with pikepdf.new() as part:
                part.pages.extend(whole.pages[first - 1 : last])
                for page in part.pages:
                    _keep_web_links(page)
                buf = io.BytesIO()
                part.save(buf, compress_streams=True)
            yield path, buf.getvalue()


def put_documents(
    documents: Iterable[tuple[str, bytes]], put: Callable[[str, bytes, str], None]
) -> dict[str, Hashes]:
    """Each split document into the bundle (``put(path, data, sha256)``), with its hashes for
    the load file."""
    hashes: dict[str, Hashes] = {}
    for path, data in documents:
        hashes[path] = Hashes(hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest())
        put(path, data, hashes[path].sha256)
    return hashes


def _keep_web_links(page: object) -> None:
    import pikepdf

    obj = page.obj  # type: ignore[attr-defined]
    if "/Annots" not in obj:
        return
    kept = [a for a in obj.Annots if a.get("/Subtype") == "/Link" and "/A" in a and a.A.get("/S") == "/URI"]
    if kept:
        obj.Annots = pikepdf.Array(kept)
    else:
        del obj.Annots


def document_text(layout: Layout, doc: Document, pdf_text: Callable[[int, int], str]) -> str:
    """The extracted text: what the entry says, the email's headers and body, a file's
    stored text, or the text layer of the document's pages."""
    ex, entry = doc.exhibit, doc.entry
    if ex is None and entry is not None:
        return entry_text(layout, entry)
    if ex is not None:
        lines = [f"{ex.label} ({doc.begbates} – {doc.endbates}): {ex.description}", f"File: {ex.attachment.name}"]
        if ex.category == "email":
            from app.dossier.exhibit_pages import _email_text

            headers, body, names = _email_text(layout, ex)
            lines += [f"{k}: {v}" for k, v in headers]
            if names:
                lines.append("Attachments: " + ", ".join(str(n) for n in names))
            return "\n".join([*lines, "", body])
        if ex.category == "pdf":
            return "\n".join([*lines, "", pdf_text(doc.first_page, doc.last_page)])
        from app.ingest.ocr import ocr_text

        ocr = (ocr_text(layout.vault, ex.attachment.sha256) or "").strip()
        if ocr:
            lines += ["", "Machine-read text (OCR, may contain errors):", ocr]
        return "\n".join(lines)
    return pdf_text(doc.first_page, doc.last_page)


def entry_text(layout: Layout, entry: Entry) -> str:
    from app.dossier.sections import when_text

    f = entry.fields
    exhibits = [ex for ex in layout.exhibits if ex.entry.id == entry.id]
    lines = [
        f"Entry #{entry.id}, revision {entry.rev}" + (" (PRIVILEGED)" if f.private else ""),
        f"Kind: {ENTRY_KINDS.get(entry.kind, entry.kind)}",
        f"Occurred: {when_text(entry.occurred_at)}" + (f" ({f.occurred_tz})" if f.occurred_tz else ""),
        f"Recorded: {entry.recorded_at.isoformat()}",
        f"Title: {f.title}",
    ]
    if f.participants:
        lines.append("Participants: " + ", ".join(f.participants))
    if f.amount_cents is not None:
        lines.append(f"Amount: {f.amount_cents / 100:.2f} {f.currency or ''}".rstrip())
    if f.tags:
        lines.append("Tags: " + ", ".join(f.tags))
    if exhibits:
        lines.append("Exhibits: " + "; ".join(f"{ex.label} ({ex.bates_first}) {ex.attachment.name}" for ex in exhibits))
    if entry.retraction is not None:
        lines.append(f"RETRACTED {entry.retraction.retracted_at.isoformat()}: {entry.retraction.reason}")
    return "\n".join([*lines, "", f.body])


def write_text_files(layout: Layout, pdf: bytes, docs: list[Document], put: Callable[[str, bytes], None]) -> None:
    import pypdfium2 as pdfium

    from app.pdf_engine import LOCK

    with LOCK:
        document = pdfium.PdfDocument(pdf)
    try:

        def pdf_text(first: int, last: int) -> str:
            texts = []
            with LOCK:  # one document's pages at a time: the files are written outside it
                for index in range(first - 1, last):
                    page = document[index]
                    textpage = page.get_textpage()
                    try:
                        texts.append(textpage.get_text_bounded())
                    finally:
                        textpage.close()
                        page.close()
            return "\f".join(texts)  # a form feed between pages, as pdftotext does

        for doc in docs:
            text = document_text(layout, doc, pdf_text)[:MAX_TEXT_CHARS]
            put(doc.text_path, text.replace("\r\n", "\n").encode("utf-8"))
    finally:
        with LOCK:
            document.close()


def readme_lines() -> str:
    return f"""  documents/     the dossier split into one PDF per document (its pages copied, not redrawn),
                 named by its first Bates number
  text/          the extracted text of every document, UTF-8, same names
  {DAT_NAME}   Concordance load file: þ quotes, ASCII 20 delimiter, UTF-8; one row per
                 document (entries, exhibits and the generated reports), covering every page;
                 families (email and its attachments) in BEGATTACH/ENDATTACH, PARENT_BATES,
                 ATTACHMENT_BATES; MD5HASH/SHA256HASH are the native file's, or the document
                 PDF's where there is no native; times in the business time zone (TIMEZONE)
  {OPT_NAME}   Opticon image cross-reference: one line per page, pointing at documents/
"""
