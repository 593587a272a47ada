"""The Mac Messages database (``~/Library/Messages/chat.db``): iMessage and SMS.

The database is never opened where it lies: its bytes are copied into an in-memory
SQLite database (``sqlite3.deserialize``) and read there, so neither the file nor its
WAL is touched and nothing is written beside it. Times are Apple's epoch (2001-01-01
UTC), in nanoseconds since macOS 10.13 and seconds before. Texts that exist only in
``attributedBody`` (an NSAttributedString in NeXT "typedstream" form) are decoded just
enough to take the string out. Attachments are read from the ``Attachments`` folder
beside chat.db when the import was given the file on disk.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.errors import DamagedFile, UnsupportedFile
from app.ingest.chats import IN, OUT, ChatMessage, ChatOptions, ClientInfo, Conversation, default_zone
from app.ingest.parsed import Part, Source
from app.parting.dns import normalize_email, normalize_name, normalize_phone
from app.words import plural

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
MAX_DB_BYTES = 1024 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 2 * 1024**3
_REQUIRED = {"message", "handle", "chat", "chat_message_join"}


def looks_like_sqlite(head: bytes) -> bool:
    return head.startswith(b"SQLite format 3\x00")


def is_messages_db(name: str, head: bytes) -> bool:
    """chat.db by name, or a SQLite file whose schema (page 1) has Messages' join table."""
    return name.lower() in ("chat.db", "sms.db") or b"chat_message_join" in head


def apple_time(value: Any) -> datetime | None:
    if not value:
        return None
    number = int(value)
    seconds = number / 1e9 if abs(number) > 10**11 else float(number)
    try:
        return APPLE_EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


def attributed_body_text(blob: bytes | None) -> str:
    """The plain string inside an archived NSAttributedString, or "" if there is none.

    In the typedstream the class name ``NSString`` is followed by ``\\x01\\x94\\x84\\x01+``
    (or close to it), then the UTF-8 length: one byte, or ``\\x81`` + 2 bytes little-endian,
    or ``\\x82`` + 4 bytes, then the bytes themselves.
    """
    if not blob:
        return ""
    data = bytes(blob)
    at = data.find(b"NSString")
    if at == -1:
        return ""
    plus = data.find(b"+", at + 8, at + 16)
    if plus == -1:
        return ""
    i = plus + 1
    if i >= len(data):
        return ""
    marker = data[i]
    if marker == 0x81:
        length, i = int.from_bytes(data[i + 1 : i + 3], "little"), i + 3
    elif marker == 0x82:
        length, i = int.from_bytes(data[i + 1 : i + 5], "little"), i + 5
    else:
        length, i = marker, i + 1
    return data[i : i + length].decode("utf-8", "replace")


def _open(source: Source) -> sqlite3.Connection:
    data = source.read_all(MAX_DB_BYTES, "a Messages database")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError:
        conn.close()
        raise DamagedFile(f"{source.name}: is a damaged SQLite database.") from None
    if not tables >= _REQUIRED:
        conn.close()
        raise UnsupportedFile(f"{source.name}: is a SQLite database but not a Mac Messages database (chat.db).")
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _same_person(identifier: str, wanted_phone: str, wanted_emails: set[str], wanted_name: str) -> bool:
    if "@" in identifier:
        return normalize_email(identifier) in wanted_emails
    if wanted_phone and normalize_phone(identifier) == wanted_phone:
        return True
    return bool(wanted_name) and normalize_name(identifier) == wanted_name


