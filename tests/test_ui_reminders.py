"""Reminders in the app: add (date, time, client, note), snooze (1 h, tomorrow, next week), done —
each undone by Edit → Undo with "undone by the owner", the record keeping both; due dates carry
the year when it is not this year."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTime

from app import ledger
from app.records.reminders import snooze_until
from tests.test_ui_ingest import _select
from ui.parting.reminders_panel import DueRemindersModel, due_text


def _events(vault: Any, reminder_id: int) -> list[tuple[str, dict[str, Any]]]:
    with vault.db.read() as conn:
        return [(e.action, e.payload) for e in ledger.events(conn) if e.subject == f"reminder:{reminder_id}"]


def test_snooze_times_are_an_hour_tomorrow_morning_and_next_monday() -> None:
    zone = ZoneInfo("America/Chicago")
    wednesday = datetime(2026, 3, 4, 16, 30, tzinfo=zone)
    assert snooze_until("hour", wednesday) == datetime(2026, 3, 4, 17, 30, tzinfo=zone)
    assert snooze_until("tomorrow", wednesday) == datetime(2026, 3, 5, 9, 0, tzinfo=zone)
    assert snooze_until("next_week", wednesday) == datetime(2026, 3, 9, 9, 0, tzinfo=zone)
    # across the spring-forward night (8 March 2026) "tomorrow morning" is still 9:00 on the wall clock
    assert snooze_until("tomorrow", datetime(2026, 3, 7, 22, 0, tzinfo=zone)).hour == 9
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert due_text(datetime(2026, 9, 29, 8, 0, tzinfo=UTC), now) == "Tue 29 Sep 08:00"
    assert due_text(datetime(2025, 9, 29, 8, 0, tzinfo=UTC), now) == "Mon 29 Sep 2025 08:00"


def test_adding_a_reminder_with_the_keyboard_and_undoing_it(demo_session: Any, qtbot: Any) -> None:
    window, vault = demo_session.window, demo_session.vault
    priya = _select(window, "Priya Natarajan")
    window.timeline_view.setFocus()
    qtbot.keyClick(
        window.timeline_view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dialog = window.reminders.add_dialog
    qtbot.waitExposed(dialog)
    assert dialog.client.currentText() == "Priya Natarajan"  # the client on screen
    dialog.date.setDate(QDate(2027, 1, 15))
    dialog.time.setTime(QTime(10, 30))
    qtbot.keyClicks(dialog.note, "Call back about the final invoice")
    with qtbot.waitSignal(dialog.added) as added:
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter: the primary action
    reminder = added.args[0]
    assert reminder.client_id == priya.id and reminder.title == "Call back about the final invoice"
    assert reminder.due_at.astimezone(dialog.zone).replace(tzinfo=None) == datetime(2027, 1, 15, 10, 30)
    assert (
        "Reminder added: Call back about the final invoice (Fri 15 Jan 2027 10:30)"
        in window.statusBar().currentMessage()
    )
    assert window.undo_action.isEnabled() and "Call back" in window.undo_action.text()

    with qtbot.waitSignal(window.undo.undone):  # the undo is written on a worker
        window.undo_action.trigger()
    assert vault.reminders.get(reminder.id).done_at is not None  # closed, not deleted
    assert [a for a, _p in _events(vault, reminder.id)] == ["reminder.add", "reminder.cancel"]
    assert _events(vault, reminder.id)[-1][1]["reason"] == "undone by the owner"
    assert "Undone" in window.statusBar().currentMessage()
    assert vault.verify().ok


def test_snoozing_and_completing_the_overdue_reminder_each_undo(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window, vault = demo_session.window, demo_session.vault
    window.reminders.show_panel()
    panel = window.reminders.panel
    overdue = vault.reminders.add(
        vault.clients.list()[0].id, datetime(2025, 11, 3, 14, 0, tzinfo=UTC), "Last year's callback"
    )
    panel.refresh()
    rows = {panel.model.index(r, DueRemindersModel.COL_TITLE).data(): r for r in range(panel.model.rowCount())}
    row = rows["Last year's callback"]
    assert "2025" in panel.model.index(row, DueRemindersModel.COL_WHEN).data()  # not this year: with the year
    others = [r for title, r in rows.items() if title != "Last year's callback"]
    assert all(str(datetime.now().year) not in panel.model.index(r, 0).data() for r in others)

    shots = Path(os.environ.get("CASEFILE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    assert window.grab().toImage().save(str(shots / "reminders-panel.png"))
    panel.view.selectRow(row)
    with qtbot.waitSignal(panel.reminder_snoozed):  # written on a worker
        panel.snooze_menu.findChild(type(panel.snooze_menu.actions()[0]), "snooze-hour").trigger()
    snoozed = vault.reminders.get(overdue.id)
    assert timedelta(minutes=59) < snoozed.due_at - datetime.now(UTC) <= timedelta(hours=1)
    assert "Snoozed “Last year's callback” until" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.undo.undone):
        window.undo_action.trigger()
    assert vault.reminders.get(overdue.id).due_at == overdue.due_at  # due again as before
    assert [a for a, _p in _events(vault, overdue.id)] == ["reminder.add", "reminder.snooze", "reminder.snooze"]
    assert vault.verify().ok

    rows = {panel.model.index(r, DueRemindersModel.COL_TITLE).data(): r for r in range(panel.model.rowCount())}
    panel.view.selectRow(rows["Last year's callback"])
    with qtbot.waitSignal(panel.reminder_done):
        qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)
    assert vault.reminders.get(overdue.id).done_at is not None
    assert "Last year's callback" not in [panel.model.index(r, 2).data() for r in range(panel.model.rowCount())]
    assert "done" in window.undo_action.text()
    with qtbot.waitSignal(window.undo.undone):
        window.undo_action.trigger()
    assert vault.reminders.get(overdue.id).done_at is None  # open again
    assert "Last year's callback" in [panel.model.index(r, 2).data() for r in range(panel.model.rowCount())]
    actions = [a for a, _p in _events(vault, overdue.id)]
    assert actions[-2:] == ["reminder.done", "reminder.reopen"]
    assert vault.verify().ok
