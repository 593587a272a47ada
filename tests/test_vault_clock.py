"""The vault clock: a system clock that goes backwards or jumps is noted, never refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.clock import VaultClock
from app.vault import Vault
from tests.conftest import PASSPHRASE

START = datetime.now(UTC)


class FakeTime:
    """A wall clock and an elapsed-time clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.elapsed = 1000.0

    def wait(self, seconds: float) -> None:  # time passes: both clocks move
        self.now += timedelta(seconds=seconds)
        self.elapsed += seconds

    def set_clock(self, delta: timedelta) -> None:  # someone sets the system clock
        self.now += delta


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """The ledger's clock, injected: a fresh VaultClock reading the fake time."""
    fake = FakeTime()
    monkeypatch.setattr("app.ledger.SYSTEM_CLOCK", VaultClock(wall=lambda: fake.now, elapsed=lambda: fake.elapsed))
    return fake


def _clock_events(vault: Vault) -> list:  # type: ignore[type-arg]
    return [e for e in vault.events() if e.subject == "clock"]


def test_a_normal_day_and_a_night_of_sleep_leave_no_note(vault: Vault, fake: FakeTime) -> None:
    client = vault.clients.add("Gerald Whitmore")
    for _ in range(3):
        fake.wait(600)
        vault.clients.update(client.id, notes=f"{fake.now}")
    fake.wait(9 * 3600)  # the laptop slept (CLOCK_BOOTTIME counts it)
    vault.clients.update(client.id, notes="next morning")
    assert _clock_events(vault) == []
    report = vault.verify()
    assert report.ok and report.warnings == [] and report.clock_notes == 0


def test_a_clock_set_back_before_the_previous_event_is_noted_and_the_change_still_written(
    vault: Vault, fake: FakeTime
) -> None:
    client = vault.clients.add("Gerald Whitmore")
    fake.wait(60)
    fake.set_clock(-timedelta(hours=5))
    vault.clients.update(client.id, notes="written with a wrong clock")  # never refused
    events = vault.events()
    note, change = events[-2], events[-1]
    assert (note.subject, note.action) == ("clock", "clock.backwards")
    assert note.payload["seconds"] == -(5 * 3600 - 60)
    assert change.action == "client.update" and change.at == note.at  # the clock's reading, disclosed
    assert vault.clients.get(client.id).notes == "written with a wrong clock"
    report = vault.verify()
    assert report.ok, report.problems
    assert report.clock_notes == 1
    assert "5.0 h before the previous event" in report.warnings[0]


def test_a_jump_ahead_while_running_is_noted(vault: Vault, fake: FakeTime) -> None:
    client = vault.clients.add("Gerald Whitmore")
    fake.wait(30)
    fake.set_clock(timedelta(days=3))
    vault.clients.update(client.id, notes="three days in the future")
    (note,) = _clock_events(vault)
    assert note.action == "clock.jump" and note.payload["seconds"] == 3 * 86400
    fake.wait(30)
    vault.clients.update(client.id, notes="the clock stays where it was set: no second note")
    assert len(_clock_events(vault)) == 1
    report = vault.verify()
    assert report.ok and "set 3.0 days ahead" in report.warnings[0]


def test_a_clock_set_back_but_still_after_the_last_event_is_noted(vault: Vault, fake: FakeTime) -> None:
    client = vault.clients.add("Gerald Whitmore")
    fake.wait(2 * 3600)
    fake.set_clock(-timedelta(hours=1))  # still an hour after the last event, but wrong
    vault.clients.update(client.id, notes="x")
    (note,) = _clock_events(vault)
    assert note.action == "clock.jump" and note.payload["seconds"] == -3600


def test_a_clock_set_back_between_two_runs_is_noted_at_the_next_change(vault_path: Path, fake: FakeTime) -> None:
    """Across processes the previous event's time (in the vault) is the reference."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    vault.clients.add("Gerald Whitmore")
    vault.lock()
    later = VaultClock(wall=lambda: START - timedelta(days=40), elapsed=lambda: 5.0)  # a new process
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("app.ledger.SYSTEM_CLOCK", later)
        with Vault.open(vault_path, PASSPHRASE) as vault:
            vault.settings.set("owner_name", "Sam Rivera")
            assert [e.action for e in _clock_events(vault)] == ["clock.backwards"]


def test_casefile_verify_reports_clock_notes_as_warnings_not_failures(vault_path: Path, fake: FakeTime, cli) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    fake.set_clock(-timedelta(days=2))
    vault.clients.add("Gerald Whitmore")
    vault.lock()
    result = cli.ok("verify")
    assert "OK: the record is intact" in result.out
    assert re.search(r"casefile: warning: Event \d+: the system clock read", result.err)
    assert "2.0 days before the previous event" in result.err
    data = cli.ok("verify", "--json").json()
    assert data["ok"] is True and data["clock_notes"] == 1 and len(data["warnings"]) == 1
