"""Entries: what happened, when, with every revision and any retraction kept."""

from __future__ import annotations

import json
from array import array
from dataclasses import replace
from typing import Any

from app import ledger
from app.errors import Ambiguous, InvalidInput, NotFound
from app.records.common import clean_list, clean_text, dumps, like_prefix, optional_amount, optional_non_negative
from app.records.journal import SNIPPET_PREFIX
from app.records.models import ENTRY_KINDS, Entry, EntryFields, Retraction, Revision, TimelineRow, normalize_choice
from app.records.times import check_range, now_utc, offset_minutes, parse_utc_text, utc_text, with_offset
from app.search import index_entry
from app.vault.db import Database
from app.vault.store import Connection

_REV_COLUMNS = (
    "id, entry_id, rev, recorded_at, kind, occurred_utc, occurred_offset, occurred_tz, title, body,"
    " participants, duration_min, time_spent_min, amount_cents, currency, tags, private, note"
)
_REV_KEYS = _REV_COLUMNS.split(", ")


def check_fields(fields: EntryFields) -> EntryFields:
    kind = normalize_choice(fields.kind)
    if kind not in ENTRY_KINDS:
        raise InvalidInput(f"Unknown kind {fields.kind!r}; choose one of: {', '.join(ENTRY_KINDS)}.")
    if fields.occurred_at.tzinfo is None:
        raise InvalidInput("The time of an entry needs a time zone or UTC offset.")
    check_range(fields.occurred_at, "time of the entry")
    if fields.currency is not None and (len(fields.currency) != 3 or not fields.currency.isalpha()):
        raise InvalidInput(f"{fields.currency!r} is not a currency code (e.g. USD, EUR).")
    return replace(
        fields,
        kind=kind,
        title=clean_text(fields.title, "title", required=True, limit=1000),
        body=clean_text(fields.body, "body"),
        participants=clean_list(fields.participants, "participant"),
        tags=tuple(t.lower() for t in clean_list(fields.tags, "tag")),
        duration_min=optional_non_negative(fields.duration_min, "duration"),
        time_spent_min=optional_non_negative(fields.time_spent_min, "time spent"),
        amount_cents=optional_amount(fields.amount_cents),
        currency=fields.currency.upper() if fields.currency else None,
    )


def revision_state(row: Any) -> dict[str, Any]:
    state = dict(zip(_REV_KEYS, row, strict=True))
    state["participants"] = json.loads(state["participants"])
    state["tags"] = json.loads(state["tags"])
    return state


def entry_state(row: Any) -> dict[str, Any]:
    return {"id": row[0], "client_id": row[1], "recorded_at": row[2]}


def retraction_state(row: Any) -> dict[str, Any]:
    return {"entry_id": row[0], "reason": row[1], "retracted_at": row[2]}


def _fields(state: dict[str, Any]) -> EntryFields:
    return EntryFields(
        kind=state["kind"],
        occurred_at=with_offset(parse_utc_text(state["occurred_utc"]), state["occurred_offset"]),
        occurred_tz=state["occurred_tz"],
        title=state["title"],
        body=state["body"],
        participants=tuple(state["participants"]),
        duration_min=state["duration_min"],
        time_spent_min=state["time_spent_min"],
        amount_cents=state["amount_cents"],
        currency=state["currency"],
        tags=tuple(state["tags"]),
        private=bool(state["private"]),
    )


def insert_entry(conn: Connection, client_id: int, fields: EntryFields, *, at: str | None = None) -> int:
    """Create an entry and its first revision inside the caller's transaction."""
    fields = check_fields(fields)
    if conn.execute("SELECT 1 FROM clients WHERE id=?", (client_id,)).fetchone() is None:
        raise NotFound(f"There is no client with id {client_id}.")
    recorded_at = at or utc_text(now_utc())
    cur = conn.execute(
        "INSERT INTO entries(client_id, recorded_at, current_rev, kind, occurred_utc, title, private)"
        " VALUES (?,?,?,?,?,?,?)",
        (client_id, recorded_at, 1, fields.kind, utc_text(fields.occurred_at), fields.title, int(fields.private)),
    )
    entry_id = int(cur.lastrowid)  # type: ignore[arg-type]
    ledger.record(
        conn, "entry.create", f"entry:{entry_id}", {"id": entry_id, "client_id": client_id, "recorded_at": recorded_at}
    )
    _insert_revision(conn, entry_id, 1, fields, recorded_at, "")
    return entry_id


