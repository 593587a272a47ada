"""Parting ways, core: the pattern verdict with a fixed clock, and the checklist in the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import InvalidInput
from app.parting.checklist import FOLLOW_UP_TITLE, checklist, mark_done
from app.parting.pattern import client_pattern
from app.records.models import EntryFields

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _log(vault, client_id: int, kind: str, days_ago: float, **extra) -> None:  # type: ignore[no-untyped-def]
    vault.entries.log(client_id, EntryFields(kind, NOW - timedelta(days=days_ago), f"{kind} {days_ago}", **extra))


def test_a_client_with_nothing_wrong_gets_no_verdict_against_them(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Quiet Client")
    _log(vault, c.id, "call", 3, duration_min=10)
    p = client_pattern(vault, c.id, now=NOW)
    assert p.verdict.kind == "none"
    assert p.totals == {"contacts": 1}
    assert p.contact_minutes == 10


def test_one_incident_is_one_time(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Once")
    _log(vault, c.id, "incident", 10)
    assert client_pattern(vault, c.id, now=NOW).verdict.kind == "one-time"


def test_seven_recent_incidents_up_from_two_is_recurring(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Often")
    for days in (1, 5, 9, 20, 33, 60, 85):
        _log(vault, c.id, "incident" if days % 2 else "complaint", days)
    for days in (100, 150):
        _log(vault, c.id, "legal_threat", days)
    _log(vault, c.id, "incident", 400)  # outside both windows
    v = client_pattern(vault, c.id, now=NOW).verdict
    assert (v.kind, v.recent, v.previous, v.total) == ("recurring", 7, 2, 10)
    assert v.text.startswith("recurring: 7 incidents in the last 90 days, up from 2")
    # The same record seen 200 days later is quiet.
    later = client_pattern(vault, c.id, now=NOW + timedelta(days=200)).verdict
    assert later.kind == "quiet"


def test_retracted_entries_do_not_count(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Mistake")
    entry = vault.entries.log(c.id, EntryFields("incident", NOW - timedelta(days=2), "wrong client"))
    vault.entries.retract(entry.id, "wrong client")
    assert client_pattern(vault, c.id, now=NOW).verdict.kind == "none"


def test_money_and_time_from_the_record(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Costly")
    _log(vault, c.id, "invoice", 50, amount_cents=100_000, currency="USD")
    _log(vault, c.id, "invoice", 20, amount_cents=50_000, currency="USD")
    _log(vault, c.id, "payment", 10, amount_cents=60_000, currency="USD")
    _log(vault, c.id, "note", 9, amount_cents=5_000, currency="USD", tags=("discount",))
    _log(vault, c.id, "payment", 8, amount_cents=-2_500, currency="USD", tags=("refund",))
    _log(vault, c.id, "note", 7, amount_cents=1_000, tags=("write-off",))
    _log(vault, c.id, "call", 6, duration_min=15, time_spent_min=25)
    _log(vault, c.id, "meeting", 5, duration_min=40)
    p = client_pattern(vault, c.id, now=NOW)
    m = p.money
    assert (m.invoiced, m.paid, m.unpaid) == (150_000, 60_000, 90_000)
    assert (m.discounts, m.refunds, m.write_offs) == (5_000, 2_500, 1_000)
    assert m.lost == 98_500 and m.currency == "USD"
    assert p.time_spent_minutes == 65  # 25 (not 15 + 25) + 40
    assert p.contact_minutes == 55
    assert [mo.month for mo in p.months] == ["2026-09", "2026-10", "2026-11"]


def test_demo_client_pattern_in_months(demo_vault) -> None:  # type: ignore[no-untyped-def]
    gerald = demo_vault.clients.resolve("Gerald")
    p = client_pattern(demo_vault, gerald.id, now=datetime(2026, 9, 30, tzinfo=UTC))
    august = next(m for m in p.months if m.month == "2026-08")
    assert (august.incidents, august.complaints) == (1, 1)
    assert p.verdict.kind == "recurring" and p.verdict.recent == 3


def test_each_checklist_step_is_dated_and_in_the_ledger(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Leaving")
    sent_at = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
    before = vault.head().count
    mark_done(vault, c.id, "terms", notice_end=datetime(2026, 10, 15, 9, tzinfo=UTC), note="clause 12")
    mark_done(vault, c.id, "proofread", by_whom="Alex")
    mark_done(vault, c.id, "sent", how="email", done_at=sent_at)
    reminders = {r.title: r for r in vault.reminders.open(c.id)}
    assert reminders[FOLLOW_UP_TITLE].due_at == sent_at + timedelta(hours=24)
    assert reminders["Notice period ends (clause 12)"].due_at == datetime(2026, 10, 15, 9, tzinfo=UTC)
    mark_done(vault, c.id, "follow_up", note="calm")
    assert FOLLOW_UP_TITLE not in {r.title for r in vault.reminders.open(c.id)}
    mark_done(vault, c.id, "status", status="do-not-serve", reason="Ended after conduct problems.")
    states = {s.step.key: s for s in checklist(vault, c.id)}
    assert states["proofread"].by_whom == "Alex"
    assert states["sent"].how == "email" and states["sent"].done_at == sent_at
    assert states["status"].done and not states["outcome"].done
    assert vault.clients.get(c.id).status == "do_not_serve"
    actions = [e.action for e in vault.events(after=before)]
    assert actions.count("parting.step") == 5
    assert {"reminder.add", "reminder.done", "client.status"} <= set(actions)
    assert vault.verify().ok


def test_a_tampered_checklist_row_is_caught_by_verify(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Tamper")
    mark_done(vault, c.id, "drafted")
    with vault.db.write() as conn:
        conn.execute("UPDATE parting_steps SET done_at = '2020-01-01T00:00:00.000000Z'")
    report = vault.verify()
    assert not report.ok and "parting_step:" in (report.first_break or "")


@pytest.mark.parametrize(
    ("step", "kwargs", "message"),
    [
        ("proofread", {}, "who"),
        ("sent", {}, "how"),
        ("outcome", {}, "note"),
        ("status", {"status": "watch", "reason": "x"}, "former or do-not-serve"),
        ("nonsense", {}, "Unknown checklist step"),
    ],
)
def test_incomplete_steps_are_refused_and_nothing_changes(vault, step, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Careful")
    before = vault.head()
    with pytest.raises(InvalidInput, match=message):
        mark_done(vault, c.id, step, **kwargs)
    assert vault.head() == before
