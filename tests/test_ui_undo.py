"""Edit → Undo for the session's last action: the entries it made are retracted with the reason
"undone by the owner" — nothing is deleted, and the record still verifies."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.test_ui_ingest import EML, JPEG, _drop_on_client, _select


def test_undo_retracts_the_call_just_logged_and_ctrl_z_in_a_field_stays_text_undo(
    demo_session: Any, qtbot: Any
) -> None:
    window = demo_session.window
    vault = demo_session.vault
    assert not window.undo_action.isEnabled()  # nothing done in this session yet
    window.timeline_view.setFocus()
    dialog = window.quick_capture()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.body, "Called about the tiles")
    qtbot.keyClick(dialog.body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # text undo in the note
    assert dialog.body.toPlainText() != "Called about the tiles"  # the note undid its typing
    dialog.body.setPlainText("Called about the tiles")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    entry = saved.args[0]
    assert window.undo_action.isEnabled() and entry.title in window.undo_action.text()
    qtbot.waitUntil(lambda: not dialog.isVisible())  # the save ran on a worker; the dialog closed after it
    window.activateWindow()
    window.timeline_view.setFocus()
    qtbot.waitUntil(window.timeline_view.hasFocus)
    with qtbot.waitSignal(window.undo.undone):  # the retraction is written on a worker
        qtbot.keyClick(window.timeline_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    retracted = vault.entries.get(entry.id)
    assert retracted.retraction is not None and retracted.retraction.reason == "undone by the owner"
    assert "Undone" in window.statusBar().currentMessage()
    assert not window.undo_action.isEnabled()  # only the last action, once
    assert vault.verify().ok


def test_undo_retracts_the_entries_an_import_made(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    vault = demo_session.vault
    client = _select(window, "Maple Street Bakery")
    before = {e.id for e in vault.entries.timeline(client.id)}
    _drop_on_client(window, [EML, JPEG])
    qtbot.waitUntil(
        lambda: not window.work.isVisible() and len(vault.entries.timeline(client.id)) == len(before) + 2,
        timeout=15_000,
    )
    made = {e.id for e in vault.entries.timeline(client.id)} - before
    assert "import of 2 entries" in window.undo_action.text()
    with qtbot.waitSignal(window.undo.undone):
        window.undo_action.trigger()
    assert all(vault.entries.get(i).retraction.reason == "undone by the owner" for i in made)
    assert all(vault.entries.get(i).retraction is None for i in before)
    assert vault.verify().ok


def test_undo_of_a_checklist_step_puts_the_status_and_the_reminder_back(demo_session: Any, qtbot: Any) -> None:
    from app.parting.checklist import STEP_KEYS, checklist

    window, vault = demo_session.window, demo_session.vault
    client = _select(window, "Dale Corbin")
    parting = window.parting_ways()
    qtbot.waitExposed(parting)
    panel = parting.checklist

    dialog = panel.make_dialog(STEP_KEYS.index("sent"))
    qtbot.addWidget(dialog)
    dialog.how.setCurrentText("email")
    dialog.accept()
    with qtbot.waitSignal(panel.step_recorded):  # the step is written on a worker
        assert panel.mark_row(STEP_KEYS.index("sent"), dialog)
    follow_up = next(r for r in vault.reminders.open(client.id) if r.title.startswith("Follow-up call"))
    assert "Letter sent" in window.undo_action.text()
    with qtbot.waitSignal(window.undo.undone):
        window.undo_action.trigger()
    assert not next(s for s in checklist(vault, client.id) if s.step.key == "sent").done
    assert vault.reminders.get(follow_up.id).done_at is not None  # the follow-up call it set is cancelled
    assert not panel.model.state(STEP_KEYS.index("sent")).done  # the open window shows it
    assert vault.verify().ok

    dialog = panel.make_dialog(STEP_KEYS.index("status"))
    qtbot.addWidget(dialog)
    dialog.status.setCurrentIndex(dialog.status.findData("do_not_serve"))
    dialog.reason.setText("Threatened staff.")
    dialog.accept()
    with qtbot.waitSignal(panel.step_recorded):
        assert panel.mark_row(STEP_KEYS.index("status"), dialog)
    assert vault.clients.get(client.id).status == "do_not_serve"
    with qtbot.waitSignal(window.undo.undone):
        window.undo_action.trigger()
    assert vault.clients.get(client.id).status == client.status  # as before the step
    assert vault.clients.status_history(client.id)[-1].reason == "undone by the owner"
    assert "Undone: the checklist step" in window.statusBar().currentMessage()
    assert vault.verify().ok