def _insert_revision(conn: Connection, entry_id: int, rev: int, f: EntryFields, at: str, note: str) -> None:
    cur = conn.execute(
        f"INSERT INTO revisions({_REV_COLUMNS}) VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            entry_id,
            rev,
            at,
            f.kind,
            utc_text(f.occurred_at),
            offset_minutes(f.occurred_at),
            f.occurred_tz,
            f.title,
            f.body,
            dumps(list(f.participants)),
            f.duration_min,
            f.time_spent_min,
            f.amount_cents,
            f.currency,
            dumps(list(f.tags)),
            int(f.private),
            note,
        ),
    )
    rev_id = int(cur.lastrowid)  # type: ignore[arg-type]
    row = conn.execute(f"SELECT {_REV_COLUMNS} FROM revisions WHERE id=?", (rev_id,)).fetchone()
    ledger.record(conn, "entry.revise" if rev > 1 else "entry.revision", f"revision:{rev_id}", revision_state(row))
    conn.execute(
        "UPDATE entries SET current_rev=?, kind=?, occurred_utc=?, title=?, private=?,"
        " snippet=?, occurred_offset=?, occurred_tz=? WHERE id=?",
        (
            rev,
            f.kind,
            utc_text(f.occurred_at),
            f.title,
            int(f.private),
            f.body[:SNIPPET_PREFIX],
            offset_minutes(f.occurred_at),
            f.occurred_tz,
            entry_id,
        ),
    )
    index_entry(conn, entry_id)


