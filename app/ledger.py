"""The ledger: an append-only SHA-256 hash chain over every change in the vault.

Each event carries the full new state of the row it changed (``payload.state``),
so ``verify`` can check both that the chain is unbroken and that every row in the
database is exactly what the ledger says was written. An event is appended in the
same transaction as the change it records.

    hash_n = SHA-256(bytes.fromhex(hash_{n-1}) || canonical(event_n))

``canonical`` is JSON with sorted keys, no whitespace and UTF-8 text: stable across
Python versions and easy to re-implement in another language.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from app.clock import SUBJECT as CLOCK_SUBJECT
from app.clock import SYSTEM_CLOCK, VaultClock
from app.vault.store import Connection

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def state_digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(state)).hexdigest()


def event_hash(prev_hash: str, seq: int, at: str, action: str, subject: str, payload: dict[str, Any]) -> str:
    body = canonical({"seq": seq, "at": at, "action": action, "subject": subject, "payload": payload})
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


@dataclass(frozen=True)
class Event:
    seq: int
    at: str
    action: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Head:
    count: int
    hash: str


def head(conn: Connection) -> Head:
    row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return Head(0, GENESIS) if row is None else Head(int(row[0]), str(row[1]))


def append(
    conn: Connection,
    action: str,
    subject: str,
    payload: dict[str, Any],
    at: str | None = None,
    *,
    clock: VaultClock | None = None,
) -> Event:
    """Append one event. Must run inside the transaction that made the change.

    Without ``at``, the time comes from the vault clock (``app.clock``), which may first
    append a ``clock.*`` note when the system clock looks wrong; it never refuses."""
    if not conn.in_transaction:
        raise RuntimeError("ledger.append outside a transaction")
    row = conn.execute("SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    previous = Head(0, GENESIS) if row is None else Head(int(row[0]), str(row[1]))
    if at is None:
        at, notes = (clock or SYSTEM_CLOCK).read(None if row is None else str(row[2]))
        for note in notes:
            previous = _head_of(append(conn, note.action, CLOCK_SUBJECT, note.payload, at=at))
    seq = previous.count + 1
    digest = event_hash(previous.hash, seq, at, action, subject, payload)
    conn.execute(
        "INSERT INTO events(seq, at, action, subject, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
        (seq, at, action, subject, canonical(payload).decode("utf-8"), previous.hash, digest),
    )
    return Event(seq, at, action, subject, payload, previous.hash, digest)


def _head_of(event: Event) -> Head:
    return Head(event.seq, event.hash)


def record(conn: Connection, action: str, subject: str, state: dict[str, Any], **extra: Any) -> Event:
    """Append an event that carries the new ``state`` of ``subject``."""
    return append(conn, action, subject, {"state": state, **extra})


def events(conn: Connection, *, after: int = 0, batch: int = 5000):  # type: ignore[no-untyped-def]
    """Yield every event in order, reading in batches (flat memory at any size)."""
    last = after
    while True:
        rows = conn.execute(
            "SELECT seq, at, action, subject, payload, prev_hash, hash FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return
        for seq, at, action, subject, payload, prev_hash, digest in rows:
            yield Event(int(seq), at, action, subject, json.loads(payload), prev_hash, digest)
        last = int(rows[-1][0])


# -- seals ---------------------------------------------------------------

SEAL_PREFIX = "CF1"


def format_seal(h: Head) -> str:
    """A short value the owner can send to a lawyer: event count + chain head.

    128 bits of the head are plenty to make forging a matching chain infeasible
    and short enough to read over the phone.
    """
    return f"{SEAL_PREFIX}-{h.count}-{h.hash[:32]}"


def parse_seal(text: str) -> tuple[int, str]:
    from app.errors import InvalidInput

    shown = text.strip()[:80]
    parts = text.strip().split("-")
    # ASCII digits only ("²".isdigit() is true), and a count that fits SQLite's integers.
    if len(parts) != 3 or parts[0].upper() != SEAL_PREFIX or not (parts[1].isascii() and parts[1].isdigit()):
        raise InvalidInput(f"{shown!r} is not a Casefile seal (expected {SEAL_PREFIX}-COUNT-HEX).")
    if len(parts[1]) > 18:
        raise InvalidInput(f"{shown!r} is not a Casefile seal (the event count is impossibly large).")
    digest = parts[2].lower()
    if len(digest) < 16 or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidInput(f"{shown!r} is not a Casefile seal (the hash part is malformed).")
    return int(parts[1]), digest
