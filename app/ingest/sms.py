"""SMS Backup & Restore (Android) XML: SMS and MMS, streamed.

The file is fed to the stdlib expat parser in 1 MiB chunks, so a 2 GB backup is read
with flat memory; only the chosen conversation's messages are kept. A DOCTYPE is
refused outright (the app never writes one), so there are no entities to expand and no
external references to follow — what defusedxml would guard against, without the
dependency. The app writes emoji as two surrogate character references
(``&#55357;&#56832;``), which is invalid XML: each pair is rewritten to the one
character it means before the parser sees it; a lone surrogate becomes U+FFFD.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from datetime import UTC, datetime
from typing import Any
from xml.parsers import expat

from app.errors import DamagedFile, UnsupportedFile
from app.ingest.chats import IN, OUT, ChatMessage, ChatOptions, ClientInfo, Conversation, default_zone
from app.ingest.parsed import Part, Source
from app.parting.dns import normalize_name, normalize_phone
from app.words import plural

CHUNK = 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024  # one MMS image or audio clip
_CHAR_REF = re.compile(rb"&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});")
_REF_AT_END = re.compile(rb"&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});$")
_FROM = "137"


def looks_like_sms_backup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return (text.startswith(b"<?xml") and (b"<smses" in head or b"<allsms" in head)) or text.startswith(b"<smses")


def _valid_xml_char(code: int) -> bool:
    return code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def repair_char_refs(chunk: bytes) -> bytes:
    """Surrogate pairs written as two references become one; invalid references U+FFFD."""
    out: list[bytes] = []
    pending_high: int | None = None
    last = 0
    for match in _CHAR_REF.finditer(chunk):
        ref = match.group(1)
        code = int(ref[1:], 16) if ref[:1] in (b"x", b"X") else int(ref)
        start, end = match.span()
        if pending_high is not None and start != last:
            out.append(b"&#65533;")  # a high surrogate not followed by its low half
            pending_high = None
        out.append(chunk[last:start])
        last = end
        if 0xD800 <= code <= 0xDBFF:
            if pending_high is not None:
                out.append(b"&#65533;")
            pending_high = code
            continue
        if 0xDC00 <= code <= 0xDFFF:
            if pending_high is not None:
                combined = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
                out.append(b"&#%d;" % combined)
                pending_high = None
            else:
                out.append(b"&#65533;")
            continue
        if pending_high is not None:
            out.append(b"&#65533;")
            pending_high = None
        out.append(match.group(0) if _valid_xml_char(code) else b"&#65533;")
    if pending_high is not None:
        out.append(b"&#65533;")
    out.append(chunk[last:])
    return b"".join(out)


def _split_safe(buffer: bytes) -> int:
    """Where to cut a chunk so that no character reference (or pair) is split."""
    cut = buffer.rfind(b"&", max(0, len(buffer) - 40))
    if cut == -1:
        return len(buffer)
    before = _REF_AT_END.search(buffer, max(0, cut - 16), cut)
    return before.start() if before else cut  # keep a high surrogate with its low half


def _feed(parser: Any, source: Source) -> None:
    """Stream the file into the expat parser in CHUNK pieces, each cut where no character
    reference is split and repaired (surrogate pairs) before parsing: flat memory."""
    carry = b""
    with source.opener() as stream:
        while chunk := stream.read(CHUNK):
            data = carry + chunk
            cut = _split_safe(data)
            carry = data[cut:]
            parser.Parse(repair_char_refs(data[:cut]), False)
        parser.Parse(repair_char_refs(carry), True)


def _ms(value: str | None) -> datetime | None:
    try:
        ms = int(value or "")
    except ValueError:
        return None
    if ms <= 0:
        return None
    if ms < 10**11:  # seconds, from some older backups
        ms *= 1000
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _null(value: str | None) -> str:
    return "" if value in (None, "null") else str(value)


class _Collector:
    """Expat handlers: keep the chosen conversation's messages, count the others."""

    def __init__(self, wanted: Any, name: str) -> None:
        self.wanted = wanted
        self.name = name
        self.seen: dict[str, list[Any]] = {}  # normalised number -> [label, count]
        self.messages: list[tuple[datetime, str, str, str, list[Part]]] = []
        self.contact = ""
        self.address = ""
        self.mms: dict[str, Any] | None = None
        self.bad_dates = 0
        self.groups_skipped = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "sms":
            self._sms(attrs)
        elif tag == "mms":
            self.mms = {"attrs": attrs, "parts": [], "addrs": []}
        elif tag == "part" and self.mms is not None:
            self.mms["parts"].append(attrs)
        elif tag == "addr" and self.mms is not None:
            self.mms["addrs"].append(attrs)

    def end(self, tag: str) -> None:
        if tag == "mms" and self.mms is not None:
            self._mms(self.mms)
            self.mms = None

    def _count(self, number: str, contact: str) -> str:
        key = normalize_phone(number) or number.strip()
        entry = self.seen.setdefault(key, [contact or number, 0])
        entry[1] += 1
        return key

    def _take(self, key: str, number: str, contact: str) -> bool:
        if not self.wanted(key, number, contact):
            return False
        self.contact = self.contact or contact
        self.address = self.address or number
        return True

    def _sms(self, a: dict[str, str]) -> None:
        number, contact = _null(a.get("address")), _null(a.get("contact_name"))
        if contact == "(Unknown)":
            contact = ""
        key = self._count(number, contact)
        if not self._take(key, number, contact):
            return
        when = _ms(a.get("date"))
        if when is None:
            self.bad_dates += 1
            return
        box = a.get("type", "1")
        direction = IN if box == "1" else OUT
        self.messages.append((when, direction, contact or number, _null(a.get("body")), []))

    def _mms(self, mms: dict[str, Any]) -> None:
        a = mms["attrs"]
        numbers = [n for n in _null(a.get("address")).split("~") if n]
        contact = _null(a.get("contact_name"))
        if len(numbers) > 1:
            for number in numbers:
                self._count(number, "")
            if any(self.wanted(normalize_phone(n) or n, n, "") for n in numbers):
                self.groups_skipped += 1
            return
        number = numbers[0] if numbers else ""
        key = self._count(number, contact)
        if not self._take(key, number, contact):
            return
        when = _ms(a.get("date"))
        if when is None:
            self.bad_dates += 1
            return
        direction = OUT if a.get("msg_box") == "2" else IN
        sender = contact or number
        for addr in mms["addrs"]:
            if addr.get("type") == _FROM and direction == IN:
                sender = contact or _null(addr.get("address")) or sender
        texts: list[str] = []
        media: list[Part] = []
        for index, part in enumerate(mms["parts"]):
            ctype = _null(part.get("ct")).lower()
            if ctype == "application/smil":
                continue
            if ctype.startswith("text/") and part.get("text") not in (None, "null"):
                texts.append(part["text"])
                continue
            data = part.get("data")
            if not data:
                continue
            if len(data) > MAX_PART_BYTES * 4 // 3 + 4:
                raise DamagedFile(f"{self.name}: an MMS part is larger than {MAX_PART_BYTES >> 20} MB.")
            try:
                raw = base64.b64decode(data, validate=False)
            except (binascii.Error, ValueError):
                continue
            name = _null(part.get("cl")) or _null(part.get("name")) or _null(part.get("fn")) or f"part-{index}"
            media.append(Part(name=name, data=raw, media_type=ctype or None, attachment_source=None))
        self.messages.append((when, direction, sender, "\n".join(texts), media))


