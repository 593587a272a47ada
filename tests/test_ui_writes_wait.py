"""The window's own writes while another thread holds the writer (issue 17): retracting an
entry, marking a checklist step, a reminder done or snoozed, and Edit → Undo each wait on a
worker — the window keeps painting, nothing is written around the writer, and the action
lands once the writer is free. Bad input is refused at once, in one line, nothing written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.helpers.heartbeat import Heartbeat
from tests.test_ui_ingest import _select

LOOSE_BOUND_MS = 500  # a regression guard on a shared machine (the target is 60 ms)
HOLD_MS = 1500


@dataclass
class HeldWriter:
    release: threading.Event
    gaps: list[float] = field(default_factory=list)


@contextmanager
def writer_held(vault: Any) -> Iterator[HeldWriter]:
    """Another thread holds the vault's writer (as an import does) and a 5 ms heartbeat on the
    GUI thread records every gap until the block ends; ``release`` lets the writer go."""
    holding, held = threading.Event(), HeldWriter(threading.Event())

    def hold_writer() -> None:
        with vault.db.write():
            holding.set()
            held.release.wait(30)

    holder = threading.Thread(target=hold_writer)
    holder.start()
    assert holding.wait(10)
    heartbeat = Heartbeat()
    held.gaps = heartbeat.gaps
    heartbeat.start()
    try:
        yield held
    finally:
        held.release.set()
        heartbeat.stop()
        holder.join()
    assert len(held.gaps) > 50
    assert max(held.gaps) < LOOSE_BOUND_MS, f"the GUI thread stalled {max(held.gaps):.0f} ms"


def test_a_retraction_waits_for_the_writer_on_a_worker(demo_session: Any, qtbot: Any) -> None:
    window, vault = demo_session.window, demo_session.vault
    _select(window, "Gerald Whitmore")
    window.timeline_view.selectRow(1)
    entry_id = window.current_entry_id()
    dialog = window.retract_entry()
    with writer_held(vault) as held:
        dialog.retract()  # no reason: refused at once, without waiting for the writer
        assert "must not be empty" in dialog.error.text() and not dialog.retracting
        dialog.reason.setPlainText("Logged for the wrong client")
        dialog.ok.click()
        assert dialog.retracting and not dialog.ok.isEnabled()
        dialog.reject()  # Esc while it is being written: the dialog stays to show the outcome
        qtbot.wait(HOLD_MS)
        assert dialog.isVisible() and vault.entries.get(entry_id).retraction is None  # nothing around the writer
        with qtbot.waitSignal(dialog.retracted, timeout=30_000):
            held.release.set()
    assert vault.entries.get(entry_id).retraction.reason == "Logged for the wrong client"
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: "Retracted" in window.detail.text.toPlainText())
    assert vault.verify().ok


def test_a_checklist_step_waits_for_the_writer_and_undo_too(demo_session: Any, qtbot: Any) -> None:
    from app.parting.checklist import STEP_KEYS, checklist

    window, vault = demo_session.window, demo_session.vault
    client = _select(window, "Dale Corbin")
    parting = window.parting_ways()
    qtbot.waitExposed(parting)
    panel = parting.checklist
    row = STEP_KEYS.index("sent")

    def sent() -> bool:
        return next(s for s in checklist(vault, client.id) if s.step.key == "sent").done

    dialog = panel.make_dialog(row)
    qtbot.addWidget(dialog)
    dialog.how.setCurrentText("")
    dialog.setResult(QDialog.DialogCode.Accepted)
    with writer_held(vault) as held:
        assert not panel.mark_row(row, dialog)  # how it was sent is missing: one line, at once
        assert "Not recorded: Say how the letter was sent" in panel.error_label.text()
        dialog.how.setCurrentText("email")
        assert panel.mark_row(row, dialog)
        assert panel.recording and not panel.mark_button.isEnabled()
        assert not panel.mark_row(row, dialog)  # one at a time
        qtbot.wait(HOLD_MS)
        assert not sent() and not panel.model.state(row).done
        with qtbot.waitSignal(panel.step_recorded, timeout=30_000):
            held.release.set()
    assert sent() and panel.model.state(row).done and panel.mark_button.isEnabled()
    assert "Letter sent" in window.undo_action.text()

    with writer_held(vault) as held:
        window.undo_action.trigger()
        assert not window.undo_action.isEnabled()  # the undo is on its way: not twice
        qtbot.wait(HOLD_MS)
        assert sent()
        with qtbot.waitSignal(window.undo.undone, timeout=30_000) as undone:
            held.release.set()
    assert not sent() and not panel.model.state(row).done  # the open window shows it
    assert undone.args[0].startswith("Undone: the checklist step")
    assert vault.verify().ok


def _overdue(window: Any, vault: Any, title: str) -> Any:
    reminder = vault.reminders.add(vault.clients.list()[0].id, datetime(2025, 11, 3, 14, 0, tzinfo=UTC), title)
    window.reminders.show_panel()
    panel = window.reminders.panel
    panel.refresh()
    rows = [panel.model.index(r, 2).data() for r in range(panel.model.rowCount())]
    panel.view.selectRow(rows.index(title))
    return reminder


def test_a_reminder_done_waits_for_the_writer_and_its_undo_too(demo_session: Any, qtbot: Any) -> None:
    window, vault = demo_session.window, demo_session.vault
    panel = window.reminders.panel
    reminder = _overdue(window, vault, "Call the tiler back")
    with writer_held(vault) as held:
        qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)
        assert panel.pending == 1 and not panel.done_button.isEnabled() and not panel.snooze_button.isEnabled()
        qtbot.wait(HOLD_MS)
        assert vault.reminders.get(reminder.id).done_at is None
        with qtbot.waitSignal(panel.reminder_done, timeout=30_000):
            held.release.set()
    assert vault.reminders.get(reminder.id).done_at is not None and panel.pending == 0
    titles = [panel.model.index(r, 2).data() for r in range(panel.model.rowCount())]
    assert "Call the tiler back" not in titles and panel.error.text() == ""

    with writer_held(vault) as held:
        window.undo_action.trigger()
        qtbot.wait(HOLD_MS)
        assert vault.reminders.get(reminder.id).done_at is not None
        with qtbot.waitSignal(window.undo.undone, timeout=30_000):
            held.release.set()
    assert vault.reminders.get(reminder.id).done_at is None
    assert "Call the tiler back" in [panel.model.index(r, 2).data() for r in range(panel.model.rowCount())]
    assert vault.verify().ok


def test_a_snooze_waits_for_the_writer(demo_session: Any, qtbot: Any) -> None:
    window, vault = demo_session.window, demo_session.vault
    panel = window.reminders.panel
    reminder = _overdue(window, vault, "Chase the deposit")
    with writer_held(vault) as held:
        panel.snooze_menu.findChild(type(panel.snooze_menu.actions()[0]), "snooze-tomorrow").trigger()
        assert panel.pending == 1 and panel.error.text() == "Saving…"
        qtbot.wait(HOLD_MS)
        assert vault.reminders.get(reminder.id).due_at == reminder.due_at
        with qtbot.waitSignal(panel.reminder_snoozed, timeout=30_000) as snoozed:
            held.release.set()
    after = vault.reminders.get(reminder.id)
    assert after.due_at > datetime.now(UTC) and snoozed.args[0].due_at == after.due_at
    assert "Snoozed “Chase the deposit” until" in window.statusBar().currentMessage()
    assert vault.verify().ok


def test_a_write_refused_by_the_vault_is_one_line_and_the_panel_recovers(demo_session: Any, qtbot: Any) -> None:
    from app import ledger

    window, vault = demo_session.window, demo_session.vault
    panel = window.reminders.panel
    reminder = _overdue(window, vault, "Send the final invoice")
    vault.reminders.complete(reminder.id)  # done meanwhile, e.g. in another window: the list is stale
    with vault.db.read() as conn:
        events_before = len(list(ledger.events(conn)))
    panel.complete(reminder.id)
    qtbot.waitUntil(lambda: panel.pending == 0, timeout=30_000)
    assert "\n" not in panel.error.text() and "already" in panel.error.text()
    with vault.db.read() as conn:
        assert len(list(ledger.events(conn))) == events_before  # nothing written
    assert vault.verify().ok
