"""WhatsApp chat exports: the .txt, or the .zip "with media" / "without media".

Lines look like ``12/31/23, 9:41 PM - Name: text`` (Android) or
``[31.12.23, 21:41:05] Name: text`` (iOS), in whatever date order, separators, clock
and AM/PM words the phone's locale uses, with U+200E/U+202F and friends sprinkled in.
A line that does not start with a date and time continues the message before it.

The export has no time zone: the user gives one (``--zone``, or the import dialog,
defaulting to the vault's zone) and it is recorded with the import. The date order is
decided from the whole file (a first field above 12 means day-first, a second above
12 month-first); when every date fits both, the user must say (``--date-order``) —
never guessed silently.

A .zip is checked before anything is read from it: member count, declared sizes and
compression ratio (zip bombs), and names (``..``, absolute paths: zip-slip). Media
files named by a message are attached to that message's day, streamed from the zip.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO, cast

from app.errors import DamagedFile, InvalidInput, UnsupportedFile
from app.ingest.chats import IN, OTHER, OUT, SYSTEM, ChatMessage, ChatOptions, ClientInfo, Conversation, resolve_zone
from app.ingest.parsed import Part, Source
from app.parting.dns import normalize_name, normalize_phone
from app.words import plural

MAX_MEMBERS = 50_000
MAX_CHAT_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024**3
MAX_RATIO = 100  # uncompressed / compressed, beyond a few MB: a bomb, not a chat
MAX_LINE = 1_000_000

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_STRIP_MARKS = str.maketrans("", "", _MARKS)
_LINE = re.compile(
    r"^\[?(?P<date>\d{1,4}[./\-]\s?\d{1,2}[./\-]\s?\d{1,4})\.?,?\s+"
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?:[\s\u202f\u00a0]*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?"
    r"\]?\s*(?:[-\u2013]\s)?(?P<rest>.*)$"
)
_ATTACHED_IOS = re.compile(r"^<[^<>:]{1,40}:\s*(?P<name>[^<>/\\]+)>$")
_ATTACHED_ANDROID = re.compile(r"^(?P<name>[^\s/\\]+\.[A-Za-z0-9]{2,5}) \([^()]{2,40}\)$")
_AMPM = re.compile(r"[\s.]")


def looks_like_whatsapp(source: Source, head: bytes) -> bool:
    lowered = source.name.lower()
    named = "whatsapp" in lowered or lowered == "_chat.txt"
    if head.startswith(b"PK\x03\x04"):
        try:
            with source.opener() as stream, zipfile.ZipFile(stream) as archive:
                return _chat_member(archive) is not None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return False
    if b"\x00" in head[:4096]:
        return False
    text = head.decode("utf-8", "replace").translate(_STRIP_MARKS)
    first = [line for line in text.splitlines()[:5] if line.strip()]
    if first and _LINE.match(first[0]) and (" - " in first[0] or first[0].startswith("[")):
        return True
    return named and lowered.endswith(".txt")


def _chat_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    texts = [i for i in archive.infolist() if i.filename.lower().endswith(".txt") and not i.is_dir()]
    for info in texts:
        base = PurePosixPath(info.filename).name.lower()
        if base == "_chat.txt" or base.startswith("whatsapp"):
            return info
    return None


class _MemberStream(io.RawIOBase):
    """A zip member's bytes; closing it closes the archive and the file under it."""

    def __init__(self, member: BinaryIO, archive: zipfile.ZipFile, outer: BinaryIO) -> None:
        self._member, self._archive, self._outer = member, archive, outer

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._member.read(size)

    def readinto(self, buffer: Any) -> int:
        data = self._member.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            for thing in (self._member, self._archive, self._outer):
                thing.close()
        super().close()


def _member_source(source: Source, info: zipfile.ZipInfo) -> Source:
    def opener() -> BinaryIO:
        outer = source.opener()
        try:
            archive = zipfile.ZipFile(outer)
            return cast(BinaryIO, _MemberStream(cast(BinaryIO, archive.open(info.filename)), archive, outer))
        except Exception:
            outer.close()
            raise

    return Source(name=PurePosixPath(info.filename).name, size=info.file_size, mtime=source.mtime, opener=opener)


def check_zip(name: str, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise DamagedFile(f"{name}: holds {len(infos)} files, more than a chat export ({MAX_MEMBERS}).")
    total = compressed = 0
    for info in infos:
        path = info.filename.replace("\\", "/")
        if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in path.split("/"):
            raise DamagedFile(f"{name}: names a file outside the archive ({info.filename!r}); nothing was unpacked.")
        total += info.file_size
        compressed += info.compress_size
    if total > MAX_TOTAL_BYTES or (total > 16 * 1024 * 1024 and total > MAX_RATIO * max(compressed, 1)):
        raise DamagedFile(
            f"{name}: would unpack to {total >> 20} MB from {compressed >> 20} MB (a zip bomb, not a chat); "
            "nothing was unpacked."
        )
    return infos


def _lines(stream: BinaryIO) -> Any:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)
    for line in text:
        if len(line) > MAX_LINE:
            line = line[:MAX_LINE]
        yield line.rstrip("\n")


