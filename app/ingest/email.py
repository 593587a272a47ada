"""Email: .eml files and .mbox mailboxes, read with the standard library.

Each message becomes an email entry: the sender, recipients and subject in the
fields, a readable body (text/plain preferred; HTML turned into text without
loading anything), the original message kept as the first attachment (its
metadata holds Message-ID, In-Reply-To and References, so a thread can be put
together) and every MIME attachment stored beside it.

The MIME tree is walked iteratively with a depth and a part limit: a hostile
message nested ten thousand levels deep is refused with a reason rather than
crashing the process with a recursion error.
"""

from __future__ import annotations

import mimetypes
import re
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from app.errors import UnsupportedFile
from app.ingest.htmltext import html_to_text
from app.ingest.parsed import ParsedItem, Part, Source, clean_title
from app.records.models import EntryFields
from app.records.times import in_range

MAX_MESSAGE_BYTES = 200 * 1024 * 1024
MAX_MBOX_BYTES = 512 * 1024 * 1024
MAX_PARSED_EML_BYTES = 32 * 1024 * 1024  # budget: peak memory stays under ~300 MB
MAX_DEPTH = 40
MAX_PARTS = 2000
MAX_BODY_CHARS = 2_000_000


def parse_eml(source: Source) -> list[ParsedItem]:
    if source.size > MAX_PARSED_EML_BYTES:
        # The stdlib parser needs ~10x the message in memory (150 MB of NULs: 1.6 GB).
        raise UnsupportedFile(
            f"{source.name}: an email of {source.size // 2**20} MB is over the {MAX_PARSED_EML_BYTES // 2**20} MB"
            " Casefile parses; its headers and body are not extracted."
        )
    data = source.read_all(MAX_MESSAGE_BYTES, "an email")
    return [message_item(data, source.name, source.mtime, original=Part(name=source.name, source=source))]


def parse_mbox(source: Source) -> list[ParsedItem]:
    """Every message in a mailbox file; each keeps its own bytes as an .eml."""
    # Held in memory whole (one transaction per file); a larger export can be split first.
    data = source.read_all(MAX_MBOX_BYTES, "a mailbox")
    items: list[ParsedItem] = []
    for index, raw in enumerate(_split_mbox(data), start=1):
        stem = source.name.rsplit(".", 1)[0]
        items.append(message_item(raw, f"{stem}-{index:04d}.eml", source.mtime))
    if not items:
        raise UnsupportedFile(f"{source.name}: holds no messages (an mbox starts each one with a 'From ' line).")
    return items


def _split_mbox(data: bytes) -> list[bytes]:
    # The mbox 'From ' separator is only recognised at the start of a line; a body
    # line that starts with "From " is escaped (">From ") by every mbox writer.
    chunks = re.split(rb"(?m)^From [^\n]*\n", data)
    messages = [chunk.replace(b"\n>From ", b"\nFrom ") for chunk in chunks if chunk.strip()]
    return messages if data.startswith(b"From ") else []


# Header budgets, checked on the raw bytes before the stdlib parser (whose address
# and encoded-word handling is super-linear: 16 000 encoded words took 2 GB).
MAX_HEADER_BYTES = 1024 * 1024
MAX_HEADER_FIELDS = 2000
MAX_ENCODED_WORDS = 2000
MAX_ADDRESSES = 5000


def header_budget_problem(data: bytes) -> str | None:
    """Why the top-level header block is beyond what Casefile parses, or None. Linear."""
    match = re.search(rb"\r?\n\r?\n", data[: MAX_HEADER_BYTES + 4])
    if match is None and len(data) > MAX_HEADER_BYTES:
        return f"its header is over {MAX_HEADER_BYTES // 1024} KB (or never ends)"
    header = data[: match.start()] if match else data
    fields = len(re.findall(rb"(?m)^[^ \t\r\n]", header))
    if fields > MAX_HEADER_FIELDS:
        return f"it has {fields:,} header fields (at most {MAX_HEADER_FIELDS:,})"
    words = header.count(b"=?")
    if words > MAX_ENCODED_WORDS:
        return f"its header holds {words:,} encoded words (at most {MAX_ENCODED_WORDS:,})"
    addresses = header.count(b"@")
    if addresses > MAX_ADDRESSES:
        return f"its header holds about {addresses:,} addresses (at most {MAX_ADDRESSES:,})"
    return None


# A multipart's boundary declaration, and a line that may be a delimiter ("--X", "--X--").
_MIME_MARKS = re.compile(rb'(?im)boundary[ \t]*=[ \t]*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))|^--([^\r\n]{1,202})$')


