"""Import files into a client's timeline: one file, one transaction, one result.

The file's SHA-256 is computed first: bytes this client already holds are not
imported again (the result names the entry that has them); bytes another client
holds are linked to the stored copy rather than stored twice. Every failure is
turned into a ``refused`` result with a one-line reason, so one bad file never
stops the rest of a batch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import (
    CasefileError,
    CorruptVault,
    DamagedFile,
    DiskFull,
    UnsupportedFile,
    VaultBusy,
    VaultLocked,
    disk_full_message,
)
from app.ingest.archive_import import archive_reader, import_messages
from app.ingest.audio import is_audio, parse_audio
from app.ingest.chats import ChatOptions, chat_reader_for, read_chat
from app.ingest.documents import parse_document
from app.ingest.email import parse_eml, parse_mbox
from app.ingest.images import image_format, parse_image
from app.ingest.msg import OLE_MAGIC, parse_msg
from app.ingest.parsed import ParsedItem, Part, Source
from app.mail.dkim import annotate_items as annotate_dkim
from app.records.attachments import CHUNK_SIZE, insert_attachment, safe_display_name
from app.records.entries import insert_entry
from app.records.models import EntryFields
from app.vault.store import Connection, DatabaseError, is_disk_full
from app.words import plural

Reader = Callable[[Source], list[ParsedItem]]
ResultCallback = Callable[["ImportResult"], None]

IMPORTED, DUPLICATE, REFUSED, TRIAGED = "imported", "duplicate", "refused", "triaged"


@dataclass(frozen=True)
class ImportResult:
    """What happened to one file. ``reason`` is a one-line sentence for people."""

    path: str
    status: str
    entry_ids: tuple[int, ...] = ()
    attachments: int = 0
    sha256: str | None = None
    size: int = 0
    reason: str = ""
    linked_entry_ids: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status != REFUSED

    def line(self) -> str:
        name = safe_display_name(Path(self.path).name)
        if self.status == IMPORTED:
            entries = ", ".join(str(e) for e in self.entry_ids)
            text = f"imported   {name} → entry {entries} ({self.attachments} file{'s' * (self.attachments != 1)})"
            if self.linked_entry_ids:
                text += f"; same bytes as entry {', '.join(map(str, self.linked_entry_ids))}, linked, not stored again"
            return text + "".join(f"; {n}" for n in self.notes)
        reason = self.reason if self.reason.startswith(name) else f"{name}: {self.reason}"
        label = {DUPLICATE: "duplicate", TRIAGED: "triage"}.get(self.status, "refused")
        return f"{label:<10} {reason}"


def reader_for(source: Source) -> Reader:
    """Choose a reader by the file's first bytes, then by its name."""
    head = source.head()
    suffix = Path(source.name).suffix.lower()
    if image_format(head):
        return parse_image
    if is_audio(source, head):
        return parse_audio
    if suffix == ".msg" or (head.startswith(OLE_MAGIC) and suffix == ".oft"):
        return parse_msg
    if suffix == ".eml":
        return parse_eml
    if suffix in (".mbox", ".mbx") or (suffix == "" and head.startswith(b"From ")):
        return parse_mbox
    return parse_document


def file_sha256(source: Source) -> str:
    digest = hashlib.sha256()
    with source.opener() as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def entries_holding(conn: Connection, sha256: str, client_id: int | None = None) -> list[int]:
    sql = "SELECT DISTINCT a.entry_id FROM attachments a JOIN entries e ON e.id = a.entry_id WHERE a.sha256 = ?"
    params: list[Any] = [sha256]
    if client_id is not None:
        sql += " AND e.client_id = ? AND e.retracted = 0"
        params.append(client_id)
    return [row[0] for row in conn.execute(sql + " ORDER BY a.entry_id", params).fetchall()]


def do_not_serve_warnings(vault: Any, client_id: int, items: list[Any]) -> tuple[str, ...]:
    """A message from someone marked do-not-serve (under another client) is flagged."""
    from app.parting.dns import match_email_header

    warnings: list[str] = []
    for item in items:
        sender = item.parts[0].metadata.get("from") if item.parts else None
        if sender:
            warnings += [
                f"WARNING: {m.warning}" for m in match_email_header(vault, str(sender), exclude_client_id=client_id)
            ]
    return tuple(dict.fromkeys(warnings))


def import_path(
    vault: Any, client_id: int, path: Path, *, source: str = "import", chat: ChatOptions | None = None
) -> ImportResult:
    """Import one file for a client. Never raises for a bad file: see ``status``."""
    try:
        src = Source.from_path(Path(path))
    except CasefileError as error:
        return ImportResult(path=str(path), status=REFUSED, reason=_one_line(str(error)))
    return import_source(vault, client_id, src, source=source, label=str(path), chat=chat)


