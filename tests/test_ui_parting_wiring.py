"""Parting ways in the main window: the window and its tabs, the timeline following what they
record, reminders with their notification, and the do-not-serve check when adding a client."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QSystemTrayIcon

SHOTS = os.environ.get("CASEFILE_SCREENSHOTS")  # a folder: grab the parting window there to look at it


def _select(window: Any, name: str) -> Any:
    from ui.models.roles import ID_ROLE

    for row in range(window.clients.rowCount()):
        if window.clients.index(row, 0).data() == name:
            window.select_client(window.clients.index(row, 0).data(ID_ROLE))
            return window.current_client()
    raise AssertionError(name)


def _open_parting(window: Any, qtbot: Any, name: str) -> Any:
    from ui.parting_window import PartingWindow

    _select(window, name)
    qtbot.mouseClick(window.parting_button, Qt.MouseButton.LeftButton)  # the button by the client header
    parting = window.findChild(PartingWindow)
    assert parting is not None
    qtbot.waitExposed(parting)
    return parting


def test_parting_window_opens_for_the_client_with_its_tabs(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    parting = _open_parting(window, qtbot, "Gerald Whitmore")
    assert parting.windowTitle().startswith("Parting ways with Gerald Whitmore")
    tabs = [parting.tabs.tabText(i) for i in range(parting.tabs.count())]
    assert tabs == ["Pattern and cost", "Checklist", "Letter", "Follow-up call"]
    assert parting.pattern.verdict_label.text()  # the verdict computed from the record
    assert parting.checklist.model.rowCount() == 10
    assert not parting.letter.isWindow()  # the composer is a tab here, not a second window
    assert "Gerald Whitmore" in parting.letter.editor.toPlainText()
    assert parting.followup.header.text().startswith("Follow-up call: Gerald Whitmore")
    assert parting.parent() is window and window.parting_action in window.menuBar().actions()[2].menu().actions()
    if SHOTS:
        parting.resize(900, 760)
        for index in range(parting.tabs.count()):
            parting.tabs.setCurrentIndex(index)
            qtbot.wait(20)
            parting.grab().save(str(Path(SHOTS) / f"parting-{index}.png"))
    parting.close()


def test_recording_the_letter_shows_it_on_the_timeline(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    parting = _open_parting(window, qtbot, "Gerald Whitmore")
    before = window.timeline.rowCount()
    parting.tabs.setCurrentWidget(parting.letter)
    parting.letter.proofread_by.setText("Sam Rivera")
    with qtbot.waitSignal(parting.entry_recorded) as recorded:
        qtbot.mouseClick(parting.letter.record_button, Qt.MouseButton.LeftButton)
    entry_id = recorded.args[0]
    assert demo_session.vault.entries.get(entry_id).kind == "letter_sent"
    assert window.timeline.rowCount() == before + 1  # refreshed, though app.parting raised no vault event
    row = window.timeline.row_of(entry_id)
    assert row >= 0 and window.current_entry_id() == entry_id
    rect = window.timeline_view.visualRect(window.timeline.index(row, 0))
    assert window.timeline_view.viewport().rect().intersects(rect)  # scrolled into view
    assert window.detail.entry is not None and window.detail.entry.id == entry_id
    # The other tabs follow: the checklist shows the letter sent, the call card this letter's points.
    sent = next(s for s in parting.checklist.model.states() if s.step.key == "sent")
    assert sent.done and sent.entry_id == entry_id
    assert parting.followup.card is not None and parting.followup.card.letter.id == entry_id

    parting.followup.summary.setPlainText("Called back; he accepted the decision.")
    parting.followup.outcome.setText("accepted")
    with qtbot.waitSignal(parting.entry_recorded) as logged:
        qtbot.mouseClick(parting.followup.log_button, Qt.MouseButton.LeftButton)
    assert window.timeline.row_of(logged.args[0]) >= 0 and window.timeline.rowCount() == before + 2
    follow_up = next(s for s in parting.checklist.model.states() if s.step.key == "follow_up")
    assert follow_up.done and follow_up.done_at >= sent.done_at
    parting.close()


def test_a_final_status_step_updates_the_client_header(demo_session: Any, qtbot: Any) -> None:
    from ui.parting.checklist_panel import STEPS, MarkStepDialog

    window = demo_session.window
    parting = _open_parting(window, qtbot, "Gerald Whitmore")
    row = next(i for i, step in enumerate(STEPS) if step.key == "status")
    dialog = MarkStepDialog(STEPS[row], parting.checklist)
    dialog.status.setCurrentIndex(dialog.status.findData("former"))
    dialog.reason.setText("Contract ended; handover done.")
    dialog.setResult(QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(parting.record_changed) as changed:
        assert parting.checklist.mark_row(row, dialog)
    assert changed.args == [None]
    assert demo_session.vault.clients.get(parting.client_id).status == "former"
    qtbot.waitUntil(lambda: "Former" in window.client_header.text())
    parting.close()


def test_reminders_dock_and_notification(demo_session: Any, qtbot: Any) -> None:
    from app.records.times import now_utc

    window = demo_session.window
    client = _select(window, "Gerald Whitmore")
    assert not window.reminders.isVisible()
    window.activateWindow()
    window.timeline_view.setFocus()
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Ctrl+R
    assert window.reminders.isVisible()
    demo_session.vault.reminders.add(client.id, now_utc() - timedelta(minutes=5), "Send the handover pack")
    with qtbot.waitSignal(window.reminders.notified) as notified:
        window.reminders.panel.refresh()  # what the panel's one-minute timer does
    title, body = notified.args
    assert "reminder" in title and "Gerald Whitmore: Send the handover pack" in body
    if QSystemTrayIcon.isSystemTrayAvailable():
        assert window.reminders.tray is not None and window.reminders.tray.isVisible()
    else:  # offscreen (CI) has no tray: the status bar says it
        assert "Send the handover pack" in window.statusBar().currentMessage()
    titles = [window.reminders.panel.model.index(r, 2).data() for r in range(window.reminders.panel.model.rowCount())]
    assert "Send the handover pack" in titles
    if SHOTS:
        window.grab().save(str(Path(SHOTS) / "main-window-reminders.png"))
    window.reminders.panel.client_requested.emit(client.id)
    assert window.current_client().id == client.id


def _click(dialog: Any, qtbot: Any, text: str) -> None:
    button = next(b for b in dialog.findChildren(QPushButton) if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _new_client(window: Any, qtbot: Any, name: str) -> Any:
    dialog = window.new_client()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.name, name)
    _click(dialog, qtbot, "Add client")
    return dialog


def test_do_not_serve_warning_before_adding_a_matching_client(demo_session: Any, qtbot: Any) -> None:
    vault = demo_session.vault
    window = demo_session.window
    count = len(vault.clients.list())
    dialog = _new_client(window, qtbot, "Dale Corbin")
    warning = dialog.warning
    assert warning is not None and warning.isVisible()
    texts = " ".join(label.text() for label in warning.findChildren(QLabel))
    assert "Dale Corbin, marked do-not-serve" in texts and "Abusive to staff" in texts
    assert len(vault.clients.list()) == count  # nothing added while the owner decides
    _click(warning, qtbot, "Go back")
    assert not warning.isVisible() and dialog.isVisible() and len(vault.clients.list()) == count

    _click(dialog, qtbot, "Add client")  # again; this time open their record
    with qtbot.waitSignal(dialog.open_client_requested):
        qtbot.mouseClick(dialog.warning.open_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and len(vault.clients.list()) == count
    assert window.current_client().name == "Dale Corbin"

    dialog = _new_client(window, qtbot, "Dale Corbin")
    with qtbot.waitSignal(dialog.added) as added:
        _click(dialog.warning, qtbot, "Add anyway")
    assert added.args[0].name == "Dale Corbin" and added.args[0].status == "active"
    assert len(vault.clients.list()) == count + 1


def test_a_similar_name_is_added_without_a_warning(demo_session: Any, qtbot: Any) -> None:
    vault = demo_session.vault
    count = len(vault.clients.list())
    with qtbot.waitSignal(demo_session.events.client_added):
        dialog = _new_client(demo_session.window, qtbot, "Dale Corbett")
    assert dialog.warning is None
    # the write lands on the writer worker: the dialog closes and the client is selected when
    # its answer reaches the window, which may come just after the vault's own event
    qtbot.waitUntil(lambda: not dialog.isVisible() and demo_session.window.current_client().name == "Dale Corbett")
    assert len(vault.clients.list()) == count + 1


def test_locking_keeps_a_half_written_letter_as_a_draft(demo_session: Any, qtbot: Any) -> None:
    from app.parting.letters import find_letter_draft
    from app.vault import Vault
    from tests.helpers.ui import PASSPHRASE

    window = demo_session.window
    parting = _open_parting(window, qtbot, "Gerald Whitmore")
    client_id, path = parting.client_id, demo_session.vault.path
    parting.letter.editor.appendPlainText("P.S. typed just before the lock")
    demo_session.lock()  # before the autosave timer fired
    reopened = Vault.open(path, PASSPHRASE)
    try:
        restored = find_letter_draft(reopened, client_id)
        assert restored is not None and restored[1].body.endswith("P.S. typed just before the lock")
    finally:
        reopened.lock()