def mime_depth_problem(data: bytes) -> str | None:
    """Why the MIME tree is nested beyond MAX_DEPTH, or None; linear, before the stdlib parser.

    The parser checks every line against every open boundary, so its time grows with the
    size times the nesting (10 000 levels of 0.6 MB: 5.5 s). This walks the boundary
    declarations and delimiter lines once, with the open boundaries in a dict: a
    declaration opens a level, a delimiter of an open boundary closes the levels opened
    inside it (and "--X--" that one too). It can only over-count (an unclosed sibling),
    which keeps the message as a plain file, never parses a deeper one.
    """
    if len(re.findall(rb"(?i)boundary[ \t]*=", data)) <= MAX_DEPTH:
        return None  # fewer declarations than levels allowed: nothing to walk
    stack: list[bytes] = []
    where: dict[bytes, int] = {}
    deepest = 0
    for match in _MIME_MARKS.finditer(data):
        declared = match[1] if match[1] is not None else match[2]
        if declared is not None:
            if declared not in where:
                where[declared] = len(stack)
                stack.append(declared)
                deepest = max(deepest, len(stack))
                if deepest > MAX_DEPTH:
                    return f"MIME parts are nested more than {MAX_DEPTH} levels deep"
            continue
        line = match[3].rstrip(b" \t\r")
        closing = line.endswith(b"--") and line[:-2] in where and line not in where
        boundary = line[:-2] if closing else line
        level = where.get(boundary)
        if level is None:
            continue
        keep = level if closing else level + 1  # a part of X starts: what opened inside X ended
        for gone in stack[keep:]:
            del where[gone]
        del stack[keep:]
    return None


def message_item(data: bytes, name: str, fallback_time: datetime, *, original: Part | None = None) -> ParsedItem:
    problem = header_budget_problem(data) or mime_depth_problem(data)
    if problem:
        raise UnsupportedFile(f"{name}: {problem}; not parsed as an email (hostile or damaged).")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
    except RecursionError:
        # The stdlib parser recurses once per nesting level.
        raise UnsupportedFile(f"{name}: MIME parts are nested too deeply to read; refused as hostile.") from None
    assert isinstance(msg, EmailMessage)
    known = ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type")
    if not any(_raw_header(msg, h) for h in known):
        raise UnsupportedFile(f"{name}: is not an email message (no From, To, Subject, Date or MIME header).")
    leaves = _leaves(msg, name)
    notes: list[str] = []
    occurred, date_source = _date(msg, fallback_time)
    if date_source != "Date header":
        notes.append(date_source)
    sender, to, cc = _header(msg, "From"), _header(msg, "To"), _header(msg, "Cc")
    subject = _header(msg, "Subject").strip()
    body_part, body = _body(leaves)
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS] + "\n[… the rest of this body is in the original message]"
    header_block = "\n".join(f"{k}: {v}" for k, v in (("From", sender), ("To", to), ("Cc", cc)) if v)
    metadata: dict[str, Any] = {
        "message_id": _header(msg, "Message-ID").strip() or None,
        "in_reply_to": _header(msg, "In-Reply-To").strip() or None,
        "references": re.findall(r"<[^<>\s]+>", _header(msg, "References")),
        "from": sender,
        "to": to,
        "cc": cc,
        "subject": subject,
        "date_header": _header(msg, "Date"),
        "date_source": date_source,
    }
    original = original or Part(name=name, data=data)
    original.media_type = "message/rfc822"
    original.metadata = metadata
    parts = [original]
    for index, leaf in enumerate(leaves, start=1):
        if leaf is body_part or _is_alternative_body(leaf):
            continue
        parts.append(_attachment(leaf, index))
    fields = EntryFields(
        kind="email",
        occurred_at=occurred,
        title=clean_title(subject, "(no subject)"),
        body=f"{header_block}\n\n{body}".strip() if header_block else body,
        participants=tuple(_addresses(msg)),
    )
    return ParsedItem(fields=fields, parts=parts, notes=notes)


def _leaves(msg: Message, name: str) -> list[Message]:
    """The non-multipart parts in order, without recursion; refuses absurd trees."""
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    count = 0
    while stack:
        part, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise UnsupportedFile(
                f"{name}: MIME parts are nested more than {MAX_DEPTH} levels deep; refused as hostile."
            )
        if count > MAX_PARTS:
            raise UnsupportedFile(f"{name}: has more than {MAX_PARTS} MIME parts; refused as hostile.")
        # An attached message (message/rfc822) is one attachment, not more body parts.
        nested = part.is_multipart() and part.get_content_maintype() == "multipart"
        payload = part.get_payload() if nested else None
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in reversed(payload) if isinstance(child, Message))
        else:
            leaves.append(part)
    return leaves