def import_source(
    vault: Any,
    client_id: int,
    src: Source,
    *,
    source: str = "import",
    label: str = "",
    chat: ChatOptions | None = None,
) -> ImportResult:
    label = label or src.name
    try:
        vault.clients.get(client_id)
        if src.size == 0:
            raise UnsupportedFile(f"{src.name}: is empty (0 bytes); there is nothing to import.")
        sha = file_sha256(src)
        with vault.db.read() as conn:
            mine = entries_holding(conn, sha, client_id)
        if mine:
            return ImportResult(
                path=label,
                status=DUPLICATE,
                entry_ids=tuple(mine),
                sha256=sha,
                size=src.size,
                reason=f"already in entry {', '.join(map(str, mine))} (same SHA-256); not imported again.",
            )
        archive = archive_reader(src)
        if archive is not None:  # .pst/.ost, mbox: message by message, one transaction each
            return import_messages(vault, client_id, src, archive(src), sha=sha, label=label, source=source)
        chat_reader = chat_reader_for(src)
        if chat_reader is not None:  # phone messages: only new messages of the client's conversation
            try:
                items, known = read_chat(vault, client_id, src, chat_reader, chat or ChatOptions())
            except DamagedFile as error:  # a damaged export is still evidence: kept as it is
                items, known = [native_item(src, _one_line(str(error))[:1000])], []
        else:
            items = read_or_keep_native(src)
            annotate_dkim(vault, items)  # before the transaction: it may ask DNS for key records
            with vault.db.read() as conn:
                items, known = _drop_known_messages(conn, client_id, items)
        if not items:
            return ImportResult(
                path=label,
                status=DUPLICATE,
                entry_ids=tuple(known),
                sha256=sha,
                size=src.size,
                reason=f"every message is already in entry {', '.join(map(str, known))}; nothing new.",
            )
        try:
            with vault.db.write() as conn:
                linked = entries_holding(conn, sha)
                entry_ids, count = store_items(conn, vault, client_id, items, source)
        except DatabaseError as error:
            if is_disk_full(error):  # rolled back: nothing of this file was stored
                raise DiskFull(disk_full_message(vault.path, f"import {src.name}", need_bytes(src.size))) from None
            raise
        notes = tuple(dict.fromkeys(n for item in items for n in item.notes))
        notes += do_not_serve_warnings(vault, client_id, items)
        if known:
            notes += (f"{plural(len(known), 'message')} already there {'was' if len(known) == 1 else 'were'} skipped",)
        return ImportResult(
            path=label,
            status=IMPORTED,
            entry_ids=tuple(entry_ids),
            attachments=count,
            sha256=sha,
            size=src.size,
            linked_entry_ids=tuple(linked),
            notes=notes,
        )
    except (VaultLocked, VaultBusy, CorruptVault, DatabaseError, DiskFull):
        raise  # the vault's problem, not the file's: the caller stops (the Inbox leaves the file in place)
    except CasefileError as error:
        return ImportResult(path=label, status=REFUSED, size=src.size, reason=_one_line(str(error)))
    except RecursionError:
        return ImportResult(path=label, status=REFUSED, size=src.size, reason=f"{src.name}: nested too deeply to read.")
    except MemoryError:
        return ImportResult(path=label, status=REFUSED, size=src.size, reason=f"{src.name}: too large to read.")
    except Exception as error:  # a library's own exception for a malformed file
        reason = f"{src.name}: could not be read ({type(error).__name__}: {error})."
        return ImportResult(path=label, status=REFUSED, size=src.size, reason=_one_line(reason))


def need_bytes(size: int) -> int:
    """Room an import of ``size`` bytes takes: the pages in the WAL, then in the database."""
    return 2 * size + 1_000_000


def read_or_keep_native(src: Source) -> list[ParsedItem]:
    """Parse the file; when it cannot be parsed as what it claims to be, keep it anyway.

    Evidence is never refused for being malformed: a truncated JPEG, a damaged .eml, an
    image too large to decode are stored byte for byte as a plain file, with the reason
    in the entry's body (so the timeline and the dossier show it).
    """
    try:
        return reader_for(src)(src)
    except (VaultLocked, VaultBusy, CorruptVault, DatabaseError, DiskFull):
        raise
    except CasefileError as error:
        reason = str(error)
    except RecursionError:
        reason = f"{src.name}: nested too deeply to read (hostile or damaged)."
    except MemoryError:
        reason = f"{src.name}: too large to read."
    except Exception as error:  # a library's own exception for a malformed file
        reason = f"{src.name}: could not be read ({type(error).__name__}: {error})."
    return [native_item(src, _one_line(reason)[:1000])]


