"""The follow-up call card: the letter's key points, calm answers to pushback, a quick call log."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from app.errors import InvalidInput
from app.parting.letter_checks import ALTERNATIVES, DECISION, FINAL_INVOICE
from app.parting.letters import read_template
from app.records.models import Entry, EntryFields
from app.records.times import now_utc

if TYPE_CHECKING:
    from app.vault import Vault

CALL_TITLE = "Follow-up call after the letter"
_SENTENCE = re.compile(r"(?<=[.;])\s+|\n+")
_DATE_WORDS = re.compile(r"\b(?:effective|ends? on|last day|by [A-Z][a-z]+ \d)", re.IGNORECASE)


@dataclass(frozen=True)
class Pushback:
    question: str
    answer: str


@dataclass(frozen=True)
class CallCard:
    client_id: int
    client_name: str
    phones: tuple[str, ...]
    letter: Entry | None
    due_at: datetime | None
    key_points: list[str] = field(default_factory=list)
    pushback: list[Pushback] = field(default_factory=list)


def pushback_answers() -> list[Pushback]:
    """The prepared answers in resources/templates/pushback.txt ("Q:"/"A:" blocks)."""
    answers: list[Pushback] = []
    question = ""
    for line in read_template("pushback.txt").splitlines():
        line = line.strip()
        if line.startswith("Q:"):
            question = line[2:].strip()
        elif line.startswith("A:") and question:
            answers.append(Pushback(question, line[2:].strip()))
            question = ""
    return answers


def key_points(body: str, limit: int = 6) -> list[str]:
    """The sentences of a letter the owner must be able to repeat: the decision, dates, money, referrals."""
    points: list[str] = []
    for piece in _SENTENCE.split(body):
        piece = piece.strip().lstrip("-").strip()
        if len(piece) < 12 or piece in points:
            continue
        if any(p.search(piece) for p in (DECISION, FINAL_INVOICE, ALTERNATIVES, _DATE_WORDS)):
            points.append(piece)
        if len(points) == limit:
            break
    return points


def latest_letter(vault: Vault, client_id: int) -> Entry | None:
    for entry in vault.entries.timeline(client_id, ("letter_sent",), limit=5):
        if entry.retraction is None:
            return entry
    return None


def call_card(vault: Vault, client_id: int) -> CallCard:
    from app.parting.checklist import checklist

    client = vault.clients.get(client_id)
    letter = latest_letter(vault, client_id)
    follow_up = next(s for s in checklist(vault, client_id) if s.step.key == "follow_up")
    return CallCard(
        client_id=client.id,
        client_name=client.name,
        phones=client.phones,
        letter=letter,
        due_at=None if follow_up.done else follow_up.due_at,
        key_points=key_points(letter.fields.body) if letter else [],
        pushback=pushback_answers(),
    )


def check_follow_up_call(
    vault: Vault,
    client_id: int,
    *,
    summary: str,
    outcome: str = "",
    duration_min: int | None = None,
    when: datetime | None = None,
) -> EntryFields:
    """Raise InvalidInput (one line) when ``log_follow_up_call`` would refuse this; the call's fields.

    Reads only: the desktop app checks here, on the GUI thread, before it hands the write to
    a worker (``log_follow_up_call`` checks again)."""
    from app.parting.checklist import check_step
    from app.records.entries import check_fields

    if not summary.strip():
        raise InvalidInput("Write a line about the call; nothing was logged.")
    client = vault.clients.get(client_id)
    when = when or now_utc()
    fields = EntryFields(
        kind="call",
        occurred_at=when,
        title=CALL_TITLE,
        body=summary + (f"\n\nOutcome: {outcome}" if outcome.strip() else ""),
        participants=(client.name,),
        duration_min=duration_min,
        tags=("follow-up",),
    )
    check_fields(fields)
    check_step(vault, client_id, "follow_up", done_at=when, note=summary[:500])
    if outcome.strip():
        check_step(vault, client_id, "outcome", done_at=when, note=outcome)
    return fields


def log_follow_up_call(
    vault: Vault,
    client_id: int,
    *,
    summary: str,
    outcome: str = "",
    duration_min: int | None = None,
    when: datetime | None = None,
) -> int:
    """Log the call, mark the follow-up step (completing its reminder) and, with an outcome,
    the outcome step: one transaction. Returns the call entry's id."""
    from app.parting.checklist import mark_done
    from app.records.entries import (
        insert_entry,
    )  # here: app.records.entries at import time closes a cycle via app.vault

    when = when or now_utc()
    fields = check_follow_up_call(
        vault, client_id, summary=summary, outcome=outcome, duration_min=duration_min, when=when
    )
    with vault.db.write() as conn:
        entry_id = insert_entry(conn, client_id, fields)
        mark_done(vault, client_id, "follow_up", done_at=when, entry_id=entry_id, note=summary[:500])
        if outcome.strip():
            mark_done(vault, client_id, "outcome", done_at=when, entry_id=entry_id, note=outcome)
    return entry_id
