"""The lag between an event and its record, as the detail pane and the dossier show it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.records.contemporaneity import lag, late_days_setting

EVENT = datetime(2026, 3, 8, 14, 5, tzinfo=UTC)


def test_a_call_written_down_three_hours_later_is_contemporaneous() -> None:
    result = lag(EVENT, EVENT + timedelta(hours=3, minutes=10))
    assert result.describe() == "recorded 3 h after"
    assert not result.is_late


def test_an_entry_written_94_days_later_is_marked_entered_later() -> None:
    result = lag(EVENT, EVENT + timedelta(days=94, hours=2))
    assert result.describe() == "recorded 94 days after — entered later"
    assert result.is_late


def test_the_threshold_is_a_setting() -> None:
    assert lag(EVENT, EVENT + timedelta(days=3), late_days=2).is_late
    assert not lag(EVENT, EVENT + timedelta(days=3), late_days=7).is_late
    assert late_days_setting("14") == 14
    assert late_days_setting("") == 7
    assert late_days_setting("-3") == 7


def test_recorded_at_the_time_and_before() -> None:
    assert lag(EVENT, EVENT + timedelta(seconds=20)).describe() == "recorded at the time"
    assert lag(EVENT, EVENT - timedelta(minutes=5)).describe() == "recorded 5 min before"
    assert lag(EVENT, EVENT + timedelta(minutes=1)).describe() == "recorded 1 min after"
