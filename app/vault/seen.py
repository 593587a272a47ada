"""The last state of the record this computer saw: lost commits and rollbacks are caught.

A vanished ``vault.db-wal`` or an older ``vault.db`` copied over the current one gives a
database that opens and verifies, internally consistent, with its latest events gone.
The seal catches that only if the owner sent one. So the vault folder keeps a small side
file, ``vault.seen``: the ledger's event count and head hash at every lock and at most
``INTERVAL_S`` after a commit, authenticated with an HMAC keyed from the data key
(HKDF), written atomically. Opening a vault whose ledger is behind it, or no longer
holds that head, is refused before anything is written; ``verify`` reports it too.

The record is a lower bound: two processes may write it in either order, so it can lag
the database (never run ahead of it: it is written only after the commit it names is
durable). A backup does not carry it, so a restored vault starts a fresh one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from app.errors import CorruptVault
from app.vault.fsutil import atomic_write

SEEN_NAME = "vault.seen"
FORMAT = "casefile-seen"
VERSION = 1
INTERVAL_S = 60.0  # at most this long after a commit before the record follows it
MAX_BYTES = 4096


class RolledBack(CorruptVault):
    """The ledger is behind (or no longer holds) what this computer last saw."""


@dataclass(frozen=True)
class Seen:
    vault_id: str
    count: int
    head: str
    at: str


def _key(data_key: bytes) -> bytes:
    from app.vault.keys import subkey

    return subkey(data_key, "last seen v1")


def _body(seen: Seen) -> bytes:
    doc = {"format": FORMAT, "version": VERSION, "vault_id": seen.vault_id, "count": seen.count, "head": seen.head}
    doc["at"] = seen.at
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def write(folder: Path, seen: Seen, data_key: bytes) -> None:
    body = _body(seen)
    mac = hmac.new(_key(data_key), body, hashlib.sha256).hexdigest()
    doc = {**json.loads(body), "mac": mac}
    atomic_write(folder / SEEN_NAME, (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode())


def read(folder: Path, data_key: bytes, vault_id: str) -> Seen | str | None:
    """The record, None when there is none, or a sentence when it is damaged or foreign."""
    path = folder / SEEN_NAME
    try:
        if not path.is_file():
            return None if not path.exists() else f"{SEEN_NAME} is not a regular file"
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return f"{SEEN_NAME} cannot be read ({error.strerror})"
    try:
        doc = json.loads(data.decode("utf-8")) if len(data) <= MAX_BYTES else None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
            return f"{SEEN_NAME} is damaged"
        seen = Seen(str(doc["vault_id"]), int(doc["count"]), str(doc["head"]), str(doc["at"]))
        mac = str(doc["mac"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return f"{SEEN_NAME} is damaged"
    expected = hmac.new(_key(data_key), _body(seen), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected):
        return f"{SEEN_NAME} fails its authentication code (damaged, or from another vault)"
    if seen.vault_id != vault_id:
        return f"{SEEN_NAME} belongs to another vault"
    return seen


def problem(conn: object, seen: Seen) -> str | None:
    """None when the ledger in ``conn`` holds what was seen; otherwise the sentence."""
    row = conn.execute("SELECT max(seq) FROM events").fetchone()  # type: ignore[attr-defined]
    count = int(row[0] or 0)  # seq is consecutive from 1 (verify checks it)
    if count < seen.count:
        return (
            f"The record is older than the last one this computer saw: {count} events instead of {seen.count}"
            " — it may have been rolled back or a file was lost (vault.db-wal); restore from a backup."
        )
    if seen.count:
        found = conn.execute("SELECT hash FROM events WHERE seq = ?", (seen.count,)).fetchone()  # type: ignore[attr-defined]
        if found is None or str(found[0]) != seen.head:
            return (
                f"The record no longer holds the state this computer last saw (event {seen.count} is not the"
                " one it saw) — it was replaced or rewritten; restore from a backup."
            )
    return None
