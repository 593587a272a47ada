"""Outlook .msg files (extract-msg): the same entry an .eml gives.

extract-msg reads the OLE compound file; when the message carries its transport
headers (most received mail does) the thread headers come from there.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from app.errors import UnsupportedFile
from app.ingest.email import MAX_BODY_CHARS, MAX_MESSAGE_BYTES
from app.ingest.htmltext import html_to_text
from app.ingest.parsed import ParsedItem, Part, Source, clean_title
from app.records.models import EntryFields

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse_msg(source: Source) -> list[ParsedItem]:
    import extract_msg

    data = source.read_all(MAX_MESSAGE_BYTES, "an Outlook message")
    if not data.startswith(OLE_MAGIC):
        raise UnsupportedFile(f"{source.name}: is not an Outlook message (.msg files are OLE compound files).")
    try:
        msg = extract_msg.openMsg(data, strict=False)
    except Exception as error:  # extract-msg raises many kinds for damaged files
        raise UnsupportedFile(f"{source.name}: is a damaged Outlook message ({type(error).__name__}).") from None
    try:
        return [_item(msg, source)]
    finally:
        msg.close()


def _header_date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return None
    return moment if moment.tzinfo else None


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


def _item(msg: Any, source: Source) -> ParsedItem:
    header = getattr(msg, "header", None)

    def from_header(name: str) -> str:
        return _text(header.get(name)) if header is not None else ""

    sender, to, cc = _text(msg.sender), _text(msg.to), _text(msg.cc)
    subject = _text(msg.subject)
    notes: list[str] = []
    # The transport Date header keeps the sender's own offset; msg.date is UTC.
    occurred = _header_date(from_header("Date"))
    date_source = "Date header"
    if occurred is None and isinstance(msg.date, datetime) and msg.date.tzinfo:
        occurred, date_source = msg.date, "message sent date (UTC)"
    if occurred is None:
        occurred = source.mtime
        date_source = "no readable sent date; the file's time was used"
        notes.append(date_source)
    body = msg.body or ""
    if not body.strip() and msg.htmlBody:
        html = msg.htmlBody.decode("utf-8", errors="replace") if isinstance(msg.htmlBody, bytes) else str(msg.htmlBody)
        body = html_to_text(html)
    body = body.replace("\r\n", "\n").strip()[:MAX_BODY_CHARS]
    metadata: dict[str, Any] = {
        "message_id": _text(msg.messageId) or from_header("Message-ID") or None,
        "in_reply_to": from_header("In-Reply-To") or None,
        "references": re.findall(r"<[^<>\s]+>", from_header("References")),
        "from": sender,
        "to": to,
        "cc": cc,
        "subject": subject,
        "date_header": from_header("Date"),
        "date_source": date_source,
    }
    parts = [Part(name=source.name, source=source, media_type="application/vnd.ms-outlook", metadata=metadata)]
    for index, att in enumerate(msg.attachments, start=1):
        data = att.data
        if isinstance(data, bytes | bytearray):
            name = att.longFilename or att.shortFilename or f"attachment-{index}"
            parts.append(
                Part(
                    name=str(name),
                    data=bytes(data),
                    media_type=getattr(att, "mimetype", None) or None,
                    metadata={"msg_attachment": index},
                    attachment_source="email",
                )
            )
        else:
            notes.append(f"attachment {index} is an embedded item kept inside the original only")
    header_block = "\n".join(f"{k}: {v}" for k, v in (("From", sender), ("To", to), ("Cc", cc)) if v)
    participants = tuple(dict.fromkeys(p for p in (sender, *re.split(r"[;,]\s*", to), cc) if p.strip()))
    fields = EntryFields(
        kind="email",
        occurred_at=occurred,
        title=clean_title(subject, "(no subject)"),
        body=f"{header_block}\n\n{body}".strip(),
        participants=participants,
    )
    return ParsedItem(fields=fields, parts=parts, notes=notes)