class Entries:
    def __init__(self, db: Database, on_change: Any = None) -> None:
        self._db = db
        self._on_change = on_change or (lambda *_: None)

    def log(self, client_id: int, fields: EntryFields) -> Entry:
        with self._db.write() as conn:
            entry_id = insert_entry(conn, client_id, fields)
        self._on_change("entry_added", entry_id)
        return self.get(entry_id)

    def revise(self, entry_id: int, fields: EntryFields, note: str = "") -> Entry:
        """Edit an entry: a new revision is added; every earlier one stays."""
        fields = check_fields(fields)
        note = clean_text(note, "revision note", limit=5000)
        with self._db.write() as conn:
            current = self._get(conn, entry_id)
            if current.retraction is not None:
                raise InvalidInput(f"Entry {entry_id} was retracted; it can no longer be edited.")
            if current.fields == fields:
                raise InvalidInput("Nothing changed; no revision was added.")
            _insert_revision(conn, entry_id, current.rev + 1, fields, utc_text(now_utc()), note)
        self._on_change("entry_revised", entry_id)
        return self.get(entry_id)

    def retract(self, entry_id: int, reason: str) -> Entry:
        reason = clean_text(reason, "reason for the retraction", required=True, limit=5000)
        with self._db.write() as conn:
            current = self._get(conn, entry_id)
            if current.retraction is not None:
                raise InvalidInput(f"Entry {entry_id} is already retracted.")
            at = utc_text(now_utc())
            conn.execute(
                "INSERT INTO retractions(entry_id, reason, retracted_at) VALUES (?,?,?)", (entry_id, reason, at)
            )
            conn.execute("UPDATE entries SET retracted=1 WHERE id=?", (entry_id,))
            ledger.record(conn, "entry.retract", f"retraction:{entry_id}", retraction_state((entry_id, reason, at)))
        self._on_change("entry_retracted", entry_id)
        return self.get(entry_id)

    def get(self, entry_id: int) -> Entry:
        with self._db.read() as conn:
            return self._get(conn, entry_id)

    @staticmethod
    def _get(conn: Connection, entry_id: int) -> Entry:
        head = conn.execute(
            "SELECT id, client_id, recorded_at, current_rev, attachment_count FROM entries WHERE id=?", (entry_id,)
        ).fetchone()
        if head is None:
            raise NotFound(f"There is no entry with id {entry_id}.")
        row = conn.execute(
            f"SELECT {_REV_COLUMNS} FROM revisions WHERE entry_id=? AND rev=?", (entry_id, head[3])
        ).fetchone()
        state = revision_state(row)
        retraction = conn.execute(
            "SELECT reason, retracted_at FROM retractions WHERE entry_id=?", (entry_id,)
        ).fetchone()
        return Entry(
            id=head[0],
            client_id=head[1],
            recorded_at=parse_utc_text(head[2]),
            rev=head[3],
            fields=_fields(state),
            revised_at=parse_utc_text(state["recorded_at"]),
            attachment_count=head[4],
            retraction=Retraction(retraction[0], parse_utc_text(retraction[1])) if retraction else None,
        )

    def revisions(self, entry_id: int) -> list[Revision]:
        rows = self._db.all(f"SELECT {_REV_COLUMNS} FROM revisions WHERE entry_id=? ORDER BY rev", (entry_id,))
        if not rows:
            raise NotFound(f"There is no entry with id {entry_id}.")
        out = []
        for row in rows:
            state = revision_state(row)
            out.append(Revision(state["rev"], parse_utc_text(state["recorded_at"]), _fields(state), state["note"]))
        return out

    # -- the timeline ------------------------------------------------------

    def timeline_ids(
        self, client_id: int | None = None, kinds: tuple[str, ...] = (), limit: int | None = None
    ) -> list[int]:
        """Entry ids, newest first; ``limit`` gives the newest few fast."""
        return self.timeline_id_array(client_id, kinds, limit).tolist()

    def timeline_id_array(
        self, client_id: int | None = None, kinds: tuple[str, ...] = (), limit: int | None = None
    ) -> array[int]:
        """``timeline_ids`` as an array of 64-bit ints, which the GUI's timeline model holds (it
        fetches rows in pages). A million ids are 8 MB instead of 36, and the garbage collector
        has nothing to walk in them: a list of a million ints made every full collection walk it
        (~50 ms holding the GIL, on whichever thread it ran: a stall of the GUI). Read row by row
        for the same reason: a million row tuples alive at once set off such a collection."""
        where, params = _timeline_filter(client_id, kinds)
        tail = " LIMIT ?" if limit is not None else ""
        params += [limit] if limit is not None else []
        sql = f"SELECT id FROM entries {where} ORDER BY occurred_utc DESC, id DESC{tail}"
        with self._db.read() as conn:
            return array("q", (row[0] for row in conn.execute(sql, params)))

    def timeline_rows(self, ids: list[int]) -> list[TimelineRow]:
        """The rows for a page of ids, in the order given."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._db.all(
            "SELECT id, client_id, kind, occurred_utc, title, attachment_count, retracted, private"
            f" FROM entries WHERE id IN ({marks})",
            ids,
        )
        by_id = {r[0]: TimelineRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7])) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def journal_rows(self, ids: list[int]) -> list[Any]:
        """The timeline's story rows for a page of ids (``app.records.journal.JournalRow``)."""
        from app.records.journal import journal_rows

        return journal_rows(self._db, ids)

    def timeline(self, client_id: int | None = None, kinds: tuple[str, ...] = (), limit: int = 10_000) -> list[Entry]:
        ids = self.timeline_ids(client_id, kinds)[:limit]
        with self._db.read() as conn:
            return [self._get(conn, i) for i in ids]

    def count(self, client_id: int | None = None) -> int:
        where, params = _timeline_filter(client_id, ())
        return int(self._db.scalar(f"SELECT count(*) FROM entries {where}", params))

    def resolve(self, ref: str) -> Entry:
        """An entry from its id or an unambiguous title prefix."""
        ref = ref.strip().lstrip("#")
        if ref.isascii() and ref.isdigit():
            if len(ref) > 18:  # beyond SQLite's integers: no such id
                raise NotFound(f"There is no entry with id {ref[:20]}….")
            return self.get(int(ref))
        if not ref:
            raise InvalidInput("Name an entry (its id or the start of its title).")
        rows = self._db.all(
            "SELECT id, title FROM entries WHERE title LIKE ? ESCAPE '\\' ORDER BY occurred_utc DESC LIMIT 6",
            (like_prefix(ref),),
        )
        if not rows:
            raise NotFound(f"No entry matches {ref!r}.")
        if len(rows) > 1:
            shown = ", ".join(f"#{r[0]} {r[1]!r}" for r in rows[:5])
            raise Ambiguous(f"{ref!r} matches several entries ({shown}); use the id.")
        return self.get(int(rows[0][0]))


def _timeline_filter(client_id: int | None, kinds: tuple[str, ...]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if client_id is not None:
        clauses.append("client_id = ?")
        params.append(client_id)
    if kinds:
        normalized = [normalize_choice(k) for k in kinds]
        clauses.append(f"kind IN ({','.join('?' * len(normalized))})")
        params.extend(normalized)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params
