"""The chronology as a spreadsheet (CSV and XLSX), for a lawyer's chronology tool.

One row per entry, oldest first: the time in the business time zone (the vault's
``display_timezone``; this computer's zone when unset) with the entry's own offset
beside it when it differs, the kind and where the information comes from, the
exhibits and the Bates pin cites of the entry and of each exhibit.

The source is derived from the kind, and for emails from who sent it:
    call                                   phone call
    email, sent by one of the client's     email received
      addresses (else, sent to one)        email sent
    message                                messages exchanged
    statement                              statement of a third party
    document; any entry whose files came   document received
      by email / IMAP
    letter_sent, invoice, agreement,       own record
      payment
    note, meeting, incident, complaint,    own observation
      legal_threat, photo
"""

from __future__ import annotations

import csv
import io
import re
from email.utils import getaddresses
from typing import Any

from app.dossier.layout import Layout
from app.dossier.loadfile import Document, business_zone, email_headers, in_business_zone, zone_label
from app.records.contemporaneity import lag
from app.records.models import ENTRY_KINDS, Entry

CSV_NAME, XLSX_NAME = "chronology.csv", "chronology.xlsx"
COLUMNS = (
    "date", "time", "zone", "own offset", "kind", "source", "title", "participants", "exhibits",
    "exhibit Bates", "pin cite", "revision", "recorded", "written later", "entry id",
)  # fmt: skip

_OWN_RECORDS = {"letter_sent", "invoice", "agreement", "payment"}
_RECEIVED_SOURCES = {"email", "imap"}


def source_of(layout: Layout, entry: Entry) -> str:
    kind = entry.kind
    if kind == "call":
        return "phone call"
    if kind == "email":
        return _email_direction(layout, entry)
    if kind == "message":
        return "messages exchanged"
    if kind == "statement":
        return "statement of a third party"
    exhibits = [ex for ex in layout.exhibits if ex.entry.id == entry.id]
    if kind == "document" or any(ex.attachment.source in _RECEIVED_SOURCES for ex in exhibits):
        return "document received"
    if kind in _OWN_RECORDS:
        return "own record"
    return "own observation"


def _email_direction(layout: Layout, entry: Entry) -> str:
    client = {a.lower() for a in layout.selection.client.emails}
    from app.dossier.loadfile import _email_exhibit_of

    ex = _email_exhibit_of(layout, entry)
    if ex is not None and client:
        heads = email_headers(layout, ex)
        senders = {a.lower() for _n, a in getaddresses([heads["From"]])}
        if senders & client:
            return "email received"
        recipients = {a.lower() for _n, a in getaddresses([heads["To"], heads["Cc"]])}
        if recipients & client:
            return "email sent"
    return "email received"


def rows(layout: Layout, docs: list[Document]) -> list[list[Any]]:
    zone = business_zone(layout)
    entry_docs = {d.entry.id: d for d in docs if d.doctype == "entry" and d.entry is not None}
    out: list[list[Any]] = []
    for chosen in layout.selection.entries:
        entry = chosen.entry
        local = in_business_zone(entry.occurred_at, zone)
        own = entry.occurred_at.strftime("%z")
        own_text = f"UTC{own[:3]}:{own[3:]}" if own else ""
        exhibits = [ex for ex in layout.exhibits if ex.entry.id == entry.id]
        doc = entry_docs.get(entry.id)
        pin = (doc.begbates if doc.pages == 1 else f"{doc.begbates} – {doc.endbates}") if doc else ""
        delay = lag(entry.occurred_at, entry.recorded_at, late_days=layout.selection.late_days)
        title = entry.title + (" (retracted)" if entry.retraction else "")
        out.append(
            [
                f"{local:%Y-%m-%d}",
                f"{local:%H:%M}",
                zone_label(local),
                own_text if local.utcoffset() != entry.occurred_at.utcoffset() else "",
                ENTRY_KINDS.get(entry.kind, entry.kind),
                source_of(layout, entry),
                ("PRIVILEGED · " if entry.fields.private else "") + title,
                ", ".join(entry.fields.participants),
                ", ".join(str(ex.number) for ex in exhibits),
                "; ".join(f"Ex. {ex.number}: {ex.bates_first}" for ex in exhibits),
                pin,
                f"rev. {entry.rev}" if entry.rev > 1 else "",
                f"{in_business_zone(entry.recorded_at, zone):%Y-%m-%d %H:%M}",
                delay.describe(mark_late=False) if delay.is_late else "",
                entry.id,
            ]
        )
    return out


def chronology_csv(table: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(table)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


def chronology_xlsx(table: list[list[Any]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    # in_memory: no temporary files (XlsxWriter, like openpyxl, otherwise assembles the parts in
    # the temp folder: the chronology in the clear outside the vault). The table is in memory
    # already. Text is always text: a title beginning with '=' is never a formula, nor "http…" a
    # link, nor "1e5" a number.
    book = xlsxwriter.Workbook(
        out,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    sheet = book.add_worksheet("Chronology")
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    widths = (11, 7, 26, 11, 12, 22, 50, 30, 10, 30, 28, 8, 17, 22, 8)
    for i, width in enumerate(widths):
        sheet.set_column(i, i, width, wrap)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, COLUMNS, book.add_format({"bold": True}))
    for r, row in enumerate(table, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, _safe_cell(value), wrap)
            else:
                sheet.write(r, c, value, wrap)  # the entry id; None stays an empty cell
    book.close()
    return out.getvalue()


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in the XML of a cell


def _safe_cell(text: str) -> str:
    """No control characters XML refuses, and within Excel's 32 767 characters per cell."""
    return _ILLEGAL.sub(" ", text)[:32_000]