def native_item(src: Source, reason: str) -> ParsedItem:
    from app.records.times import in_range, now_utc

    occurred = src.mtime if in_range(src.mtime) else now_utc()
    body = f"Stored as the original file only; it could not be read as what it claims to be. Reason: {reason}"
    fields = EntryFields(kind="document", occurred_at=occurred, title=safe_display_name(src.name)[:1000], body=body)
    part = Part(name=src.name, source=src, metadata={"stored_as_native": reason})
    return ParsedItem(fields=fields, parts=[part], notes=[f"stored as a plain file ({reason})"])


def _drop_known_messages(
    conn: Connection, client_id: int, items: list[ParsedItem]
) -> tuple[list[ParsedItem], list[int]]:
    """Messages of a mailbox this client already holds (the mbox grew since last time)."""
    if len(items) < 2:
        return items, []
    fresh, known = [], []
    for item in items:
        original = item.parts[0].data
        holders = entries_holding(conn, hashlib.sha256(original).hexdigest(), client_id) if original else []
        if holders:
            known.extend(holders)
        else:
            fresh.append(item)
    return fresh, known


def derivative_hashes(derivatives: dict[str, bytes]) -> dict[str, str]:
    return {kind: hashlib.sha256(data).hexdigest() for kind, data in sorted(derivatives.items())}


def _replace_nul(item: ParsedItem) -> None:
    """A NUL in text a reader extracted (a real email from a public corpus has one in its
    text/plain body) is shown as U+FFFD, with a note: the record's text refuses NUL, and
    evidence is never refused for it. The stored bytes keep it."""
    fields = item.fields
    texts = (fields.title, fields.body, *fields.participants, *fields.tags, *(p.text for p in item.parts))
    if not any("\x00" in text for text in texts):
        return
    item.fields = dataclasses.replace(
        fields,
        title=fields.title.replace("\x00", "\ufffd"),
        body=fields.body.replace("\x00", "\ufffd"),
        participants=tuple(p.replace("\x00", "\ufffd") for p in fields.participants),
        tags=tuple(t.replace("\x00", "\ufffd") for t in fields.tags),
    )
    for part in item.parts:
        part.text = part.text.replace("\x00", "\ufffd")
    item.notes.append("NUL characters in its text are shown as \ufffd (the original bytes are kept)")


def store_items(
    conn: Connection, vault: Any, client_id: int, items: list[ParsedItem], source: str
) -> tuple[list[int], int]:
    """Write parsed items inside the caller's transaction. Returns (entry ids, attachment count)."""
    entry_ids: list[int] = []
    count = 0
    for item in items:
        _replace_nul(item)
        entry_id = insert_entry(conn, client_id, item.fields)
        entry_ids.append(entry_id)
        for part in item.parts:
            metadata = part.metadata
            if part.derivatives:
                # The thumbnails' hashes go into the (ledgered) metadata, so a dossier can
                # trust a stored thumbnail only if it is still the one made at import.
                metadata = {**metadata, "derivatives": derivative_hashes(part.derivatives)}
            with part.open() as stream:
                att_id = insert_attachment(
                    conn,
                    entry_id,
                    stream,
                    part.name,
                    media_type=part.media_type,
                    source=part.attachment_source or source,
                    metadata=metadata,
                    text=part.text,
                )
            count += 1
            if part.derivatives:
                sha = conn.execute("SELECT sha256 FROM attachments WHERE id=?", (att_id,)).fetchone()[0]
                for kind, data in part.derivatives.items():
                    vault.attachments.put_derivative(sha, kind, data)  # joins this transaction
    return entry_ids, count


def stored_copy_matches(vault: Any, sha256: str) -> bool:
    """Read the stored bytes back and recompute their hash (before an original is moved away)."""
    digest = hashlib.sha256()
    try:
        for chunk in vault.attachments.iter_bytes(sha256):
            digest.update(chunk)
    except CasefileError:
        return False
    return digest.hexdigest() == sha256


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths, recursively, in a stable order. Symlinked folders
    are not followed (a loop would never end); a missing path is yielded so its
    import is refused with a reason."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    yield Path(root) / name
        else:
            yield path


def import_paths(
    vault: Any,
    client_id: int,
    paths: Iterable[Path],
    *,
    source: str = "import",
    on_result: ResultCallback | None = None,
    chat: ChatOptions | None = None,
) -> list[ImportResult]:
    results = []
    for path in iter_files(paths):
        result = import_path(vault, client_id, path, source=source, chat=chat)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _one_line(text: str) -> str:
    return " ".join(text.split())
