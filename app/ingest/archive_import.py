"""Mail archives (Outlook .pst/.ost, mbox and Gmail Takeout) imported message by message.

An archive can hold gigabytes: it is never read whole. A reader yields one
``ArchiveMessage`` at a time (its RFC 822 bytes, a name, where it was in the archive);
each becomes an email entry in its own transaction, deduplicated by SHA-256 and by
Message-ID against what the client already holds — so memory stays flat, and an import
killed half-way is simply run again: what was committed is recognised and skipped.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.errors import UnsupportedFile
from app.ingest.email import MAX_MESSAGE_BYTES, MAX_PARSED_EML_BYTES, message_item
from app.ingest.parsed import ParsedItem, Part, Source, clean_title
from app.records.models import EntryFields
from app.vault.store import Connection
from app.words import plural

Progress = Callable[[int, int], None]  # (messages done, bytes of the archive read so far)


@dataclass
class ArchiveMessage:
    raw: bytes
    name: str
    fallback_time: datetime
    collected: dict[str, Any] = field(default_factory=dict)  # how it came out of the archive (folder, labels)
    tags: tuple[str, ...] = ()
    position: int = 0  # bytes of the archive read so far, for progress
    # A message too large to hold in memory: ``raw`` is empty and this streams its bytes
    # (read twice: once for its SHA-256, once into the vault), kept whole and unparsed.
    whole: Source | None = None
    too_large: str = ""  # why it is kept unread


def _streamed_item(message: ArchiveMessage) -> tuple[ParsedItem, str]:
    """The item for a message kept whole without holding it: (item, its SHA-256)."""
    assert message.whole is not None
    digest = hashlib.sha256()
    with message.whole.opener() as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    item = unreadable_item(b"", message.name, message.fallback_time, message.too_large)
    item.parts[0] = Part(
        name=message.name,
        source=message.whole,
        media_type="message/rfc822",
        metadata={"unreadable": message.too_large},
    )
    return item, digest.hexdigest()


def unreadable_item(raw: bytes, name: str, when: datetime, reason: str) -> ParsedItem:
    """Evidence is never refused: the bytes are kept as the native .eml, with why they were not read."""
    original = Part(name=name, data=raw, media_type="message/rfc822", metadata={"unreadable": reason})
    fields = EntryFields(
        kind="email",
        occurred_at=when,
        title=clean_title("(message that could not be read)", "(message)"),
        body=f"This message could not be read: {reason} The original bytes are kept as {name}.",
    )
    return ParsedItem(fields=fields, parts=[original], notes=[reason])


def read_message(raw: bytes, name: str, when: datetime) -> tuple[ParsedItem, bool]:
    """(the parsed item, whether it could not be read and is kept native)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return unreadable_item(
            raw, name, when, f"larger than the {MAX_MESSAGE_BYTES // 2**20} MB read for an email."
        ), True
    if len(raw) > MAX_PARSED_EML_BYTES:
        # The stdlib parser needs ~10x the message in memory (a 200 MB message of NULs
        # from a sparse mbox: 2.4 GB); the same limit as a single .eml.
        return unreadable_item(
            raw, name, when, f"over the {MAX_PARSED_EML_BYTES // 2**20} MB Casefile parses for an email."
        ), True
    try:
        return message_item(raw, name, when), False
    except (UnsupportedFile, ValueError, LookupError, RecursionError) as error:
        return unreadable_item(raw, name, when, " ".join(str(error).split())[:300]), True


def held(conn: Connection, client_id: int, sha256: str, message_id: str | None) -> bool:
    """The client already holds these bytes, or a message with this Message-ID."""
    row = conn.execute(
        "SELECT 1 FROM attachments a JOIN entries e ON e.id = a.entry_id"
        " WHERE a.sha256 = ? AND e.client_id = ? AND e.retracted = 0 LIMIT 1",
        (sha256, client_id),
    ).fetchone()
    if row is None and message_id:
        row = conn.execute(
            "SELECT 1 FROM attachments a JOIN entries e ON e.id = a.entry_id"
            " WHERE json_extract(a.metadata, '$.message_id') = ? AND e.client_id = ? AND e.retracted = 0 LIMIT 1",
            (message_id, client_id),
        ).fetchone()
    return row is not None


def import_messages(
    vault: Any,
    client_id: int,
    src: Source,
    messages: Iterator[ArchiveMessage],
    *,
    sha: str,
    label: str,
    source: str = "import",
    on_progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Any:
    """Store each new message in its own transaction; returns an ``ImportResult`` for the archive."""
    from app.ingest.importer import DUPLICATE, IMPORTED, ImportResult, do_not_serve_warnings, store_items
    from app.mail.dkim import annotate, is_signed, lookup_for

    entry_ids: list[int] = []
    known = attachments = unreadable = done = 0
    notes: list[str] = []
    warnings: dict[str, None] = {}
    lookup = None
    stop = cancelled or (lambda: False)
    for message in messages:
        if stop():
            notes.append("cancelled; import the file again to continue")
            break
        raw = message.raw
        if message.whole is not None:
            (item, digest), bad = _streamed_item(message), True
        else:
            digest = hashlib.sha256(raw).hexdigest()
            item, bad = read_message(raw, message.name, message.fallback_time)
        original = item.parts[0]
        if message.collected:
            original.metadata = {**original.metadata, "collected": message.collected}
        if message.tags:
            item.fields = dataclasses.replace(
                item.fields, tags=tuple(dict.fromkeys((*item.fields.tags, *message.tags)))
            )
        if not bad:
            if lookup is None and is_signed(raw):
                lookup = lookup_for(vault)
            annotate(raw, original.metadata, lookup)
        with vault.db.write() as conn:
            new = False
            if held(conn, client_id, digest, original.metadata.get("message_id")):
                known += 1
            else:
                ids, count = store_items(conn, vault, client_id, [item], source)
                new = True
                entry_ids += ids
                attachments += count
                if bad:
                    unreadable += 1
                    notes.append(f"{message.name}: kept unread ({item.notes[0]})")
                else:
                    notes += [n for n in item.notes if n not in notes][:3]
        if new and len(warnings) < 20:
            warnings.update(dict.fromkeys(do_not_serve_warnings(vault, client_id, [item])))
        done += 1
        if on_progress is not None:
            on_progress(done, message.position)
    if done == 0:
        raise UnsupportedFile(f"{src.name}: holds no messages.")
    if not entry_ids:
        return ImportResult(
            path=label,
            status=DUPLICATE,
            sha256=sha,
            size=src.size,
            reason=f"every one of its {plural(done, 'message')} is already there; nothing new.",
        )
    extra = list(warnings)
    if known:
        extra.append(f"{plural(known, 'message')} already there {'was' if known == 1 else 'were'} skipped")
    return ImportResult(
        path=label,
        status=IMPORTED,
        entry_ids=tuple(entry_ids),
        attachments=attachments,
        sha256=sha,
        size=src.size,
        notes=tuple(dict.fromkeys([*notes[:20], *extra])),
    )


def archive_reader(src: Source) -> Callable[[Source], Iterator[ArchiveMessage]] | None:
    """The streaming reader for a mail archive, recognised by content (PST) or by name and first line (mbox)."""
    from app.ingest.mbox_stream import is_mbox, mbox_messages
    from app.ingest.pst import is_pst, pst_messages

    head = src.head(64)
    if is_pst(head):
        return pst_messages
    if is_mbox(src, head):
        return mbox_messages
    return None
