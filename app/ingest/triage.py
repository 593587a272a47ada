"""Triage: files dropped in the Inbox root, stored and waiting for a client.

The original bytes go into the vault at once (encrypted, hashed, in the ledger),
so the file on disk can be moved away safely. Reading it (email, photo …) waits
until the user assigns it to a client: then it is imported from the stored copy
exactly as a file from disk would be, and linked to the same blob.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from app import ledger
from app.errors import InvalidInput, NotFound, UnsupportedFile
from app.ingest.importer import DUPLICATE, TRIAGED, ImportResult, file_sha256, import_source
from app.ingest.parsed import Source
from app.records.attachments import safe_display_name, store_blob
from app.records.times import now_utc, parse_utc_text, utc_text

_COLUMNS = "id, sha256, name, size, file_mtime, added_at, assigned_client_id, assigned_at"


@dataclass(frozen=True)
class TriageItem:
    id: int
    sha256: str
    name: str
    size: int
    file_mtime: datetime
    added_at: datetime
    assigned_client_id: int | None = None
    assigned_at: datetime | None = None


def _item(row: Any) -> TriageItem:
    return TriageItem(
        id=row[0],
        sha256=row[1],
        name=row[2],
        size=row[3],
        file_mtime=parse_utc_text(row[4]),
        added_at=parse_utc_text(row[5]),
        assigned_client_id=row[6],
        assigned_at=parse_utc_text(row[7]) if row[7] else None,
    )


def add(vault: Any, src: Source, *, label: str = "") -> ImportResult:
    """Store a file for later assignment; the same bytes twice are kept once."""
    label = label or src.name
    if src.size == 0:
        raise UnsupportedFile(f"{src.name}: is empty (0 bytes); there is nothing to import.")
    sha = file_sha256(src)
    if vault.db.one("SELECT 1 FROM attachments WHERE sha256=?", (sha,)):
        holders = vault.attachments.entries_with(sha)
        return ImportResult(
            path=label,
            status=DUPLICATE,
            entry_ids=tuple(holders),
            sha256=sha,
            size=src.size,
            reason=f"already in entry {', '.join(map(str, holders))} (same SHA-256); not imported again.",
        )
    existing = vault.db.one("SELECT id FROM triage WHERE sha256=? ORDER BY id LIMIT 1", (sha,))
    if existing:
        return ImportResult(
            path=label,
            status=DUPLICATE,
            sha256=sha,
            size=src.size,
            reason=f"already waiting in triage as item {existing[0]}.",
        )
    name = safe_display_name(src.name)
    with vault.db.write() as conn, src.opener() as stream:
        stored_sha, size, _new = store_blob(conn, stream)
        if stored_sha != sha:
            raise UnsupportedFile(f"{src.name}: changed while it was being imported; it will be tried again.")
        now = utc_text(now_utc())
        cur = conn.execute(
            "INSERT INTO triage(sha256, name, size, file_mtime, added_at) VALUES (?,?,?,?,?)",
            (sha, name, size, utc_text(src.mtime), now),
        )
        item_id = int(cur.lastrowid)  # type: ignore[arg-type]
        ledger.record(
            conn, "triage.add", f"triage:{item_id}", {"id": item_id, "sha256": sha, "name": name, "size": size}
        )
    return ImportResult(
        path=label, status=TRIAGED, sha256=sha, size=size, reason=f"waiting in triage as item {item_id}."
    )


def pending(vault: Any) -> list[TriageItem]:
    rows = vault.db.all(f"SELECT {_COLUMNS} FROM triage WHERE assigned_client_id IS NULL ORDER BY id")
    return [_item(r) for r in rows]


def get(vault: Any, item_id: int) -> TriageItem:
    row = vault.db.one(f"SELECT {_COLUMNS} FROM triage WHERE id=?", (item_id,))
    if row is None:
        raise NotFound(f"There is no triage item {item_id}.")
    return _item(row)


def assign(vault: Any, item_id: int, client_id: int) -> ImportResult:
    """Import a waiting file into a client's timeline, from its stored copy."""
    item = get(vault, item_id)
    if item.assigned_client_id is not None:
        raise InvalidInput(f"Triage item {item_id} was already assigned to client {item.assigned_client_id}.")
    vault.clients.get(client_id)
    src = Source(name=item.name, size=item.size, mtime=item.file_mtime, opener=lambda: _open_blob(vault, item.sha256))
    # One transaction: the item is marked assigned only together with its entry, and
    # a refusal rolls back anything the importer wrote.
    try:
        with vault.db.write() as conn:
            result = import_source(vault, client_id, src, source="inbox", label=item.name)
            if not result.ok:
                raise _Refused(result)
            at = utc_text(now_utc())
            conn.execute("UPDATE triage SET assigned_client_id=?, assigned_at=? WHERE id=?", (client_id, at, item_id))
            ledger.record(conn, "triage.assign", f"triage:{item_id}", {"id": item_id, "client_id": client_id, "at": at})
    except _Refused as refused:
        return refused.result
    return result


class _Refused(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__(result.reason)
        self.result = result


class _BlobReader(io.RawIOBase):
    """A read-only stream over a stored file, chunk by chunk (no plaintext on disk)."""

    def __init__(self, vault: Any, sha256: str) -> None:
        super().__init__()
        self._chunks = vault.attachments.iter_bytes(sha256)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _open_blob(vault: Any, sha256: str) -> BinaryIO:
    return io.BufferedReader(_BlobReader(vault, sha256), buffer_size=1024 * 1024)
