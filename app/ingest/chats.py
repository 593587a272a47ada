"""Phone messages (SMS backups, WhatsApp exports, the Mac Messages database) as entries.

A reader (`sms.py`, `whatsapp.py`, `imessage.py`) turns a file into one `Conversation`:
the client's messages only, each with its own aware time, direction and sender. This
module turns that conversation into entries:

- one **export entry** (kind ``document``) holding the native file once, whose body
  records how it was read (format, time zone, day/month order, counts);
- one **thread entry** (kind ``message``) per conversation-day, titled with the day's
  message count (so the chronology shows it), its body a transcript (searchable), its
  first attachment ``messages-<day>.json`` with every message's time, direction,
  sender, text and media names, then the media files of that day.

Every message has a key (a hash of conversation, time, sender, direction, text and the
nth repeat); the keys are kept in the thread part's metadata, so importing a later
export of the same chat adds only the messages not already held.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import InvalidInput
from app.ingest.parsed import ParsedItem, Part, Source, clean_title
from app.records.models import EntryFields
from app.vault.store import Connection
from app.words import plural

THREAD_MEDIA_TYPE = "application/vnd.casefile.thread+json"
IN, OUT, SYSTEM, OTHER = "in", "out", "system", "other"
MAX_BODY_CHARS = 1_000_000  # a day's transcript; beyond it the JSON part still holds every message


@dataclass(frozen=True)
class ChatOptions:
    """What the user chose: the conversation, the zone of zone-less exports, the date order."""

    with_: str | None = None
    zone: str | None = None
    date_order: str | None = None  # "dmy" | "mdy" for WhatsApp exports that leave it open


@dataclass
class ChatMessage:
    sent_at: datetime  # aware
    sender: str  # a name or a number; "" for system lines
    direction: str  # IN | OUT | SYSTEM | OTHER (someone else in a group)
    text: str
    media: list[Part] = field(default_factory=list)  # files to attach, found in the export
    media_missing: list[str] = field(default_factory=list)  # named by the message, not in the export
    key: str = ""


@dataclass
class Conversation:
    service: str  # "SMS", "WhatsApp", "iMessage"
    title: str  # the other party as the export names it
    key: str  # stable identity of the conversation, e.g. "sms:5551234567"
    messages: list[ChatMessage]
    zone: str = ""  # IANA zone the times were read in (or given in)
    details: dict[str, Any] = field(default_factory=dict)  # recorded with the import
    notes: list[str] = field(default_factory=list)


ChatReader = Callable[[Source, ChatOptions, "ClientInfo"], Conversation]


@dataclass(frozen=True)
class ClientInfo:
    name: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]


def chat_reader_for(source: Source) -> ChatReader | None:
    """The chat reader for this file, by content, or None when it is not a chat export."""
    from app.ingest import imessage, sms, whatsapp

    head = source.head(65536)
    if sms.looks_like_sms_backup(head):
        return sms.read_sms_backup
    if imessage.looks_like_sqlite(head) and imessage.is_messages_db(source.name, head):
        return imessage.read_chat_db
    if whatsapp.looks_like_whatsapp(source, head):
        return whatsapp.read_whatsapp
    return None


def resolve_zone(name: str | None, what: str) -> ZoneInfo:
    try:
        return ZoneInfo((name or "").strip())
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(
            f"{name!r} is not a time zone Casefile knows; give one like Europe/Berlin ({what})."
        ) from error


def default_zone(vault: Any, options: ChatOptions) -> tuple[tzinfo, str]:
    """The zone to show absolute times in: --zone, else the vault's display zone, else UTC."""
    if options.zone:
        return resolve_zone(options.zone, "--zone"), options.zone
    name = vault.settings.get("display_timezone") if vault is not None else ""
    if name:
        return resolve_zone(name, "the vault's display time zone"), name
    return ZoneInfo("UTC"), "UTC"


def read_chat(
    vault: Any, client_id: int, source: Source, reader: ChatReader, options: ChatOptions
) -> tuple[list[ParsedItem], list[int]]:
    """Items for the messages of this client's conversation not already held, and the
    entries that hold them all when nothing is new."""
    client = vault.clients.get(client_id)
    info = ClientInfo(client.name, tuple(client.phones), tuple(client.emails))
    zone_note = ""
    if not options.zone:
        zone_name = vault.settings.get("display_timezone")
        if zone_name:
            options = ChatOptions(options.with_, zone_name, options.date_order)
            zone_note = f"no --zone given: the vault's display time zone {zone_name} was used"
    conversation = reader(source, options, info)
    if zone_note:
        conversation.notes.insert(0, zone_note)
        conversation.details["zone_from"] = "vault display time zone"
    assign_keys(conversation)
    with vault.db.read() as conn:
        held = held_keys(conn, client_id, conversation.key)
    fresh = [m for m in conversation.messages if m.key not in held]
    if not fresh:
        return [], sorted({entry_id for entry_id in held.values()})
    skipped = len(conversation.messages) - len(fresh)
    items = conversation_items(conversation, source, fresh)
    if skipped:
        items[0].notes.append(
            f"{plural(skipped, 'message')} already in the record {'was' if skipped == 1 else 'were'} skipped"
        )
    return items, []


