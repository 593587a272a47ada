"""Attachments: files stored inside the encrypted database, content-addressed.

A file is streamed into ``blob_chunks`` one chunk at a time while its SHA-256 is
computed, so memory stays flat whatever the size. The hash is known only at the
end; if those bytes are already stored, the new chunks are dropped (in the same
transaction) and the attachment links to the existing blob.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from app import ledger
from app.errors import InvalidInput, NotFound, UnsupportedFile
from app.records.common import clean_text, dumps
from app.records.models import Attachment
from app.records.times import now_utc, parse_utc_text, utc_text
from app.search import index_entry
from app.vault.db import Database
from app.vault.store import Connection

CHUNK_SIZE = 1024 * 1024
SOURCES = ("picker", "drag", "inbox", "email", "cli", "import", "demo", "imap")

_ATT_COLUMNS = "id, entry_id, sha256, name, media_type, size, source, metadata, added_at"


def attachment_state(row: Any) -> dict[str, Any]:
    state = dict(zip(_ATT_COLUMNS.split(", "), row, strict=True))
    state["metadata"] = json.loads(state["metadata"])
    return state


def _attachment(row: Any) -> Attachment:
    s = attachment_state(row)
    return Attachment(
        id=s["id"],
        entry_id=s["entry_id"],
        sha256=s["sha256"],
        name=s["name"],
        media_type=s["media_type"],
        size=s["size"],
        source=s["source"],
        added_at=parse_utc_text(s["added_at"]),
        metadata=s["metadata"],
    )


def safe_display_name(name: str) -> str:
    """Keep the original name but drop control characters (newlines, RTL overrides
    stay visible as the replacement they get here, never as layout tricks)."""
    cleaned = "".join(
        ch if ch.isprintable() and ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" else "\ufffd"
        for ch in name
    )
    cleaned = cleaned.replace("/", "_").replace("\\", "_").strip()
    return cleaned[:255] or "unnamed"


def store_blob(conn: Connection, stream: BinaryIO) -> tuple[str, int, bool]:
    """Stream ``stream`` into the vault. Returns (sha256, size, newly_stored).

    Must run inside the caller's transaction.
    """
    now = utc_text(now_utc())
    blob_id = int(conn.execute("INSERT INTO blobs(sha256, stored_at) VALUES (NULL, ?)", (now,)).lastrowid)  # type: ignore[arg-type]
    digest = hashlib.sha256()
    size = 0
    seq = 0
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
        conn.execute("INSERT INTO blob_chunks(blob_id, seq, data) VALUES (?,?,?)", (blob_id, seq, chunk))
        seq += 1
    sha = digest.hexdigest()
    if conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha,)).fetchone():
        conn.execute("DELETE FROM blob_chunks WHERE blob_id = ?", (blob_id,))
        conn.execute("DELETE FROM blobs WHERE id = ?", (blob_id,))
        return sha, size, False
    conn.execute("UPDATE blobs SET sha256=?, size=?, chunk_count=? WHERE id=?", (sha, size, seq, blob_id))
    ledger.record(conn, "blob.store", f"blob:{sha}", {"sha256": sha, "size": size})
    return sha, size, True


def insert_attachment(
    conn: Connection,
    entry_id: int,
    stream: BinaryIO,
    name: str,
    *,
    media_type: str | None = None,
    source: str = "picker",
    metadata: dict[str, Any] | None = None,
    text: str = "",
) -> int:
    """Store a file and attach it to an entry, inside the caller's transaction."""
    if source not in SOURCES:
        raise InvalidInput(f"Unknown attachment source {source!r}.")
    row = conn.execute("SELECT retracted FROM entries WHERE id=?", (entry_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no entry with id {entry_id}.")
    if row[0]:
        raise InvalidInput(f"Entry {entry_id} was retracted; nothing more can be attached to it.")
    display = safe_display_name(name)
    media_type = media_type or mimetypes.guess_type(display)[0] or "application/octet-stream"
    sha, size, _new = store_blob(conn, stream)
    at = utc_text(now_utc())
    cur = conn.execute(
        "INSERT INTO attachments(entry_id, sha256, name, media_type, size, source, metadata, added_at, text)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        (entry_id, sha, display, media_type, size, source, dumps(metadata or {}), at, clean_text(text, "text")),
    )
    att_id = int(cur.lastrowid)  # type: ignore[arg-type]
    row = conn.execute(f"SELECT {_ATT_COLUMNS} FROM attachments WHERE id=?", (att_id,)).fetchone()
    ledger.record(conn, "attachment.add", f"attachment:{att_id}", attachment_state(row))
    conn.execute("UPDATE entries SET attachment_count = attachment_count + 1 WHERE id=?", (entry_id,))
    index_entry(conn, entry_id)
    return att_id


def open_for_import(path: Path) -> BinaryIO:
    """Open a file to import with a clear one-line error for every way it can fail."""
    try:
        if path.is_dir():
            raise UnsupportedFile(f"{path.name}: is a folder, not a file.")
        if not path.is_file():
            if not path.exists():
                raise UnsupportedFile(f"{path}: no such file.")
            raise UnsupportedFile(f"{path.name}: not a regular file.")
        return path.open("rb")
    except PermissionError:
        raise UnsupportedFile(f"{path.name}: permission denied.") from None
    except OSError as error:
        raise UnsupportedFile(f"{path.name}: cannot be read ({error.strerror}).") from None


class Attachments:
    def __init__(self, db: Database, on_change: Any = None) -> None:
        self._db = db
        self._on_change = on_change or (lambda *_: None)

    def add_file(
        self, entry_id: int, path: Path, *, source: str = "picker", name: str | None = None, **kw: Any
    ) -> Attachment:
        with open_for_import(path) as stream:
            return self.add_stream(entry_id, stream, name or path.name, source=source, **kw)

    def add_stream(self, entry_id: int, stream: BinaryIO, name: str, **kw: Any) -> Attachment:
        with self._db.write() as conn:
            att_id = insert_attachment(conn, entry_id, stream, name, **kw)
        self._on_change("attachment_added", entry_id)
        return self.get(att_id)

    def get(self, attachment_id: int) -> Attachment:
        row = self._db.one(f"SELECT {_ATT_COLUMNS} FROM attachments WHERE id=?", (attachment_id,))
        if row is None:
            raise NotFound(f"There is no attachment with id {attachment_id}.")
        return _attachment(row)

    def for_entry(self, entry_id: int) -> list[Attachment]:
        rows = self._db.all(f"SELECT {_ATT_COLUMNS} FROM attachments WHERE entry_id=? ORDER BY id", (entry_id,))
        return [_attachment(r) for r in rows]

    def entries_with(self, sha256: str) -> list[int]:
        """Every entry that holds these bytes (how duplicates are linked)."""
        return [
            r[0]
            for r in self._db.all(
                "SELECT DISTINCT entry_id FROM attachments WHERE sha256=? ORDER BY entry_id", (sha256,)
            )
        ]

    def has_blob(self, sha256: str) -> bool:
        return self._db.one("SELECT 1 FROM blobs WHERE sha256=?", (sha256,)) is not None

    def iter_bytes(self, sha256: str) -> Iterator[bytes]:
        """Stream a stored file back, chunk by chunk."""
        blob = self._db.one("SELECT id, chunk_count FROM blobs WHERE sha256=?", (sha256,))
        if blob is None:
            raise NotFound(f"No stored file has SHA-256 {sha256}.")
        blob_id, count = blob
        for seq in range(count):
            row = self._db.one("SELECT data FROM blob_chunks WHERE blob_id=? AND seq=?", (blob_id, seq))
            if row is None:
                from app.errors import CorruptVault

                raise CorruptVault(f"Part {seq} of the stored file {sha256[:12]}… is missing.")
            yield bytes(row[0])

    def read_bytes(self, sha256: str, limit: int = 256 * 1024 * 1024) -> bytes:
        """The whole file in memory: for previews and small files only."""
        parts: list[bytes] = []
        total = 0
        for chunk in self.iter_bytes(sha256):
            total += len(chunk)
            if total > limit:
                raise InvalidInput(f"The file is larger than {limit // (1024 * 1024)} MB; save a copy instead.")
            parts.append(chunk)
        return b"".join(parts)

    def export_to(self, sha256: str, dest: Path) -> int:
        """Write a stored file to ``dest`` (the user asked for a copy in the clear)."""
        import os

        written = 0
        # 0600 whatever the umask: the copy is the owner's, not everyone's on this computer.
        with os.fdopen(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            for chunk in self.iter_bytes(sha256):
                out.write(chunk)
                written += len(chunk)
        return written

    # -- derived data (thumbnails, previews): not evidence, not in the ledger --

    def put_derivative(self, sha256: str, kind: str, data: bytes) -> None:
        with self._db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO derivatives(sha256, kind, data) VALUES (?,?,?)", (sha256, kind, data))

    def derivative(self, sha256: str, kind: str) -> bytes | None:
        row = self._db.one("SELECT data FROM derivatives WHERE sha256=? AND kind=?", (sha256, kind))
        return None if row is None else bytes(row[0])
