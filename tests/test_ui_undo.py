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
    window.undo_action.trigger()
    assert all(vault.entries.get(i).retraction.reason == "undone by the owner" for i in made)
    assert all(vault.entries.get(i).retraction is None for i in before)
    assert vault.verify().ok