def _raw_messages(name: str, lines: Any) -> list[list[str]]:
    """[date, time, ampm, rest] per message, continuation lines joined to ``rest``."""
    records: list[list[str]] = []
    unmatched_head = 0
    for line in lines:
        clean = line.translate(_STRIP_MARKS).replace("\u202f", " ").replace("\u00a0", " ")
        match = _LINE.match(clean)
        if match:
            records.append([match["date"], match["time"], match["ampm"] or "", match["rest"]])
        elif records:
            records[-1][3] += "\n" + line.translate(_STRIP_MARKS)
        elif clean.strip():
            unmatched_head += 1
            if unmatched_head >= 5:
                break
    if not records:
        raise DamagedFile(
            f"{name}: is not in a WhatsApp export format Casefile knows (no line starts with a date and time)."
        )
    return records


def _date_parts(text: str) -> tuple[int, int, int]:
    a, b, c = (int(p) for p in re.split(r"[./\-]\s?", text.strip()))
    return a, b, c


def decide_date_order(name: str, dates: list[tuple[int, int, int]], asked: str | None) -> str:
    if all(a > 31 for a, _b, _c in dates):
        return "ymd"
    dmy = all(1 <= a <= 31 and 1 <= b <= 12 for a, b, _ in dates)
    mdy = all(1 <= a <= 12 and 1 <= b <= 31 for a, b, _ in dates)
    if asked:
        order = asked.strip().lower()
        if order not in ("dmy", "mdy", "ymd"):
            raise InvalidInput(f"--date-order must be dmy or mdy, not {asked!r}.")
        if (order == "dmy" and not dmy) or (order == "mdy" and not mdy):
            raise UnsupportedFile(f"{name}: some dates do not fit the order {order}; nothing imported.")
        return order
    if dmy and mdy:
        raise InvalidInput(
            f"{name}: every date fits both day-first and month-first (e.g. {'/'.join(map(str, dates[0]))}); "
            "say which with --date-order dmy|mdy."
        )
    if not (dmy or mdy):
        raise DamagedFile(f"{name}: its dates fit neither day-first nor month-first order.")
    return "dmy" if dmy else "mdy"


def _moment(name: str, record: list[str], order: str, zone: Any) -> datetime:
    a, b, c = _date_parts(record[0])
    year, month, day = (a, b, c) if order == "ymd" else (c, b, a) if order == "dmy" else (c, a, b)
    if year < 100:
        year += 2000
    pieces = [int(p) for p in re.split(r"[:.]", record[1])]
    hour, minute = pieces[0], pieces[1]
    second = pieces[2] if len(pieces) > 2 else 0
    ampm = _AMPM.sub("", record[2]).lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise DamagedFile(f"{name}: {record[1]} {record[2]} is not a 12-hour time.")
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        raise DamagedFile(f"{name}: {record[0]} {record[1]} is not a real date and time.") from None


def _split_sender(rest: str) -> tuple[str, str]:
    head, sep, text = rest.partition(": ")
    if sep and 0 < len(head) <= 80 and "\n" not in head:
        return head.strip(), text
    return "", rest


def _client_sender(senders: list[str], options: ChatOptions, client: ClientInfo) -> str | None:
    if options.with_:
        wanted = options.with_.strip()
        phone = normalize_phone(wanted) if not any(ch.isalpha() for ch in wanted) else ""
        for sender in senders:
            if (phone and normalize_phone(sender) == phone) or normalize_name(sender) == normalize_name(wanted):
                return sender
        raise InvalidInput(f"Nobody called {wanted!r} writes in this chat; the senders are: {', '.join(senders)}.")
    phones = {normalize_phone(p) for p in client.phones} - {""}
    for sender in senders:
        if normalize_name(sender) == normalize_name(client.name):
            return sender
        if not any(ch.isalpha() for ch in sender) and normalize_phone(sender) in phones:
            return sender
    words = set(normalize_name(client.name).split())
    partial = [s for s in senders if set(normalize_name(s).split()) and set(normalize_name(s).split()) <= words]
    return partial[0] if len(partial) == 1 else None


