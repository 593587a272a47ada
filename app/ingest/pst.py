"""Outlook archives (.pst, .ost) read with libpff-python (``pypff``), one message at a time.

A PST does not keep the message as it arrived: it keeps MAPI properties (subject, bodies,
attachments, times) and, for received and sent mail, the transport headers. Each message is
re-assembled as an RFC 822 .eml: the transport headers as they are (less the MIME headers
that described the original body's structure), then the bodies and attachments from the
archive. Without transport headers the headers are made from the MAPI properties, and the
provenance says so (``collected.headers``). Memory: one message at a time (libpff reads the
archive on demand), so a 2 GB archive imports with flat memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from app.errors import UnsupportedFile
from app.ingest.archive_import import ArchiveMessage
from app.ingest.parsed import Source

PST_MAGIC = b"!BDN"
_MIME_HEADERS = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition"}
_PR_ATTACH_MIME_TAG = 0x370E
_PR_ATTACH_FILENAME = 0x3704


def is_pst(head: bytes) -> bool:
    return head.startswith(PST_MAGIC)


def pst_messages(source: Source) -> Iterator[ArchiveMessage]:
    import pypff

    if source.path is None:
        raise UnsupportedFile(f"{source.name}: an Outlook archive is read from a file on disk.")
    archive = pypff.file()
    try:
        archive.open(str(source.path))
    except OSError as error:
        raise UnsupportedFile(f"{source.name}: is not a readable Outlook archive ({error}).") from None
    try:
        index = 0
        stack: list[tuple[Any, str]] = [(archive.get_root_folder(), "")]
        while stack:  # folders depth-first, without recursion (a hostile archive can nest deeply)
            folder, path = stack.pop()
            for i in reversed(range(folder.number_of_sub_folders)):
                sub = folder.get_sub_folder(i)
                stack.append((sub, f"{path}/{sub.name or '(unnamed)'}".lstrip("/")))
            for i in range(folder.number_of_sub_messages):
                index += 1
                try:
                    message = folder.get_sub_message(i)
                    raw, headers = assemble(message)
                    when = _aware(message.delivery_time or message.client_submit_time or message.creation_time)
                except OSError as error:
                    raw, headers, when = _broken(path, error), "unreadable", None
                yield ArchiveMessage(
                    raw=raw,
                    name=f"{re.sub(r'[^A-Za-z0-9._-]+', '_', path)[-60:]}-{index:05d}.eml",
                    fallback_time=when or source.mtime,
                    collected={"via": "pst", "archive": source.name, "folder": path, "headers": headers},
                    position=index,
                )
    finally:
        archive.close()


def _aware(moment: datetime | None) -> datetime | None:
    # libpff gives FILETIMEs as naive datetimes in UTC.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _broken(path: str, error: OSError) -> bytes:
    return f"X-Casefile-Note: a message in folder {path} could not be read from the archive ({error})\n\n".encode()


def _header_fields(text: str) -> list[str]:
    fields: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if fields:
                break
            continue
        if line[0] in " \t" and fields:
            fields[-1] += "\n" + line
        elif ":" in line:
            fields.append(line)
    return fields


def assemble(message: Any) -> tuple[bytes, str]:
    """(the message as .eml bytes, where its headers came from)."""
    body = EmailMessage()
    plain = _text(message.plain_text_body)
    html = _text(message.html_body)
    if plain:
        body.set_content(plain)
        if html:
            body.add_alternative(html, subtype="html")
    elif html:
        body.set_content(html, subtype="html")
    else:
        body.set_content("")
    for i in range(message.number_of_attachments):
        attachment = message.get_attachment(i)
        size = attachment.size or 0
        data = attachment.read_buffer(size) if size else b""
        media_type = _property(attachment, _PR_ATTACH_MIME_TAG) or "application/octet-stream"
        maintype, _, subtype = media_type.partition("/")
        name = _attachment_name(attachment, i)
        body.add_attachment(data, maintype=maintype or "application", subtype=subtype or "octet-stream", filename=name)
    transport = message.transport_headers or ""
    fields = [f for f in _header_fields(transport) if f.split(":", 1)[0].strip().lower() not in _MIME_HEADERS]
    if fields:
        origin = "transport headers"
    else:
        origin = "made from MAPI properties (no transport headers in the archive)"
        fields = _mapi_headers(message)
    head = "\n".join(fields).encode("utf-8", "surrogateescape") + b"\n"
    return head + body.as_bytes(), origin


def _mapi_headers(message: Any) -> list[str]:
    made = [f"From: {' '.join((message.sender_name or '').split()) or '(unknown sender)'}"]
    if message.subject:
        made.append(f"Subject: {' '.join(message.subject.split())}")
    moment = _aware(message.client_submit_time or message.delivery_time)
    if moment is not None:
        made.append(f"Date: {format_datetime(moment)}")
    made.append("X-Casefile-Headers: made from the archive's MAPI properties")
    return made


def _text(value: bytes | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value
    for encoding in ("utf-8", "cp1252"):
        try:
            return value.decode(encoding).rstrip("\x00")
        except UnicodeDecodeError:
            continue
    return value.decode("latin-1")


def _property(item: Any, tag: int) -> str:
    try:
        for r in range(item.number_of_record_sets):
            record_set = item.get_record_set(r)
            for e in range(record_set.number_of_entries):
                entry = record_set.get_entry(e)
                if entry.entry_type == tag and entry.data:
                    return str(entry.data.decode("utf-16-le" if entry.value_type == 0x1F else "cp1252").rstrip("\x00"))
    except (OSError, UnicodeDecodeError):
        pass
    return ""


def _attachment_name(attachment: Any, index: int) -> str:
    try:
        name = attachment.long_filename
    except OSError:
        name = None
    return name or _property(attachment, _PR_ATTACH_FILENAME) or f"attachment-{index + 1}"