def assign_keys(conversation: Conversation) -> None:
    seen: dict[str, int] = defaultdict(int)
    for message in conversation.messages:
        basis = "\x1f".join(
            [
                conversation.key,
                message.sent_at.astimezone(ZoneInfo("UTC")).isoformat(),
                message.direction,
                message.sender,
                message.text,
                ",".join(p.name for p in message.media) + ",".join(message.media_missing),
            ]
        )
        digest = hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        seen[digest] += 1
        message.key = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def held_keys(conn: Connection, client_id: int, conversation_key: str) -> dict[str, int]:
    """Message key -> entry id, for this client's thread entries of this conversation."""
    rows = conn.execute(
        "SELECT a.entry_id, a.metadata FROM attachments a JOIN entries e ON e.id = a.entry_id"
        " WHERE e.client_id = ? AND e.retracted = 0 AND a.media_type = ?"
        " AND json_extract(a.metadata, '$.thread.conversation') = ?",
        (client_id, THREAD_MEDIA_TYPE, conversation_key),
    ).fetchall()
    held: dict[str, int] = {}
    for entry_id, metadata in rows:
        for key in json.loads(metadata).get("thread", {}).get("keys", []):
            held[key] = entry_id
    return held


def _day_label(moment: datetime) -> str:
    return moment.date().isoformat()


def _line(message: ChatMessage) -> str:
    when = message.sent_at.strftime("%H:%M:%S")
    arrow = {IN: "←", OUT: "→", SYSTEM: "·"}.get(message.direction, "←")
    who = message.sender or "(system)"
    media = [f"[{p.name}]" for p in message.media] + [f"[{n}, not in the export]" for n in message.media_missing]
    text = " ".join(filter(None, [message.text, *media]))
    return f"{when} {arrow} {who}: {text}"


def message_json(message: ChatMessage) -> dict[str, Any]:
    return {
        "key": message.key,
        "time": message.sent_at.isoformat(),
        "direction": message.direction,
        "sender": message.sender,
        "text": message.text,
        "media": [p.name for p in message.media],
        "media_missing": list(message.media_missing),
    }


def conversation_items(conversation: Conversation, source: Source, messages: list[ChatMessage]) -> list[ParsedItem]:
    messages = sorted(messages, key=lambda m: m.sent_at)
    days: dict[str, list[ChatMessage]] = defaultdict(list)
    for message in messages:
        days[_day_label(message.sent_at)].append(message)
    zone = conversation.zone or None
    who = clean_title(conversation.title, "unknown")
    service = conversation.service
    details = {
        **conversation.details,
        "service": service,
        "conversation": conversation.key,
        "with": conversation.title,
        "zone": conversation.zone,
        "messages_in_file": len(conversation.messages),
        "messages_new": len(messages),
        "first": messages[0].sent_at.isoformat(),
        "last": messages[-1].sent_at.isoformat(),
    }
    described = "\n".join(f"{k}: {v}" for k, v in details.items() if v not in ("", None))
    export = ParsedItem(
        fields=EntryFields(
            kind="document",
            occurred_at=messages[-1].sent_at,
            occurred_tz=zone,
            title=clean_title(
                f"{service} export: conversation with {who} ({len(messages)} new message"
                f"{'s' * (len(messages) != 1)}, {_day_label(messages[0].sent_at)} – "
                f"{_day_label(messages[-1].sent_at)})",
                f"{service} export",
            ),
            body=f"The native export, attached once; each day of messages is its own entry.\n{described}",
            participants=(conversation.title,),
        ),
        parts=[Part(name=source.name, source=source, metadata={"chat_export": details})],
        notes=list(dict.fromkeys(conversation.notes)),
    )
    items = [export]
    for day, day_messages in days.items():
        count = len(day_messages)
        senders = tuple(dict.fromkeys(m.sender for m in day_messages if m.sender))
        body = "\n".join(_line(m) for m in day_messages)
        if len(body) > MAX_BODY_CHARS:
            body = body[:MAX_BODY_CHARS] + "\n[… the rest of this day is in the attached thread file]"
        thread = {
            "service": service,
            "conversation": conversation.key,
            "with": conversation.title,
            "day": day,
            "count": count,
            "export": source.name,
            "keys": [m.key for m in day_messages],
        }
        payload = json.dumps(
            {
                "thread": {k: v for k, v in thread.items() if k != "keys"},
                "messages": [message_json(m) for m in day_messages],
            },
            ensure_ascii=False,
            indent=1,
        ).encode("utf-8", "surrogatepass")
        parts = [
            Part(
                name=f"messages-{day}.json",
                data=payload,
                media_type=THREAD_MEDIA_TYPE,
                metadata={"thread": thread},
            )
        ]
        for message in day_messages:
            for media in message.media:
                media.metadata = {**media.metadata, "message_key": message.key}
                parts.append(media)
        items.append(
            ParsedItem(
                fields=EntryFields(
                    kind="message",
                    occurred_at=day_messages[0].sent_at,
                    occurred_tz=zone,
                    title=clean_title(f"{count} {service} message{'s' * (count != 1)} with {who}", "messages"),
                    body=body,
                    participants=senders,
                ),
                parts=parts,
            )
        )
    return items


def thread_of(data: bytes) -> dict[str, Any]:
    """The stored thread part read back (for the dossier and the detail pane)."""
    loaded = json.loads(data.decode("utf-8", "replace"))
    return loaded if isinstance(loaded, dict) else {}


def conversations_in(source: Source) -> list[tuple[str, str]]:
    """(label, value for ``ChatOptions.with_``) of each conversation or sender in a chat
    export, most messages first: what the app's import dialog offers to choose from."""
    from app.ingest import imessage, sms, whatsapp

    reader = chat_reader_for(source)
    if reader is sms.read_sms_backup:
        return sms.conversations(source)
    if reader is imessage.read_chat_db:
        return imessage.conversations(source)
    if reader is whatsapp.read_whatsapp:
        return whatsapp.senders(source)
    return []
