"""Reminders: dated tasks on a client (follow-up call in 24 h, notice period ends)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app import ledger
from app.errors import InvalidInput, NotFound
from app.records.common import clean_text
from app.records.models import Reminder
from app.records.times import check_range, now_utc, parse_utc_text, utc_text
from app.vault.db import Database

_COLUMNS = "id, client_id, entry_id, due_utc, title, created_at, done_at"
SNOOZE_CHOICES = ("hour", "tomorrow", "next_week")
MORNING_HOUR = 9  # "tomorrow" and "next week" mean at the start of a working day


def snooze_until(choice: str, now: datetime) -> datetime:
    """When a reminder snoozed at ``now`` (aware, in the owner's zone) comes back: in 1 hour,
    tomorrow at 9:00, or next Monday at 9:00."""
    if now.tzinfo is None:
        raise InvalidInput("Snoozing needs the current time with its time zone.")
    if choice == "hour":
        return now + timedelta(hours=1)
    morning = now.replace(hour=MORNING_HOUR, minute=0, second=0, microsecond=0)
    if choice == "tomorrow":
        return morning + timedelta(days=1)
    if choice == "next_week":
        return morning + timedelta(days=7 - now.weekday())
    raise InvalidInput(f"Unknown snooze {choice!r}; choose one of: {', '.join(SNOOZE_CHOICES)}.")


def reminder_state(row: Any) -> dict[str, Any]:
    return dict(zip(_COLUMNS.split(", "), row, strict=True))


def _reminder(row: Any) -> Reminder:
    return Reminder(
        id=row[0],
        client_id=row[1],
        entry_id=row[2],
        due_at=parse_utc_text(row[3]),
        title=row[4],
        created_at=parse_utc_text(row[5]),
        done_at=parse_utc_text(row[6]) if row[6] else None,
    )


class Reminders:
    def __init__(self, db: Database, on_change: Any = None) -> None:
        self._db = db
        self._on_change = on_change or (lambda *_: None)

    @staticmethod
    def check(due_at: datetime, title: str) -> str:
        """Raise InvalidInput (one line) when ``add`` would refuse these; the cleaned title.

        Reads nothing: the desktop app checks here on the GUI thread before it hands the
        write to a worker (``add`` checks again)."""
        if due_at.tzinfo is None:
            raise InvalidInput("A reminder's time needs a time zone or UTC offset.")
        check_range(due_at, "reminder's time")
        return clean_text(title, "reminder", required=True, limit=1000)

    def add(self, client_id: int, due_at: datetime, title: str, entry_id: int | None = None) -> Reminder:
        title = self.check(due_at, title)
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM clients WHERE id=?", (client_id,)).fetchone() is None:
                raise NotFound(f"There is no client with id {client_id}.")
            cur = conn.execute(
                "INSERT INTO reminders(client_id, entry_id, due_utc, title, created_at) VALUES (?,?,?,?,?)",
                (client_id, entry_id, utc_text(due_at), title, utc_text(now_utc())),
            )
            rid = int(cur.lastrowid)  # type: ignore[arg-type]
            row = conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE id=?", (rid,)).fetchone()
            ledger.record(conn, "reminder.add", f"reminder:{rid}", reminder_state(row))
        self._on_change("reminder_added", rid)
        return _reminder(row)

    def complete(self, reminder_id: int) -> Reminder:
        with self._db.write() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE id=?", (reminder_id,)).fetchone()
            if row is None:
                raise NotFound(f"There is no reminder with id {reminder_id}.")
            if row[6] is not None:
                raise InvalidInput(f"Reminder {reminder_id} is already done.")
            conn.execute("UPDATE reminders SET done_at=? WHERE id=?", (utc_text(now_utc()), reminder_id))
            row = conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE id=?", (reminder_id,)).fetchone()
            ledger.record(conn, "reminder.done", f"reminder:{reminder_id}", reminder_state(row))
        self._on_change("reminder_done", reminder_id)
        return _reminder(row)

    def open(self, client_id: int | None = None, due_before: datetime | None = None) -> list[Reminder]:
        sql = f"SELECT {_COLUMNS} FROM reminders WHERE done_at IS NULL"
        params: list[Any] = []
        if client_id is not None:
            sql += " AND client_id = ?"
            params.append(client_id)
        if due_before is not None:
            sql += " AND due_utc <= ?"
            params.append(utc_text(due_before))
        return [_reminder(r) for r in self._db.all(sql + " ORDER BY due_utc, id", params)]

    def get(self, reminder_id: int) -> Reminder:
        row = self._db.one(f"SELECT {_COLUMNS} FROM reminders WHERE id=?", (reminder_id,))
        if row is None:
            raise NotFound(f"There is no reminder with id {reminder_id}.")
        return _reminder(row)

    def snooze(self, reminder_id: int, due_at: datetime, *, reason: str = "") -> Reminder:
        """Move an open reminder to ``due_at`` (1 h later, tomorrow …); the ledger keeps the old time."""
        if due_at.tzinfo is None:
            raise InvalidInput("A reminder's new time needs a time zone or UTC offset.")
        reason = clean_text(reason, "reason", limit=1000).strip()
        return self._change(
            reminder_id, "reminder.snooze", "due_utc = ?", (utc_text(due_at),), reason, must_be_open=True
        )

    def reopen(self, reminder_id: int, reason: str) -> Reminder:
        """A done reminder is open again (undoing "done"); the ledger keeps when it was done, and why it reopened."""
        reason = clean_text(reason, "reason", required=True, limit=1000).strip()
        row = self._db.one("SELECT done_at FROM reminders WHERE id=?", (reminder_id,))
        if row is not None and row[0] is None:
            raise InvalidInput(f"Reminder {reminder_id} is not done.")
        return self._change(reminder_id, "reminder.reopen", "done_at = NULL", (), reason, must_be_open=False)

    def cancel(self, reminder_id: int, reason: str) -> Reminder:
        """Close an open reminder without doing it (undoing its creation): the row stays, closed, with the reason."""
        reason = clean_text(reason, "reason", required=True, limit=1000).strip()
        return self._change(
            reminder_id, "reminder.cancel", "done_at = ?", (utc_text(now_utc()),), reason, must_be_open=True
        )

    def _change(
        self,
        reminder_id: int,
        action: str,
        assignment: str,
        params: tuple[Any, ...],
        reason: str,
        *,
        must_be_open: bool,
    ) -> Reminder:
        with self._db.write() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE id=?", (reminder_id,)).fetchone()
            if row is None:
                raise NotFound(f"There is no reminder with id {reminder_id}.")
            if must_be_open and row[6] is not None:
                raise InvalidInput(f"Reminder {reminder_id} is already done.")
            conn.execute(f"UPDATE reminders SET {assignment} WHERE id=?", (*params, reminder_id))
            row = conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE id=?", (reminder_id,)).fetchone()
            extra = {"reason": reason} if reason else {}
            ledger.record(conn, action, f"reminder:{reminder_id}", reminder_state(row), **extra)
        self._on_change(action.replace(".", "_"), reminder_id)
        return _reminder(row)
