"""Verification: is the record intact, and does it still contain a sealed state?

``verify`` checks, in order, and names the first break it finds:
1. SQLCipher's page HMACs (``PRAGMA cipher_integrity_check``);
2. SQLite's structure (``PRAGMA integrity_check``);
3. the ledger chain: consecutive sequence numbers, each hash recomputed;
4. every row against the state its latest ledger event recorded, and every
   ledger subject still present as a row;
5. the timeline cache in ``entries`` against the current revisions, and each client's
   entry count (``client_counts``) against a recount;
6. every stored file's SHA-256, recomputed from its chunks.

All checks stream; memory stays flat at any vault size.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app import ledger
from app.clock import SUBJECT as CLOCK_SUBJECT
from app.clock import describe as describe_clock
from app.dossier.productions import COLUMNS as PRODUCTION_COLUMNS
from app.dossier.productions import production_state
from app.evidence.signing import KEY_COLUMNS, key_state
from app.mail.accounts import account_state_from_row, folder_state_from_row
from app.parting.checklist import UNDO_COLUMNS, step_state, undo_state
from app.records.attachments import attachment_state
from app.records.clients import state_from_row as client_state_from_row
from app.records.entries import entry_state, retraction_state, revision_state
from app.records.journal import SNIPPET_PREFIX
from app.records.reminders import reminder_state
from app.vault.store import Connection, DatabaseError
from app.words import plural

Progress = Callable[[str], None]
MAX_WARNINGS = 20


@dataclass
class VerifyReport:
    head: ledger.Head
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    seal_ok: bool | None = None
    # Not failures: things a reader of the record should know (the vault clock's notes).
    warnings: list[str] = field(default_factory=list)
    clock_notes: int = 0
    anchored: list[Any] = field(default_factory=list)  # app.evidence.anchors.Anchor, tokens verified offline
    notes: list[str] = field(default_factory=list)  # facts worth knowing that are not failures

    @property
    def ok(self) -> bool:
        return not self.problems and self.seal_ok is not False

    @property
    def first_break(self) -> str | None:
        return self.problems[0] if self.problems else None


# Events that once used a tracked subject without carrying its state. Vaults made
# before the fix hold ``dossier.export`` events on ``client:N`` (today that action is on
# ``dossier:client:N``, next to ``production:N`` with the production's state); they record an
# export, not a change of the client, so the comparison of rows with their latest
# state skips them. Their hashes stay in the chain like every other event.
LEGACY_STATELESS_ACTIONS = ("dossier.export",)

# table, subject prefix, key column, SELECT list, row -> canonical state
_TRACKED: list[tuple[str, str, str, str, Callable[[Any], dict[str, Any]]]] = [
    (
        "clients",
        "client",
        "id",
        "id, name, emails, phones, address, notes, status, created_at, updated_at",
        client_state_from_row,
    ),
    (
        "status_changes",
        "status",
        "id",
        "id, client_id, status, reason, changed_at",
        lambda r: dict(zip(("id", "client_id", "status", "reason", "changed_at"), r, strict=True)),
    ),
    ("entries", "entry", "id", "id, client_id, recorded_at", entry_state),
    (
        "revisions",
        "revision",
        "id",
        "id, entry_id, rev, recorded_at, kind, occurred_utc, occurred_offset, occurred_tz, title, body,"
        " participants, duration_min, time_spent_min, amount_cents, currency, tags, private, note",
        revision_state,
    ),
    ("retractions", "retraction", "entry_id", "entry_id, reason, retracted_at", retraction_state),
    (
        "attachments",
        "attachment",
        "id",
        "id, entry_id, sha256, name, media_type, size, source, metadata, added_at",
        attachment_state,
    ),
    ("blobs", "blob", "sha256", "sha256, size", lambda r: {"sha256": r[0], "size": r[1]}),
    ("reminders", "reminder", "id", "id, client_id, entry_id, due_utc, title, created_at, done_at", reminder_state),
    ("settings", "setting", "key", "key, value", lambda r: {"key": r[0], "value": r[1]}),
    (
        "parting_steps",
        "parting_step",
        "id",
        "id, client_id, step, done_at, recorded_at, by_whom, how, note, due_at, entry_id, reminder_id",
        step_state,
    ),
    ("parting_step_undos", "parting_step_undo", "id", UNDO_COLUMNS, undo_state),
    ("productions", "production", "id", PRODUCTION_COLUMNS, production_state),
    ("signing_keys", "signing_key", "id", KEY_COLUMNS, key_state),
    (
        "mail_accounts",
        "mail_account",
        "id",
        "id, name, host, port, tls, username, preset, created_at, removed_at",
        account_state_from_row,
    ),
    (
        "mail_folders",
        "mail_folder",
        "id",
        "id, account_id, client_id, folder, uidvalidity, last_uid, updated_at",
        folder_state_from_row,
    ),
]


def verify(
    conn: Connection, *, seal: tuple[int, str] | None = None, progress: Progress | None = None, max_problems: int = 20
) -> VerifyReport:
    try:
        return _verify(conn, seal, progress, max_problems)
    except DatabaseError as error:
        # A page that fails its MAC (or a truncated file) aborts the statement reading it.
        report = VerifyReport(head=ledger.Head(0, ledger.GENESIS))
        report.problems.append(f"The database is damaged ({error}); restore it from a backup.")
        return report


def _verify(
    conn: Connection, seal: tuple[int, str] | None, progress: Progress | None, max_problems: int
) -> VerifyReport:
    say = progress or (lambda _msg: None)
    report = VerifyReport(head=ledger.head(conn))

    def problem(text: str) -> bool:
        report.problems.append(text)
        return len(report.problems) >= max_problems

    say("Checking page authentication codes")
    for row in conn.execute("PRAGMA cipher_integrity_check").fetchall():
        if problem(f"Database page check failed: {row[0]}"):
            return report
    if report.problems:  # damaged pages make every later check fail too
        return report
    say("Checking database structure")
    _refresh_fts(conn)
    for (line,) in conn.execute("PRAGMA integrity_check").fetchall():
        if line != "ok" and problem(f"Database structure: {' '.join(str(line).split())}"):
            return report
    if report.problems:
        return report

    say("Recomputing the ledger chain")
    if _check_chain(conn, report, problem):
        return report
    if seal is not None:
        report.seal_ok = _check_seal(conn, seal, report)

    say("Comparing every record with the ledger")
    for table, prefix, key, columns, to_state in _TRACKED:
        if _check_table(conn, table, prefix, key, columns, to_state, report, problem):
            return report

    say("Checking the timeline cache")
    if _check_entry_cache(conn, problem) or _check_client_counts(conn, problem):
        return report

    say("Recomputing the SHA-256 of every stored file")
    if _check_blobs(conn, report, problem):
        return report

    say("Checking the signing key and every trusted timestamp")
    from app.evidence.anchors import check_evidence

    check_evidence(conn, report, problem)
    return report


def _refresh_fts(conn: Connection) -> None:
    """Make every FTS5 table reload its structure before ``PRAGMA integrity_check``.

    FTS5 caches its index structure per connection and refreshes it when the table is
    read, but its integrity check uses the cache as is: after another process (the CLI,
    ``casefile watch``) wrote entries, a long-lived connection (the desktop app) would
    report a false "fts5: checksum mismatch". A point lookup reloads it cheaply.
    """
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'").fetchall()
    for (name,) in tables:
        conn.execute(f'SELECT rowid FROM "{name}" WHERE rowid = 0').fetchall()


def _check_chain(conn: Connection, report: VerifyReport, problem: Callable[[str], bool]) -> bool:
    expected_prev = ledger.GENESIS
    count = 0
    for event in ledger.events(conn):
        count += 1
        if event.seq != count:
            return problem(
                f"Ledger break at event {count}: the next event is numbered {event.seq} (events removed or inserted)."
            )
        if event.prev_hash != expected_prev:
            return problem(
                f"Ledger break at event {event.seq}: it does not point to the hash of event {event.seq - 1}."
            )
        digest = ledger.event_hash(event.prev_hash, event.seq, event.at, event.action, event.subject, event.payload)
        if digest != event.hash:
            return problem(
                f"Ledger break at event {event.seq} ({event.action} {event.subject}): its content was changed after it was written."
            )
        expected_prev = event.hash
        if event.subject == CLOCK_SUBJECT and event.action.startswith("clock."):
            report.clock_notes += 1
            if len(report.warnings) < MAX_WARNINGS:
                report.warnings.append(f"Event {event.seq}: {describe_clock(event.action, event.payload)}.")
    report.checked["events"] = count
    return False


def _check_seal(conn: Connection, seal: tuple[int, str], report: VerifyReport) -> bool:
    count, prefix = seal
    row = conn.execute("SELECT hash FROM events WHERE seq = ?", (count,)).fetchone()
    if row is None:
        report.problems.append(
            f"The seal covers {count} events but the ledger has only {report.head.count}: the record was rolled back or replaced."
        )
        return False
    if not str(row[0]).startswith(prefix):
        report.problems.append(
            f"The ledger's event {count} does not match the seal: the record was rewritten since it was sealed."
        )
        return False
    return True


def _check_table(
    conn: Connection,
    table: str,
    prefix: str,
    key: str,
    columns: str,
    to_state: Callable[[Any], dict[str, Any]],
    report: VerifyReport,
    problem: Callable[[str], bool],
) -> bool:
    # Only client:N ever received the legacy stateless events; other subjects (production:N)
    # may use the same action name with a state.
    skip = ", ".join(f"'{action}'" for action in LEGACY_STATELESS_ACTIONS)
    legacy = f" AND action NOT IN ({skip})" if prefix == "client" else ""
    latest = f"(SELECT payload FROM events WHERE subject = '{prefix}:' || t.{key}{legacy} ORDER BY seq DESC LIMIT 1)"
    where = " WHERE t.sha256 IS NOT NULL" if table == "blobs" else ""
    rows = 0
    for row in conn.execute(
        f"SELECT {', '.join('t.' + c for c in columns.split(', '))}, {latest} FROM {table} t{where}"
    ):
        rows += 1
        *values, payload = row
        subject = f"{prefix}:{values[0]}"
        if payload is None:
            if problem(f"{subject} is in the database but not in the ledger (added behind Casefile's back)."):
                return True
            continue
        recorded = json.loads(payload).get("state")
        if recorded != to_state(values) and problem(
            f"{subject} differs from what the ledger recorded (edited behind Casefile's back)."
        ):
            return True
    report.checked[table] = rows
    # Compare on the key column itself so the lookup uses the table's index.
    start = len(prefix) + 2
    subject_key = (
        f"substr(events.subject, {start})"
        if key in ("sha256", "key")
        else f"CAST(substr(events.subject, {start}) AS INTEGER)"
    )
    missing = conn.execute(
        f"SELECT DISTINCT subject FROM events WHERE subject >= ? AND subject < ? AND NOT EXISTS"
        f" (SELECT 1 FROM {table} t WHERE t.{key} = {subject_key}) LIMIT 5",
        (f"{prefix}:", f"{prefix};"),
    ).fetchall()
    for (subject,) in missing:
        if problem(
            f"{subject} is recorded in the ledger but missing from the database (deleted behind Casefile's back)."
        ):
            return True
    return False


def _check_entry_cache(conn: Connection, problem: Callable[[str], bool]) -> bool:
    rows = conn.execute(
        f"""SELECT e.id FROM entries e
           LEFT JOIN revisions r ON r.entry_id = e.id AND r.rev = e.current_rev
           WHERE r.id IS NULL
              OR e.current_rev != (SELECT max(rev) FROM revisions WHERE entry_id = e.id)
              OR e.kind != r.kind OR e.occurred_utc != r.occurred_utc OR e.title != r.title
              OR e.private != r.private
              OR (e.snippet IS NOT NULL AND (e.snippet != substr(r.body, 1, {SNIPPET_PREFIX})
                  OR e.occurred_offset IS NOT r.occurred_offset OR e.occurred_tz IS NOT r.occurred_tz))
              OR e.attachment_count != (SELECT count(*) FROM attachments a WHERE a.entry_id = e.id)
              OR e.retracted != EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id)
           LIMIT 5"""
    ).fetchall()
    return any(problem(f"entry:{entry_id} shows something other than its current revision.") for (entry_id,) in rows)


def _check_client_counts(conn: Connection, problem: Callable[[str], bool]) -> bool:
    """The per-client entry counts the client list shows (kept by triggers) against a recount."""
    rows = conn.execute(
        """SELECT c.id FROM clients c LEFT JOIN client_counts n ON n.client_id = c.id
           WHERE n.entries IS NOT (SELECT count(*) FROM entries e WHERE e.client_id = c.id)
           LIMIT 5"""
    ).fetchall()
    return any(problem(f"client:{client_id} shows a wrong entry count.") for (client_id,) in rows)


def _check_blobs(conn: Connection, report: VerifyReport, problem: Callable[[str], bool]) -> bool:
    pending = conn.execute("SELECT count(*) FROM blobs WHERE sha256 IS NULL").fetchone()[0]
    if pending and problem(f"{plural(pending, 'stored file')} {'was' if pending == 1 else 'were'} never completed."):
        return True
    count = 0
    for blob_id, sha, size, chunk_count in conn.execute(
        "SELECT id, sha256, size, chunk_count FROM blobs WHERE sha256 IS NOT NULL"
    ).fetchall():
        count += 1
        digest = hashlib.sha256()
        total = 0
        chunks = 0
        for (data,) in conn.execute("SELECT data FROM blob_chunks WHERE blob_id = ? ORDER BY seq", (blob_id,)):
            digest.update(data)
            total += len(data)
            chunks += 1
        intact = chunks == chunk_count and total == size and digest.hexdigest() == sha
        if not intact and problem(f"The stored file {sha[:16]}… no longer has its SHA-256 (its bytes were changed)."):
            return True
    report.checked["files"] = count
    return False
