"""The parting-ways checklist: the steps an owner works through to end a client relationship.

Each step, when done, is a row in ``parting_steps`` with the date the owner gives
(``done_at``), who did it, how, a note, and the ledger event in the same
transaction. Rows are never changed: marking a step again adds a row, and the latest
row is the step's state. Some steps also act on the record in that same
transaction: reviewing the terms sets a "notice period ends" reminder, sending the
letter sets the follow-up call 24 h later, the follow-up call completes it, and the
last step sets the client's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app import ledger
from app.errors import InvalidInput
from app.records.clients import check_status
from app.records.common import clean_text
from app.records.times import now_utc, parse_utc_text, utc_text
from app.vault.store import Connection

if TYPE_CHECKING:
    from app.vault import Vault

FOLLOW_UP_AFTER = timedelta(hours=24)
FOLLOW_UP_TITLE = "Follow-up call about the letter"
NOTICE_TITLE = "Notice period ends"
FINAL_STATUSES = ("former", "do_not_serve")

_COLUMNS = "id, client_id, step, done_at, recorded_at, by_whom, how, note, due_at, entry_id, reminder_id"
UNDO_COLUMNS = "id, step_id, reason, undone_at"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    optional: bool = False
    needs_by: bool = False
    needs_how: bool = False
    needs_note: bool = False


STEPS: tuple[Step, ...] = (
    Step("meeting", "Meeting held / game plan written", optional=True),
    Step("terms", "Contract terms and notice period reviewed"),
    Step("settled", "Final invoice and refunds settled"),
    Step("drafted", "Letter drafted"),
    Step("proofread", "Letter proofread by someone else", needs_by=True),
    Step("sent", "Letter sent", needs_how=True),
    Step("follow_up", "Follow-up call (24 h after the letter)"),
    Step("outcome", "Outcome recorded", needs_note=True),
    Step("reflection", "Reflection written", needs_note=True),
    Step("status", "Status set to former or do-not-serve"),
)
STEP_KEYS = tuple(s.key for s in STEPS)


@dataclass(frozen=True)
class StepState:
    """One step as it stands. ``due_at`` is the notice end (terms) or when the call is due (follow_up)."""

    step: Step
    done_at: datetime | None = None
    by_whom: str = ""
    how: str = ""
    note: str = ""
    due_at: datetime | None = None
    entry_id: int | None = None
    reminder_id: int | None = None
    row_id: int | None = None  # the parting_steps row this state comes from (None: not done, or done elsewhere)

    @property
    def done(self) -> bool:
        return self.done_at is not None


def step_state(row: Any) -> dict[str, Any]:
    """The canonical state of a parting_steps row, as the ledger records it."""
    return dict(zip(_COLUMNS.split(", "), row, strict=True))


def undo_state(row: Any) -> dict[str, Any]:
    """The canonical state of a parting_step_undos row."""
    return dict(zip(UNDO_COLUMNS.split(", "), row, strict=True))


def find_step(key: str) -> Step:
    value = key.strip().lower().replace("-", "_")
    for step in STEPS:
        if step.key == value:
            return step
    raise InvalidInput(f"Unknown checklist step {key!r}; choose one of: {', '.join(STEP_KEYS)}.")


def checklist(vault: Vault, client_id: int) -> list[StepState]:
    """Every step for a client, in order, done or not."""
    client = vault.clients.get(client_id)
    rows = vault.db.all(
        f"SELECT {_COLUMNS} FROM parting_steps WHERE client_id = ?"
        " AND id NOT IN (SELECT step_id FROM parting_step_undos) ORDER BY id",
        (client_id,),
    )
    latest = {row[2]: step_state(row) for row in rows}
    states = []
    for step in STEPS:
        row = latest.get(step.key)
        if row is not None:
            states.append(_from_row(step, row))
        else:
            states.append(StepState(step))
    by_key = {s.step.key: s for s in states}
    sent = by_key["sent"]
    if not by_key["follow_up"].done and sent.done_at is not None:
        states[STEP_KEYS.index("follow_up")] = StepState(
            by_key["follow_up"].step, due_at=sent.done_at + FOLLOW_UP_AFTER
        )
    if not by_key["status"].done and client.status in FINAL_STATUSES:
        # The status may have been set outside the checklist; that counts.
        change = vault.clients.status_history(client_id)[-1]
        states[STEP_KEYS.index("status")] = StepState(
            by_key["status"].step, done_at=change.changed_at, note=f"{client.status}: {change.reason}"
        )
    return states


def _from_row(step: Step, row: dict[str, Any]) -> StepState:
    return StepState(
        step=step,
        done_at=parse_utc_text(row["done_at"]),
        by_whom=row["by_whom"],
        how=row["how"],
        note=row["note"],
        due_at=parse_utc_text(row["due_at"]) if row["due_at"] else None,
        entry_id=row["entry_id"],
        reminder_id=row["reminder_id"],
        row_id=row["id"],
    )


@dataclass(frozen=True)
class _CheckedStep:
    step: Step
    done_at: datetime
    by_whom: str
    how: str
    note: str
    status: str | None


def check_step(
    vault: Vault,
    client_id: int,
    step_key: str,
    *,
    done_at: datetime | None = None,
    by_whom: str = "",
    how: str = "",
    note: str = "",
    notice_end: datetime | None = None,
    entry_id: int | None = None,
    status: str | None = None,
    reason: str = "",
) -> None:
    """Raise InvalidInput (one line) when ``mark_done`` with these values would refuse them.

    Reads only: the desktop app checks here, on the GUI thread, before it hands the write
    to a worker (``mark_done`` checks again, in case the record changed meanwhile)."""
    _check(vault, client_id, step_key, done_at, by_whom, how, note, notice_end, entry_id, status, reason)


def _check(
    vault: Vault,
    client_id: int,
    step_key: str,
    done_at: datetime | None,
    by_whom: str,
    how: str,
    note: str,
    notice_end: datetime | None,
    entry_id: int | None,
    status: str | None,
    reason: str,
) -> _CheckedStep:
    step = find_step(step_key)
    vault.clients.get(client_id)
    done_at = done_at or now_utc()
    if done_at.tzinfo is None:
        raise InvalidInput("The date a step was done needs a time zone or UTC offset.")
    by_whom = clean_text(by_whom, "name of who did it", limit=500).strip()
    how = clean_text(how, "how it was done", limit=500).strip()
    note = clean_text(note, "note", limit=100_000).strip()
    if step.needs_by and not by_whom:
        raise InvalidInput(f"Say who did the step {step.key!r} (--by NAME): a second pair of eyes is the point.")
    if step.needs_how and not how:
        raise InvalidInput("Say how the letter was sent (--how, e.g. email, post, hand delivery).")
    if step.needs_note and not note:
        raise InvalidInput(f"The step {step.key!r} needs a few words (--note TEXT).")
    if notice_end is not None and step.key != "terms":
        raise InvalidInput("A notice end date belongs to the 'terms' step.")
    if notice_end is not None and notice_end.tzinfo is None:
        raise InvalidInput("The notice end date needs a time zone or UTC offset.")
    if step.key == "status":
        status = _final_status(vault, client_id, status, reason)
    if entry_id is not None and vault.entries.get(entry_id).client_id != client_id:
        raise InvalidInput(f"Entry {entry_id} belongs to another client.")
    return _CheckedStep(step, done_at, by_whom, how, note, status)


def mark_done(
    vault: Vault,
    client_id: int,
    step_key: str,
    *,
    done_at: datetime | None = None,
    by_whom: str = "",
    how: str = "",
    note: str = "",
    notice_end: datetime | None = None,
    entry_id: int | None = None,
    status: str | None = None,
    reason: str = "",
) -> StepState:
    """Mark a step done (dated ``done_at``, default now), with its side effects, in one transaction."""
    checked = _check(vault, client_id, step_key, done_at, by_whom, how, note, notice_end, entry_id, status, reason)
    step, done_at, by_whom, how, note, status = (
        checked.step,
        checked.done_at,
        checked.by_whom,
        checked.how,
        checked.note,
        checked.status,
    )

    with vault.db.write() as conn:
        due_at: datetime | None = None
        reminder_id: int | None = None
        if step.key == "terms" and notice_end is not None:
            due_at = notice_end
            title = f"{NOTICE_TITLE} ({note})" if note and len(note) <= 60 else NOTICE_TITLE
            reminder_id = vault.reminders.add(client_id, notice_end, title).id
        elif step.key == "sent":
            due_at = done_at + FOLLOW_UP_AFTER
            reminder_id = vault.reminders.add(client_id, due_at, FOLLOW_UP_TITLE, entry_id=entry_id).id
        elif step.key == "follow_up":
            reminder_id = _complete_follow_up_reminder(vault, conn, client_id)
        elif step.key == "status" and status is not None:
            vault.clients.set_status(client_id, status, reason)
            note = note or f"{status}: {reason}"
        cur = conn.execute(
            "INSERT INTO parting_steps(client_id, step, done_at, recorded_at, by_whom, how, note, due_at,"
            " entry_id, reminder_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                client_id,
                step.key,
                utc_text(done_at),
                utc_text(now_utc()),
                by_whom,
                how,
                note,
                utc_text(due_at) if due_at else None,
                entry_id,
                reminder_id,
            ),
        )
        row_id = int(cur.lastrowid)  # type: ignore[arg-type]
        row = conn.execute(f"SELECT {_COLUMNS} FROM parting_steps WHERE id = ?", (row_id,)).fetchone()
        ledger.record(conn, "parting.step", f"parting_step:{row_id}", step_state(row))
    return _from_row(step, step_state(row))


def _final_status(vault: Vault, client_id: int, status: str | None, reason: str) -> str | None:
    """The status to set for the last step, or None when the client already has a final one."""
    if status is None:
        if vault.clients.get(client_id).status in FINAL_STATUSES:
            return None
        raise InvalidInput("Choose the status to set: --status former or --status do-not-serve (with --reason).")
    value = check_status(status)
    if value not in FINAL_STATUSES:
        raise InvalidInput("The last step sets the status to former or do-not-serve.")
    if not reason.strip():
        raise InvalidInput("Give the reason for the status change (--reason TEXT); it is kept in the record.")
    return value


def _complete_follow_up_reminder(vault: Vault, conn: Connection, client_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM reminders WHERE client_id = ? AND title = ? AND done_at IS NULL ORDER BY due_utc LIMIT 1",
        (client_id, FOLLOW_UP_TITLE),
    ).fetchone()
    if row is None:
        return None
    vault.reminders.complete(int(row[0]))
    return int(row[0])


def undo_step(vault: Vault, row_id: int, reason: str) -> StepState:
    """Undo a marked step (Edit → Undo): a ``parting_step_undos`` row and the reversal of what the
    step did, in one transaction — its reminder cancelled (terms, sent) or reopened (follow_up), the
    status it set put back (status). The step row stays; the ledger keeps both. Returns the step's
    state afterwards (an earlier marking, or not done)."""
    reason = clean_text(reason, "reason", required=True, limit=1000).strip()
    with vault.db.write() as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM parting_steps WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            raise InvalidInput(f"There is no checklist step {row_id}.")
        state = step_state(row)
        if conn.execute("SELECT 1 FROM parting_step_undos WHERE step_id = ?", (row_id,)).fetchone():
            raise InvalidInput("That checklist step was already undone.")
        reminder_id = state["reminder_id"]
        if reminder_id is not None:
            reminder = vault.reminders.get(reminder_id)
            if state["step"] in ("terms", "sent") and reminder.done_at is None:
                vault.reminders.cancel(reminder_id, reason)
            elif state["step"] == "follow_up" and reminder.done_at is not None:
                vault.reminders.reopen(reminder_id, reason)
        if state["step"] == "status":
            _put_status_back(vault, state["client_id"], state, reason)
        cur = conn.execute(
            "INSERT INTO parting_step_undos(step_id, reason, undone_at) VALUES (?,?,?)",
            (row_id, reason, utc_text(now_utc())),
        )
        undo_id = int(cur.lastrowid)  # type: ignore[arg-type]
        undo = conn.execute(f"SELECT {UNDO_COLUMNS} FROM parting_step_undos WHERE id = ?", (undo_id,)).fetchone()
        ledger.record(conn, "parting.step_undone", f"parting_step_undo:{undo_id}", undo_state(undo))
    return next(s for s in checklist(vault, state["client_id"]) if s.step.key == state["step"])


def _put_status_back(vault: Vault, client_id: int, state: dict[str, Any], reason: str) -> None:
    """The status the client had before the status step set one — if the step set it (its note
    reads "former: …") and nothing changed the status since."""
    set_to = state["note"].split(":", 1)[0]
    history = vault.clients.status_history(client_id)
    if set_to not in FINAL_STATUSES or vault.clients.get(client_id).status != set_to or not history:
        return
    if history[-1].status != set_to or utc_text(history[-1].changed_at) > state["recorded_at"]:
        return  # set again after the step: the owner's later choice stands
    previous = history[-2].status if len(history) > 1 else "active"
    vault.clients.set_status(client_id, previous, reason)
