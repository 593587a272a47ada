"""Logging, editing and retracting entries as the owner does it, mostly from the keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.ui import PASSPHRASE


def _open_for(window: Any, name: str) -> None:
    from ui.models.roles import ID_ROLE

    for row in range(window.clients.rowCount()):
        if window.clients.index(row, 0).data() == name:
            window.select_client(window.clients.index(row, 0).data(ID_ROLE))
            return
    raise AssertionError(name)


def test_logging_a_call_with_the_keyboard_only(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.quick_capture import QuickCaptureDialog

    window = demo_session.window
    _open_for(window, "Priya Natarajan")
    before = window.timeline.rowCount()
    window.activateWindow()
    window.timeline_view.setFocus()
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = next(d for d in window.findChildren(QuickCaptureDialog) if d.isVisible())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.body)
    qtbot.keyClicks(dialog.body, "Asked about the invoice date")
    qtbot.keyClick(dialog.body, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.body, "Polite, 5 minutes.")
    # Shift+Tab back to the duration, type it; Ctrl+Enter saves.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is dialog.duration or dialog.duration.isAncestorOf(QApplication.focusWidget())
    qtbot.keyClicks(QApplication.focusWidget(), "5")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    entry = saved.args[0]
    assert entry.title == "Asked about the invoice date"
    assert entry.kind == "call" and entry.fields.duration_min == 5
    assert window.timeline.rowCount() == before + 1
    assert window.current_entry_id() == entry.id  # the new entry is selected and shown
    assert window.detail.entry.id == entry.id
    assert demo_session.vault.drafts.list() == []  # saving discarded the draft


def test_a_private_note_for_counsel_is_marked_everywhere_the_owner_looks(demo_session: Any, qtbot: Any) -> None:
    from ui.models.roles import JOURNAL_ROLE

    window = demo_session.window
    _open_for(window, "Priya Natarajan")
    dialog = window.quick_capture()
    dialog.kind.setCurrentIndex(dialog.kind.findData("note"))
    dialog.body.setPlainText("Lawyer says: keep every invoice email.")
    dialog.body.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.body)
    qtbot.keyClick(dialog.body, Qt.Key.Key_Tab)  # Tab leaves the note for the check box below it
    assert QApplication.focusWidget() is dialog.private
    qtbot.keyClick(dialog.private, Qt.Key.Key_Space)
    assert dialog.content()["private"] is True  # the draft keeps it too
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    entry = saved.args[0]
    assert entry.fields.private
    assert "Private" in window.detail.text.toPlainText()
    row = next(
        r
        for r in range(window.timeline.rowCount())
        if window.timeline.index(r, 0).data(JOURNAL_ROLE).row.id == entry.id
    )
    assert window.timeline.index(row, 0).data(JOURNAL_ROLE).marks == "Private"
    edit = window.edit_entry()
    assert edit.private.isChecked()  # an edit starts from what is stored
    edit.private.setChecked(False)
    with qtbot.waitSignal(edit.saved):
        edit.save()
    assert not demo_session.vault.entries.get(entry.id).fields.private
    assert demo_session.vault.verify().ok


def test_earlier_buttons_set_the_time(demo_session: Any, qtbot: Any) -> None:
    from datetime import datetime, timedelta

    from ui.dialogs.quick_capture import from_qdatetime

    dialog = demo_session.window.quick_capture()
    dialog.findChildren(type(dialog.save_button), "")  # buttons exist
    buttons = {b.text(): b for b in dialog.findChildren(type(dialog.save_button))}
    buttons["1 h ago"].click()
    delta = datetime.now().astimezone() - from_qdatetime(dialog.when.dateTime(), dialog.zone)
    assert timedelta(minutes=59) <= delta <= timedelta(minutes=61)
    buttons["15 min ago"].click()
    delta = datetime.now().astimezone() - from_qdatetime(dialog.when.dateTime(), dialog.zone)
    assert timedelta(minutes=14) <= delta <= timedelta(minutes=16)
    dialog.done(0)


def test_editing_adds_a_revision_and_the_history_shows_both(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    _open_for(window, "Gerald Whitmore")
    window.timeline_view.selectRow(0)
    entry_id = window.current_entry_id()
    original = demo_session.vault.entries.get(entry_id)
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_F2)  # F2 edits (Ctrl+E exports the dossier)
    from ui.dialogs.quick_capture import QuickCaptureDialog

    dialog = next(d for d in window.findChildren(QuickCaptureDialog) if d.isVisible())
    assert dialog.body.toPlainText() == original.fields.body
    qtbot.keyClick(dialog.body, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.body, "He later apologised by text.")
    dialog.revision_note.setText("added his text message")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    revised = demo_session.vault.entries.get(entry_id)
    assert revised.rev == original.rev + 1
    assert revised.fields.occurred_at == original.fields.occurred_at  # the time kept its offset
    assert window.detail.revisions.rowCount() == 2
    assert "Version 2" in window.detail.revisions.index(0, 0).data()
    assert "added his text message" in window.detail.revisions.index(0, 0).data()
    assert demo_session.vault.entries.revisions(entry_id)[-1].note == "added his text message"
    window.detail.revision_view.clicked.emit(window.detail.revisions.index(1, 0))
    assert "earlier version" in window.detail.text.toPlainText()
    assert "apologised" not in window.detail.text.toPlainText()


def test_an_unchanged_edit_is_refused_with_a_clear_message(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    _open_for(window, "Gerald Whitmore")
    window.timeline_view.selectRow(0)
    dialog = window.edit_entry()
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error.text() == "Nothing changed; no revision was added.", timeout=5000)
    assert dialog.isVisible() and dialog.save_button.isEnabled()


def test_retracting_strikes_the_entry_through_and_keeps_the_reason(demo_session: Any, qtbot: Any) -> None:
    from ui.models.roles import RETRACTED_ROLE
    from ui.models.timeline_model import COL_TITLE

    window = demo_session.window
    _open_for(window, "Gerald Whitmore")
    window.timeline_view.selectRow(1)
    entry_id = window.current_entry_id()
    dialog = window.retract_entry()
    dialog.retract()
    assert "must not be empty" in dialog.error.text()
    qtbot.keyClicks(dialog.reason, "Logged for the wrong client")
    with qtbot.waitSignal(dialog.retracted):
        dialog.ok.click()
    row = window.timeline.row_of(entry_id)
    index = window.timeline.index(row, COL_TITLE)
    assert index.data(RETRACTED_ROLE) is True
    assert index.data(Qt.ItemDataRole.FontRole).strikeOut()
    assert "Retracted" in window.detail.text.toPlainText() and "wrong client" in window.detail.text.toPlainText()
    assert not window.detail.edit_button.isEnabled()
    assert demo_session.vault.entries.get(entry_id).retraction.reason == "Logged for the wrong client"


def test_a_draft_survives_a_crash(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from app.vault import Vault
    from ui.dialogs.quick_capture import QuickCaptureDialog

    window = demo_session.window
    _open_for(window, "Maple Street Bakery")
    client_id = window.current_client().id
    dialog = window.quick_capture()
    dialog.autosave_timer.setInterval(50)
    dialog.autosave_timer.start()
    qtbot.keyClicks(dialog.body, "Owner called about the oven hood, half-written")
    qtbot.waitUntil(lambda: dialog.draft_id is not None, timeout=3000)
    # The "crash": the vault closes underneath with nothing saved by the dialog.
    path = demo_session.vault.path
    demo_session.vault.lock()
    demo_session.vault = None
    dialog.autosave_timer.stop()

    vault = Vault.open(path, PASSPHRASE)
    try:
        drafts = vault.drafts.list(client_id)
        assert [d.content["body"] for d in drafts] == ["Owner called about the oven hood, half-written"]
        client = vault.clients.get(client_id)
        reopened = QuickCaptureDialog(vault, client)
        assert reopened.body.toPlainText() == "Owner called about the oven hood, half-written"
        assert "Draft restored" in reopened.draft_note.text()
        reopened.done(0)
    finally:
        vault.lock()


def test_escape_keeps_the_draft_and_reopening_restores_it(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    dialog = window.quick_capture()
    qtbot.keyClicks(dialog.body, "Left a voicemail")
    qtbot.keyClick(dialog.body, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    again = window.quick_capture()  # at once: it waits for the closed dialog's draft write
    assert [d.content["body"] for d in demo_session.vault.drafts.list()] == ["Left a voicemail"]
    assert again.body.toPlainText() == "Left a voicemail"


def test_dropping_a_file_on_a_client_adds_a_document_entry(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    window = demo_session.window
    _open_for(window, "Priya Natarajan")
    dropped = tmp_path / "site-visit.txt"
    dropped.write_text("measurements: 3.2 m x 4.1 m")
    mime = QMimeData(window.client_view)  # Qt's drag manager keeps a guarded pointer to it
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    centre = window.client_view.visualRect(window.client_view.currentIndex()).center()
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    before = window.timeline.rowCount()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(window.client_view.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(window.client_view.viewport(), drop)
    qtbot.waitUntil(lambda: window.timeline.rowCount() == before + 1, timeout=5000)
    qtbot.waitUntil(lambda: window.detail.entry is not None and window.detail.entry.kind == "document", timeout=5000)
    assert window.detail.attachments.rowCount() == 1
    sha = window.detail.attachments.attachments()[0].sha256
    assert demo_session.vault.attachments.read_bytes(sha) == dropped.read_bytes()


def test_adding_many_files_shows_progress_and_cancel_stops_between_files(
    demo_session: Any, qtbot: Any, tmp_path: Path
) -> None:
    from ui.drop import import_dropped_files
    from ui.workers import Progress, _TaskSignals

    window = demo_session.window
    client = window.current_client()
    files = []
    for i in range(4):
        path = tmp_path / f"receipt-{i}.txt"
        path.write_text(f"receipt {i}")
        files.append(path)
    before = window.timeline.rowCount()
    # the GUI path: progress shows, then each file is its own entry (ingest), the last one selected
    window.add_files(client.id, files)
    assert window.work.isVisible() and window.work.cancel.isEnabled()
    qtbot.waitUntil(lambda: not window.work.isVisible(), timeout=10_000)
    assert window.timeline.rowCount() == before + 4
    assert window.detail.attachments.rowCount() == 1
    # cancel: the task stops before the next file; what was stored stays whole
    for path in files:
        path.write_text(path.read_text() + " (second copy)")  # new bytes: not duplicates
    signals = _TaskSignals()
    progress = Progress(signals)
    reports: list[int] = []
    signals.progressed.connect(lambda done, _total, _text: (reports.append(done), done == 1 and progress.cancel()))
    outcome = import_dropped_files(demo_session.vault, client.id, files, None, progress)
    assert outcome.cancelled and len(outcome.results) == 2 and len(outcome.entry_ids) == 2
    assert reports[:2] == [0, 1]


def test_files_dropped_on_quick_capture_are_attached_to_the_new_entry(
    demo_session: Any, qtbot: Any, tmp_path: Path
) -> None:
    window = demo_session.window
    photo = tmp_path / "site.txt"
    photo.write_text("photo notes")
    dialog = window.quick_capture()
    dialog.add_dropped([photo])
    assert "site.txt" in dialog.dropped_label.text()
    qtbot.keyClicks(dialog.body, "Site visit, see attached")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    entry = saved.args[0]
    qtbot.waitUntil(lambda: demo_session.vault.entries.get(entry.id).attachment_count == 1, timeout=5000)
    assert demo_session.vault.attachments.for_entry(entry.id)[0].name == "site.txt"