def _header(msg: Message, name: str) -> str:
    raw = _raw_header(msg, name)
    if raw is not None and _has_raw_bytes(raw):
        # Unencoded 8-bit header (old mailers): the parser kept the bytes as
        # surrogates; decode them as the message's charset would, not as U+FFFD.
        return " ".join(_decode_words(_decode_raw(raw, _charset_hint(msg))).split())
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, AttributeError):
        value = raw  # a header the modern parser cannot make sense of: keep its text
    text = "" if value is None else " ".join(str(value).split())
    if _charset_hint(msg) == "utf-7" and "+" in text:
        text = _decode_raw(text, "utf-7")
    return text


def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _has_raw_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _charset_hint(msg: Message) -> str:
    for part in (msg, *(_first_leaf(msg),)):
        charset = part.get_content_charset() if part is not None else None
        if charset:
            return charset.lower()
    return "utf-8"


def _first_leaf(msg: Message) -> Message | None:
    part: Message = msg
    for _ in range(MAX_DEPTH):
        payload = part.get_payload() if part.is_multipart() else None
        if not isinstance(payload, list) or not payload or not isinstance(payload[0], Message):
            return part
        part = payload[0]
    return None


def _decode_words(text: str) -> str:
    """RFC 2047 encoded words (=?iso-8859-1?Q?...?=) left in a header decoded by hand."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return text


def _decode_raw(text: str, charset: str) -> str:
    data = text.encode("ascii", "surrogateescape")
    for candidate in (charset, "utf-8"):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def _addresses(msg: Message) -> list[str]:
    found: list[str] = []
    for header in ("From", "To", "Cc"):
        text = _header(msg, header)
        if not text:
            continue
        for display, address in getaddresses([text]):
            label = f"{display} <{address}>" if display and address else (address or display)
            if label and label not in found:
                found.append(label)
    return found


def _date(msg: Message, fallback: datetime) -> tuple[datetime, str]:
    raw = _header(msg, "Date")
    if not raw:
        return fallback, "no Date header; the file's time was used"
    try:
        moment = parsedate_to_datetime(raw)
    except (ValueError, TypeError, IndexError, OverflowError):
        return fallback, f"unreadable Date header {raw[:80]!r}; the file's time was used"
    how = "Date header"
    if moment.tzinfo is None:
        # RFC 5322 '-0000': the time is UTC and the sender's zone is unknown.
        moment, how = moment.replace(tzinfo=UTC), "Date header without a time zone; read as UTC"
    if not in_range(moment):
        return fallback, f"Date header {raw[:80]!r} is out of range; the file's time was used"
    return moment, how


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        # Mislabelled or unknown charsets are common; cp1252 decodes any byte.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or (bool(_filename(part)) and disposition != "inline")


def _body(leaves: list[Message]) -> tuple[Message | None, str]:
    for wanted in ("text/plain", "text/html"):
        for part in leaves:
            if part.get_content_type() == wanted and not _is_attachment(part):
                text = _text_of(part)
                return part, html_to_text(text) if wanted == "text/html" else text.strip()
    return None, ""


def _is_alternative_body(part: Message) -> bool:
    """Other renderings of the body (HTML beside plain, text/enriched): the original keeps them."""
    return part.get_content_maintype() == "text" and not _is_attachment(part) and not _filename(part)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, TypeError, LookupError):
        return ""
    if "\ufffd" in name or _has_raw_bytes(name):
        raw = part.get_param("filename", header="content-disposition") or part.get_param("name") or ""
        if isinstance(raw, str) and _has_raw_bytes(raw):
            return _decode_raw(raw, _charset_hint(part))
    return name


def _attachment(part: Message, index: int) -> Part:
    media_type = part.get_content_type()
    if media_type == "message/rfc822":
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        data = inner_msg.as_bytes(policy=policy.default) if isinstance(inner_msg, Message) else b""
        default_name = f"attached-message-{index}.eml"
    else:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        default_name = f"part-{index}{mimetypes.guess_extension(media_type) or ''}"
    return Part(
        name=_filename(part) or default_name,
        data=data,
        media_type=media_type,
        metadata={"mime_part": index},
        attachment_source="email",
    )