def _wanted_from(options: ChatOptions, client: ClientInfo) -> Any:
    if options.with_:
        chosen = options.with_.strip()
        as_phone = normalize_phone(chosen) if not any(c.isalpha() for c in chosen) else ""
        as_name = normalize_name(chosen)
        if as_phone:
            return lambda key, number, contact: key == as_phone
        return lambda key, number, contact: bool(contact) and normalize_name(contact) == as_name
    phones = {normalize_phone(p) for p in client.phones} - {""}
    return lambda key, number, contact: key in phones


def read_sms_backup(source: Source, options: ChatOptions, client: ClientInfo) -> Conversation:
    wanted = _wanted_from(options, client)
    collector = _Collector(wanted, source.name)
    parser = expat.ParserCreate()

    def refuse_doctype(*_: Any) -> None:
        raise DamagedFile(f"{source.name}: declares a DOCTYPE, which SMS Backup & Restore never writes.")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.buffer_text = True
    try:
        _feed(parser, source)
    except expat.ExpatError as error:
        reason = expat.errors.messages.get(error.code, str(error))  # type: ignore[attr-defined]
        where = f"line {error.lineno}"
        if error.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]:  # type: ignore[attr-defined]
            reason = "the file is incomplete"
        raise DamagedFile(
            f"{source.name}: is not a complete SMS backup ({reason} at {where}). "
            "Make the backup again or copy the whole file, and import that too."
        ) from None
    if not collector.messages:
        raise UnsupportedFile(_which_conversation(source.name, collector, options, client))
    zone, zone_name = default_zone(None, options)
    messages = [
        ChatMessage(
            sent_at=when.astimezone(zone),
            sender=sender if direction == IN else "me",
            direction=direction,
            text=text,
            media=media,
        )
        for when, direction, sender, text, media in collector.messages
    ]
    number_key = normalize_phone(collector.address) or collector.address
    notes = []
    if collector.bad_dates:
        notes.append(
            f"{plural(collector.bad_dates, 'message')} without a readable date {'was' if collector.bad_dates == 1 else 'were'} left out"
        )
    if collector.groups_skipped:
        notes.append(f"{collector.groups_skipped} group MMS with this number were left out (not a one-to-one message)")
    title = collector.contact or collector.address
    if collector.contact and collector.address:
        title = f"{collector.contact} ({collector.address})"
    return Conversation(
        service="SMS",
        title=title,
        key=f"sms:{number_key}",
        messages=messages,
        zone=zone_name,
        details={"format": "SMS Backup & Restore XML", "number": collector.address},
        notes=notes,
    )


def _which_conversation(name: str, collector: _Collector, options: ChatOptions, client: ClientInfo) -> str:
    top = sorted(collector.seen.items(), key=lambda kv: -kv[1][1])[:8]
    found = "; ".join(f"{label} ({count})" for _key, (label, count) in top)
    if not collector.seen:
        return f"{name}: holds no messages; nothing imported."
    asked = f"--with {options.with_!r}" if options.with_ else f"{client.name}'s phone numbers"
    return (
        f"{name}: no conversation matches {asked}; it holds {plural(len(collector.seen), 'conversation')}: {found}. "
        "Choose one with --with NUMBER|NAME."
    )


def conversations(source: Source) -> list[tuple[str, str]]:
    """Every one-to-one conversation in the backup (streamed, nothing kept but counts)."""
    collector = _Collector(lambda *_: False, source.name)
    parser = expat.ParserCreate()
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end

    def refuse_doctype(*_: Any) -> None:
        raise DamagedFile(f"{source.name}: declares a DOCTYPE, which SMS Backup & Restore never writes.")

    parser.StartDoctypeDeclHandler = refuse_doctype
    # What was read before any damage is still worth offering; the import says why.
    with contextlib.suppress(expat.ExpatError):
        _feed(parser, source)
    ranked = sorted(collector.seen.items(), key=lambda kv: -kv[1][1])
    return [(f"{label} ({plural(count, 'message')})", key) for key, (label, count) in ranked if key]
