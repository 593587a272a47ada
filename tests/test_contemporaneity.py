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
    assert result.describe(mark_late=False) == "recorded 94 days after"  # the chronology marks it itself


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


# -- where the lag is shown: the entry, each revision, `casefile show`, the detail pane ---------


def _late_entry(vault):  # type: ignore[no-untyped-def]
    """A call logged 'as of now', then corrected to 94 days earlier (a revision)."""
    from app.records.models import EntryFields
    from app.records.times import now_utc

    client = vault.clients.add("Gerald Whitmore")
    now = now_utc()
    entry = vault.entries.log(client.id, EntryFields("call", now, "He called about the invoice"))
    fields = EntryFields("call", now - timedelta(days=94), "He called about the invoice")
    return vault.entries.revise(entry.id, fields, note="it was in the spring")


def test_a_later_correction_of_the_time_makes_the_entry_late_and_each_revision_keeps_its_own_lag(vault) -> None:  # type: ignore[no-untyped-def]
    from app.records.contemporaneity import entry_lag, revision_lag

    entry = _late_entry(vault)
    assert entry_lag(entry).describe() == "recorded 94 days after — entered later"
    first, second = vault.entries.revisions(entry.id)
    assert revision_lag(first).describe() == "recorded at the time"
    assert revision_lag(second).is_late and revision_lag(second).seconds >= 94 * 86400


def test_casefile_show_gives_the_lag_in_text_and_json(cli) -> None:  # type: ignore[no-untyped-def]
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    when = (datetime.now(UTC) - timedelta(hours=3, minutes=5)).isoformat(timespec="minutes")
    entry = cli.ok("log", "Gerald", "--kind", "call", "--title", "Call", "--when", when, "--json").json()
    shown = cli.ok("show", str(entry["id"]), "--json").json()
    assert 3 * 3600 <= shown["lag_seconds"] < 4 * 3600 and shown["late"] is False
    assert shown["revisions"][0]["lag"] == "recorded 3 h after" and shown["revisions"][0]["late"] is False
    early = (datetime.now(UTC) - timedelta(days=30)).isoformat(timespec="minutes")
    cli.ok("edit", str(entry["id"]), "--when", early)
    shown = cli.ok("show", str(entry["id"]), "--json").json()
    assert shown["late"] is True and shown["lag"] == "recorded 30 days after — entered later"
    assert [r["late"] for r in shown["revisions"]] == [False, True]
    text = cli.ok("show", str(entry["id"])).out
    assert "(recorded 30 days after — entered later)" in text and "(recorded 3 h after)" in text


def test_the_detail_pane_shows_the_lag_and_each_revision_its_own(vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from ui.widgets.detail_pane import DetailPane
    from ui.workers import Tasks

    entry = _late_entry(vault)
    vault.settings.set("late_entry_days", "100")  # the threshold is the vault's setting
    pane = DetailPane(Tasks())
    qtbot.addWidget(pane)
    pane.set_vault(vault)
    pane.show_entry(entry.id)
    assert "recorded 94 days after" in pane.text.toPlainText()
    assert "entered later" not in pane.text.toPlainText()
    vault.settings.set("late_entry_days", "7")
    pane.show_entry(entry.id)
    assert "recorded 94 days after — entered later" in pane.text.toPlainText()
    model = pane.revisions
    rows = [model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())]
    assert "(recorded 94 days after — entered later)" in rows[0] and "(recorded at the time)" in rows[1]
    pane._show_revision(model.index(1, 0))  # the first version, written at the time
    assert "recorded at the time" in pane.text.toPlainText()
    pane._tasks.wait()
