"""Clients: who the record is about, and their status history."""

from __future__ import annotations

import json
from typing import Any

from app import ledger
from app.errors import Ambiguous, InvalidInput, NotFound
from app.records.common import MAX_LOOKUP_CHARS, clean_list, clean_text, dumps, like_prefix
from app.records.models import CLIENT_STATUSES, Client, ClientRevision, StatusChange, normalize_choice
from app.records.times import now_utc, parse_utc_text, utc_text
from app.vault.db import Database
from app.vault.store import Connection

_COLUMNS = "id, name, emails, phones, address, notes, status, created_at, updated_at"


def check_status(status: str) -> str:
    value = normalize_choice(status)
    if value not in CLIENT_STATUSES:
        choices = ", ".join(s.replace("_", "-") for s in CLIENT_STATUSES)
        raise InvalidInput(f"Unknown status {status!r}; choose one of: {choices}.")
    return value


def client_state(conn: Connection, client_id: int) -> dict[str, Any]:
    """The canonical state of a client row, as the ledger records it."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM clients WHERE id = ?", (client_id,)).fetchone()
    return state_from_row(row)


def state_from_row(row: Any) -> dict[str, Any]:
    keys = _COLUMNS.split(", ")
    state = dict(zip(keys, row, strict=True))
    state["emails"] = json.loads(state["emails"])
    state["phones"] = json.loads(state["phones"])
    return state


def _client(row: Any, entry_count: int = 0) -> Client:
    s = state_from_row(row)
    return Client(
        id=s["id"],
        name=s["name"],
        emails=tuple(s["emails"]),
        phones=tuple(s["phones"]),
        address=s["address"],
        notes=s["notes"],
        status=s["status"],
        created_at=parse_utc_text(s["created_at"]),
        updated_at=parse_utc_text(s["updated_at"]),
        entry_count=entry_count,
    )


class Clients:
    def __init__(self, db: Database, on_change: Any = None) -> None:
        self._db = db
        self._on_change = on_change or (lambda *_: None)

    @staticmethod
    def check_new(
        name: str,
        *,
        emails: tuple[str, ...] | list[str] = (),
        phones: tuple[str, ...] | list[str] = (),
        address: str = "",
        notes: str = "",
        status: str = "active",
    ) -> tuple[str, tuple[str, ...], tuple[str, ...], str, str, str]:
        """Raise InvalidInput (one line) when ``add`` would refuse these; the cleaned values.

        Reads nothing: the desktop app checks here on the GUI thread before it hands the
        write to a worker (``add`` checks again)."""
        return (
            _nfc(clean_text(name, "client name", required=True, limit=500)),
            clean_list(emails, "email address", limit=320),
            clean_list(phones, "phone number", limit=100),
            clean_text(address, "address"),
            clean_text(notes, "notes"),
            check_status(status),
        )

    def add(
        self,
        name: str,
        *,
        emails: tuple[str, ...] | list[str] = (),
        phones: tuple[str, ...] | list[str] = (),
        address: str = "",
        notes: str = "",
        status: str = "active",
    ) -> Client:
        name, emails, phones, address, notes, status = self.check_new(
            name, emails=emails, phones=phones, address=address, notes=notes, status=status
        )
        now = utc_text(now_utc())
        with self._db.write() as conn:
            cur = conn.execute(
                "INSERT INTO clients(name, emails, phones, address, notes, status, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (name, dumps(list(emails)), dumps(list(phones)), address, notes, status, now, now),
            )
            client_id = int(cur.lastrowid)  # type: ignore[arg-type]
            ledger.record(conn, "client.add", f"client:{client_id}", client_state(conn, client_id))
            if status != "active":
                self._insert_status_change(conn, client_id, status, "Status when the client was added.", now)
        self._on_change("client_added", client_id)
        return self.get(client_id)

    def check_update(
        self, client_id: int, **changes: Any
    ) -> tuple[Client, str, tuple[str, ...], tuple[str, ...], str, str]:
        """Raise InvalidInput (one line) when ``update`` would refuse these changes; the client
        as it is and its new name, emails, phones, address and notes (a read, no write)."""
        allowed = {"name", "emails", "phones", "address", "notes"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} this way.")
        current = self.get(client_id)
        return (
            current,
            _nfc(clean_text(changes.get("name", current.name), "client name", required=True, limit=500)),
            clean_list(changes.get("emails", current.emails), "email address"),
            clean_list(changes.get("phones", current.phones), "phone number"),
            clean_text(changes.get("address", current.address), "address"),
            clean_text(changes.get("notes", current.notes), "notes"),
        )

    def update(self, client_id: int, **changes: Any) -> Client:
        current, name, emails, phones, address, notes = self.check_update(client_id, **changes)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE clients SET name=?, emails=?, phones=?, address=?, notes=?, updated_at=? WHERE id=?",
                (name, dumps(list(emails)), dumps(list(phones)), address, notes, utc_text(now_utc()), client_id),
            )
            ledger.record(conn, "client.update", f"client:{client_id}", client_state(conn, client_id))
            if name != current.name:
                from app.search import reindex_client

                reindex_client(conn, client_id)
        self._on_change("client_changed", client_id)
        return self.get(client_id)

    @staticmethod
    def check_status_change(status: str, reason: str) -> tuple[str, str]:
        """Raise InvalidInput (one line) when ``set_status`` would refuse these (reads nothing)."""
        return check_status(status), clean_text(reason, "reason for the status change", required=True, limit=5000)

    def set_status(self, client_id: int, status: str, reason: str) -> Client:
        status, reason = self.check_status_change(status, reason)
        self.get(client_id)
        now = utc_text(now_utc())
        with self._db.write() as conn:
            conn.execute("UPDATE clients SET status=?, updated_at=? WHERE id=?", (status, now, client_id))
            ledger.record(conn, "client.status", f"client:{client_id}", client_state(conn, client_id))
            self._insert_status_change(conn, client_id, status, reason, now)
        self._on_change("client_changed", client_id)
        return self.get(client_id)

    @staticmethod
    def _insert_status_change(conn: Connection, client_id: int, status: str, reason: str, at: str) -> None:
        cur = conn.execute(
            "INSERT INTO status_changes(client_id, status, reason, changed_at) VALUES (?,?,?,?)",
            (client_id, status, reason, at),
        )
        change_id = int(cur.lastrowid)  # type: ignore[arg-type]
        state = {"id": change_id, "client_id": client_id, "status": status, "reason": reason, "changed_at": at}
        ledger.record(conn, "client.status_change", f"status:{change_id}", state)

    def status_history(self, client_id: int) -> list[StatusChange]:
        rows = self._db.all(
            "SELECT id, client_id, status, reason, changed_at FROM status_changes WHERE client_id=? ORDER BY id",
            (client_id,),
        )
        return [StatusChange(r[0], r[1], r[2], r[3], parse_utc_text(r[4])) for r in rows]

    def revisions(self, client_id: int) -> list[ClientRevision]:
        """Every recorded version of the client's details, oldest first (read from the ledger,
        which holds the full row after each change: the record keeps former names and addresses)."""
        rows = self._db.all(
            "SELECT seq, at, action, payload FROM events WHERE subject = ? ORDER BY seq", (f"client:{client_id}",)
        )
        out = []
        for seq, at, action, payload in rows:
            state = json.loads(payload).get("state")
            if not isinstance(state, dict) or "name" not in state:
                continue
            out.append(
                ClientRevision(
                    int(seq),
                    parse_utc_text(at),
                    str(action),
                    str(state["name"]),
                    tuple(state.get("emails") or ()),
                    tuple(state.get("phones") or ()),
                    str(state.get("address") or ""),
                    str(state.get("notes") or ""),
                    str(state.get("status") or ""),
                )
            )
        return out

    def known_identities(self, client_id: int) -> tuple[set[str], set[str], set[str]]:
        """Every name, email and phone the client has had (current and former), as recorded."""
        current = self.get(client_id)
        names, emails, phones = {current.name}, set(current.emails), set(current.phones)
        for revision in self.revisions(client_id):
            names.add(revision.name)
            emails.update(revision.emails)
            phones.update(revision.phones)
        return names, emails, phones

    def get(self, client_id: int) -> Client:
        row = self._db.one(f"SELECT {_COLUMNS} FROM clients WHERE id = ?", (client_id,))
        if row is None:
            raise NotFound(f"There is no client with id {client_id}.")
        count = self._db.scalar("SELECT entries FROM client_counts WHERE client_id = ?", (client_id,))
        return _client(row, int(count or 0))

    def list(self, text: str = "") -> list[Client]:
        """All clients (optionally filtered by a name/email/phone substring), by name."""
        if len(text) > MAX_LOOKUP_CHARS:
            raise InvalidInput(f"The filter is too long ({len(text):,} characters; at most {MAX_LOOKUP_CHARS}).")
        pattern = f"%{text.strip()}%"
        rows = self._db.all(
            f"SELECT {', '.join('c.' + c for c in _COLUMNS.split(', '))},"
            " coalesce(n.entries, 0)"
            " FROM clients c LEFT JOIN client_counts n ON n.client_id = c.id WHERE c.name LIKE ?1 OR c.emails LIKE ?1 OR c.phones LIKE ?1"
            " ORDER BY c.name COLLATE NOCASE, c.id",
            (pattern,),
        )
        return [_client(r[:-1], int(r[-1])) for r in rows]

    def resolve(self, ref: str) -> Client:
        """A client from an id, an exact name, or an unambiguous name prefix."""
        ref = _nfc(ref.strip())  # names are stored NFC: a name typed in NFD still finds its client
        if not ref:
            raise InvalidInput("Name a client (an id or the start of a name).")
        if ref.isascii() and ref.isdigit():
            if len(ref) > 18:  # beyond SQLite's integers: no such id
                raise NotFound(f"There is no client with id {ref[:20]}….")
            return self.get(int(ref))
        exact = self._db.all("SELECT id FROM clients WHERE name = ? COLLATE NOCASE", (ref,))
        if len(exact) == 1:
            return self.get(int(exact[0][0]))
        rows = self._db.all(
            "SELECT id, name FROM clients WHERE name LIKE ? ESCAPE '\\' ORDER BY name COLLATE NOCASE LIMIT 6",
            (like_prefix(ref),),
        )
        if not rows:
            raise NotFound(f"No client matches {ref!r}.")
        if len(rows) > 1:
            names = ", ".join(r[1] for r in rows[:5])
            raise Ambiguous(f"{ref!r} matches several clients ({names}); give more of the name or the id.")
        return self.get(int(rows[0][0]))


def _nfc(name: str) -> str:
    """One spelling per name: "Café" typed on a Mac (NFD) and on Windows (NFC) is one client."""
    import unicodedata

    return unicodedata.normalize("NFC", name)