def read_whatsapp(source: Source, options: ChatOptions, client: ClientInfo) -> Conversation:
    if not options.zone:
        raise InvalidInput(
            f"{source.name}: a WhatsApp export does not say its time zone; give the phone's with --zone "
            "(e.g. --zone Europe/Berlin) or set the vault's display time zone."
        )
    zone = resolve_zone(options.zone, "--zone")
    media: dict[str, Source] = {}
    chat_name = source.name
    if source.head(4).startswith(b"PK\x03\x04"):
        with source.opener() as stream, zipfile.ZipFile(stream) as archive:
            infos = check_zip(source.name, archive)
            chat = _chat_member(archive)
            if chat is None:
                raise DamagedFile(f"{source.name}: holds no WhatsApp chat text (_chat.txt).")
            if chat.file_size > MAX_CHAT_BYTES:
                raise DamagedFile(f"{source.name}: its chat text is larger than {MAX_CHAT_BYTES >> 20} MB.")
            if chat.flag_bits & 0x1:
                raise DamagedFile(f"{source.name}: the chat inside is encrypted.")
            chat_name = PurePosixPath(chat.filename).name
            for info in infos:
                if info is not chat and not info.is_dir() and not info.flag_bits & 0x1:
                    media.setdefault(PurePosixPath(info.filename).name, _member_source(source, info))
            with archive.open(chat) as member:
                records = _raw_messages(source.name, _lines(cast(BinaryIO, member)))
    else:
        if source.size > MAX_CHAT_BYTES:
            raise DamagedFile(f"{source.name}: is larger than {MAX_CHAT_BYTES >> 20} MB for a chat text.")
        with source.opener() as stream:
            records = _raw_messages(source.name, _lines(stream))
    order = decide_date_order(source.name, [_date_parts(r[0]) for r in records], options.date_order)
    parsed = [(_moment(source.name, r, order, zone), *_split_sender(r[3])) for r in records]
    counts = Counter(sender for _when, sender, _text in parsed if sender)
    senders = list(counts)
    him = _client_sender(senders, options, client)
    if him is None:
        raise InvalidInput(
            f"{source.name}: which sender is {client.name}? The senders are: {', '.join(senders) or 'none'}; "
            "choose with --with NAME."
        )
    one_to_one = len(senders) <= 2
    messages: list[ChatMessage] = []
    used_media: set[str] = set()
    for when, sender, text in parsed:
        direction = SYSTEM if not sender else IN if sender == him else OUT if one_to_one else OTHER
        message = ChatMessage(sent_at=when, sender=sender, direction=direction, text=text)
        first_line = text.split("\n", 1)[0].strip()
        found = _ATTACHED_IOS.match(first_line) or _ATTACHED_ANDROID.match(first_line)
        if found and sender:
            file_name = found["name"].strip()
            if file_name in media:
                if file_name not in used_media:
                    found_source = media[file_name]
                    message.media.append(Part(name=found_source.name, source=found_source))
                    used_media.add(file_name)
            else:
                message.media_missing.append(file_name)
            rest = text.split("\n", 1)
            message.text = rest[1] if len(rest) > 1 else ""
        messages.append(message)
    title = him
    group = re.match(r"(?i)whatsapp chat (?:with|mit|con|avec|met) (.+)\.(?:txt|zip)$", source.name)
    if not one_to_one and group:
        title = group[1]
    notes = [f"times read as {options.zone} (the export has none)"]
    if not one_to_one:
        notes.append(f"a group chat of {len(senders)} senders: messages not from {him} are marked 'other'")
    missing = sum(len(m.media_missing) for m in messages)
    if missing:
        notes.append(
            f"{plural(missing, 'media file')} named in the chat {'is' if missing == 1 else 'are'} not in the export"
        )
    return Conversation(
        service="WhatsApp",
        title=title,
        key=f"whatsapp:{normalize_name(title) or title}",
        messages=messages,
        zone=options.zone,
        details={
            "format": "WhatsApp export (" + ("zip" if media or chat_name != source.name else "txt") + ")",
            "chat_file": chat_name,
            "date_order": order,
            "zone_given_by_user": options.zone,
            "senders": ", ".join(senders),
        },
        notes=notes,
    )


def senders(source: Source) -> list[tuple[str, str]]:
    """The chat's senders, most messages first (the client is one of them)."""
    if source.head(4).startswith(b"PK\x03\x04"):
        with source.opener() as stream, zipfile.ZipFile(stream) as archive:
            check_zip(source.name, archive)
            chat = _chat_member(archive)
            if chat is None:
                return []
            with archive.open(chat) as member:
                records = _raw_messages(source.name, _lines(cast(BinaryIO, member)))
    else:
        with source.opener() as stream:
            records = _raw_messages(source.name, _lines(stream))
    counts = Counter(sender for sender, _text in (_split_sender(r[3]) for r in records) if sender)
    return [(f"{name} ({plural(count, 'message')})", name) for name, count in counts.most_common()]