def read_chat_db(source: Source, options: ChatOptions, client: ClientInfo) -> Conversation:
    conn = _open(source)
    try:
        return _read(conn, source, options, client)
    except sqlite3.DatabaseError as error:
        raise DamagedFile(f"{source.name}: could not be read as a Messages database ({error}).") from None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, source: Source, options: ChatOptions, client: ClientInfo) -> Conversation:
    chats = conn.execute(
        "SELECT c.ROWID, c.chat_identifier, COALESCE(c.display_name, ''),"
        " (SELECT COUNT(*) FROM chat_handle_join j WHERE j.chat_id = c.ROWID) FROM chat c"
        if "chat_handle_join" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        else "SELECT ROWID, chat_identifier, COALESCE(display_name, ''), 1 FROM chat"
    ).fetchall()
    if options.with_:
        wanted = options.with_.strip()
        phone = normalize_phone(wanted) if not any(c.isalpha() for c in wanted) else ""
        emails = {normalize_email(wanted)} - {""}
        name = normalize_name(wanted)
        chosen = [
            c for c in chats if _same_person(c[1] or "", phone, emails, "") or (c[2] and normalize_name(c[2]) == name)
        ]
    else:
        phones = {normalize_phone(p) for p in client.phones} - {""}
        emails = {normalize_email(e) for e in client.emails} - {""}
        chosen = [c for c in chats if c[3] <= 1 and any(_same_person(c[1] or "", p, emails, "") for p in phones | {""})]
    if not chosen:
        listing = "; ".join(f"{c[2] or c[1]}" for c in chats[:10]) or "none"
        asked = f"--with {options.with_!r}" if options.with_ else f"{client.name}'s phone numbers and emails"
        raise UnsupportedFile(
            f"{source.name}: no conversation matches {asked}; it holds {len(chats)}: {listing}. "
            "Choose one with --with NUMBER|NAME."
        )
    chat_ids = [c[0] for c in chosen]
    columns = _columns(conn, "message")
    body = "m.attributedBody" if "attributedBody" in columns else "NULL"
    service = "m.service" if "service" in columns else "''"
    rows = conn.execute(
        f"SELECT m.ROWID, m.text, {body}, m.date, m.is_from_me, COALESCE(h.id, ''), {service}"
        " FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID"
        " LEFT JOIN handle h ON h.ROWID = m.handle_id"
        f" WHERE j.chat_id IN ({','.join('?' * len(chat_ids))}) ORDER BY m.date, m.ROWID",
        chat_ids,
    ).fetchall()
    attachments = _attachments(conn, source, [r[0] for r in rows])
    zone, zone_name = default_zone(None, options)
    messages: list[ChatMessage] = []
    notes: list[str] = []
    bad = 0
    other = chosen[0][2] or chosen[0][1]
    services: set[str] = set()
    for rowid, text, attributed, date, from_me, handle, svc in rows:
        when = apple_time(date)
        if when is None:
            bad += 1
            continue
        services.add(svc or "iMessage")
        text = text if text else attributed_body_text(attributed)
        text = (text or "").replace("\ufffc", "").strip()  # U+FFFC marks where an attachment sits
        media, missing = attachments.get(rowid, ([], []))
        messages.append(
            ChatMessage(
                sent_at=when.astimezone(zone),
                sender="me" if from_me else (handle or other),
                direction=OUT if from_me else IN,
                text=text,
                media=list(media),
                media_missing=list(missing),
            )
        )
    if not messages:
        raise UnsupportedFile(f"{source.name}: the conversation with {other} holds no messages; nothing imported.")
    if bad:
        notes.append(f"{plural(bad, 'message')} without a date {'was' if bad == 1 else 'were'} left out")
    missing_count = sum(len(m.media_missing) for m in messages)
    if missing_count:
        notes.append(f"{plural(missing_count, 'attachment')} not found in the Attachments folder beside chat.db")
    key_source = chosen[0][1] or other
    key = normalize_phone(key_source) if "@" not in key_source else normalize_email(key_source)
    return Conversation(
        service="iMessage" if services <= {"iMessage"} else "Messages",
        title=other,
        key=f"imessage:{key or key_source}",
        messages=messages,
        zone=zone_name,
        details={"format": "Mac Messages database (chat.db)", "chat": chosen[0][1]},
        notes=notes,
    )


def _attachments(
    conn: sqlite3.Connection, source: Source, message_ids: list[int]
) -> dict[int, tuple[list[Part], list[str]]]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"attachment", "message_attachment_join"} <= tables or not message_ids:
        return {}
    found: dict[int, tuple[list[Part], list[str]]] = {}
    base = source.path.parent if source.path is not None else None
    rows = conn.execute(
        "SELECT j.message_id, a.filename, COALESCE(a.transfer_name, ''), COALESCE(a.mime_type, '')"
        " FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id"
        f" WHERE j.message_id IN ({','.join('?' * len(message_ids))}) ORDER BY j.message_id, a.ROWID",
        message_ids,
    ).fetchall()
    for message_id, filename, transfer_name, mime in rows:
        parts, missing = found.setdefault(message_id, ([], []))
        label = transfer_name or Path(filename or "attachment").name
        path = _attachment_path(base, filename or "")
        if path is None:
            missing.append(label)
            continue
        parts.append(Part(name=label, source=Source.from_path(path), media_type=mime or None))
    return found


def _attachment_path(base: Path | None, filename: str) -> Path | None:
    """``~/Library/Messages/Attachments/ab/12/…`` resolved inside the folder beside chat.db only."""
    if base is None or not filename:
        return None
    marker = "Attachments/"
    at = filename.find(marker)
    if at == -1:
        return None
    relative = Path(filename[at:])
    if ".." in relative.parts:
        return None
    candidate = base / relative
    try:
        inside = candidate.resolve().is_relative_to(base.resolve())
        ok = inside and candidate.is_file() and candidate.stat().st_size <= MAX_ATTACHMENT_BYTES
    except OSError:
        return None
    return candidate if ok else None


def conversations(source: Source) -> list[tuple[str, str]]:
    conn = _open(source)
    try:
        rows = conn.execute(
            "SELECT c.chat_identifier, COALESCE(c.display_name, ''), COUNT(j.message_id) FROM chat c"
            " LEFT JOIN chat_message_join j ON j.chat_id = c.ROWID GROUP BY c.ROWID ORDER BY 3 DESC"
        ).fetchall()
    finally:
        conn.close()
    return [(f"{name or ident} ({plural(count, 'message')})", ident) for ident, name, count in rows if ident]
