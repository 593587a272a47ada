"""Ingest in the desktop app: drops go through app.ingest, the watched Inbox runs while
unlocked (in a tmp folder, never the user's home), triage assigns waiting files."""

from __future__ import annotations

import os
import shutil
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.conftest import CORPUS
from ui.import_feedback import ImportResultsDialog

JPEG = CORPUS / "images" / "jpeg" / "Canon_40D.jpg"
EML = CORPUS / "email" / "eml" / "000.eml"


def _select(window: Any, name: str) -> Any:
    client = next(c for c in window.vault.clients.list() if c.name == name)
    window.select_client(client.id)
    return client


def _drop_on_client(window: Any, paths: list[Path]) -> None:
    view = window.client_view
    mime = QMimeData(view)  # Qt's drag manager keeps a guarded pointer to it
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = view.visualRect(view.currentIndex()).center()
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(view.viewport(), QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, buttons, keys))


def _kinds(window: Any, client_id: int) -> list[str]:
    return [e.kind for e in window.vault.entries.timeline(client_id)]


def test_dropping_an_email_a_photo_and_an_empty_file_on_a_client(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window = demo_session.window
    client = _select(window, "Priya Natarajan")
    before_rows, before_kinds = window.timeline.rowCount(), _kinds(window, client.id)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    _drop_on_client(window, [EML, JPEG, empty])
    qtbot.waitUntil(
        lambda: not window.work.isVisible() and window.timeline.rowCount() == before_rows + 2, timeout=15_000
    )
    added = _kinds(window, client.id)
    for kind in ("email", "photo"):
        assert added.count(kind) == before_kinds.count(kind) + 1
    photo = next(e for e in window.vault.entries.timeline(client.id) if e.kind == "photo")
    original = window.vault.attachments.for_entry(photo.id)[0]
    assert window.vault.attachments.read_bytes(original.sha256) == JPEG.read_bytes()
    assert window.vault.attachments.derivative(original.sha256, "thumb256")[:3] == b"\xff\xd8\xff"
    # the refusal is listed without blocking; the status bar sums up
    assert "Imported 2 of 3 files into Priya Natarajan; 1 refused" in window.statusBar().currentMessage()
    results = window.findChild(ImportResultsDialog, "import-results")
    assert results is not None and results.isVisible()
    lines = [results.lines.item(i).text() for i in range(results.lines.count())]
    assert lines[0].startswith("refused") and "empty.pdf" in lines[0] and "empty" in lines[0][10:]
    assert any(line.startswith("imported") and "Canon_40D.jpg" in line for line in lines)
    qtbot.waitUntil(lambda: window.detail.entry is not None, timeout=5000)
    demo_session.tasks.wait()
    qtbot.wait(100)  # the thumbnail arrives from a worker
    shots = Path(os.environ.get("CASEFILE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    assert window.grab().toImage().save(str(shots / "after-drop-import.png"))
    assert results.grab().toImage().save(str(shots / "import-results.png"))


def test_a_photo_dropped_on_an_entry_is_attached_with_its_thumbnail(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    client = _select(window, "Priya Natarajan")
    entry_id = window.vault.entries.timeline_ids(client.id)[0]
    rows = window.timeline.rowCount()
    window.add_files(client.id, [JPEG], entry_id)
    qtbot.waitUntil(lambda: not window.work.isVisible(), timeout=15_000)
    stored = window.vault.attachments.for_entry(entry_id)[-1]
    assert stored.name == "Canon_40D.jpg" and window.timeline.rowCount() == rows  # no new entry
    assert window.vault.attachments.derivative(stored.sha256, "thumb1600") is not None
    # the same photo again: listed as already there, not attached twice
    count = len(window.vault.attachments.for_entry(entry_id))
    window.add_files(client.id, [JPEG], entry_id)
    qtbot.waitUntil(lambda: window.findChild(ImportResultsDialog, "import-results") is not None, timeout=15_000)
    lines = window.findChild(ImportResultsDialog, "import-results").lines
    assert lines.item(0).text().startswith("duplicate") and "already attached" in lines.item(0).text()
    assert len(window.vault.attachments.for_entry(entry_id)) == count


def test_an_email_from_a_do_not_serve_person_raises_a_warning(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window = demo_session.window
    vault = demo_session.vault
    vault.clients.add("Dana Crowley", emails=["dana.crowley@example.net"], status="do_not_serve")
    client = _select(window, "Priya Natarajan")
    message = EmailMessage()
    message["From"] = "Dana Crowley <dana.crowley@example.net>"
    message["To"] = "owner@example.com"
    message["Subject"] = "About Priya's kitchen"
    message["Date"] = "Tue, 03 Nov 2026 10:15:00 +0000"
    message.set_content("I am writing on Priya's behalf.")
    eml = tmp_path / "from-dana.eml"
    eml.write_bytes(message.as_bytes())
    _drop_on_client(window, [eml])
    # Dana is a client of her own: first the "file it under Priya anyway?" question (tests/test_ui_wrong_client.py)
    qtbot.waitUntil(lambda: window.filing_question is not None and window.filing_question.isVisible())
    next(b for b in window.filing_question.buttons() if b.text() == "File under Priya Natarajan").click()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "do-not-serve-warning") is not None, timeout=15_000)
    box = window.findChild(QMessageBox, "do-not-serve-warning")
    assert box.isVisible() and box.icon() == QMessageBox.Icon.Warning
    assert "Dana Crowley" in box.informativeText()
    shots = Path(os.environ.get("CASEFILE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    assert box.grab().toImage().save(str(shots / "do-not-serve-warning.png"))
    assert "email" in _kinds(window, client.id)  # imported all the same, into Priya's timeline
    assert window.findChild(ImportResultsDialog, "import-results") is None  # nothing refused: no list
    box.accept()


def _watch(session: Any, folder: Path) -> None:
    session.settings.inbox_folder = str(folder)
    session.settings.inbox_watch = True
    session.inbox.settle_seconds = 0.2
    session.restart_inbox()
    assert session.inbox.running


def _inbox_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "casefile-inbox" and t.is_alive()]


def test_a_file_in_a_client_inbox_folder_appears_in_the_timeline(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window = demo_session.window
    client = _select(window, "Priya Natarajan")
    rows = window.timeline.rowCount()
    inbox = tmp_path / "Inbox"
    from app.ingest.inbox_folders import add_client_folder

    add_client_folder(demo_session.vault, client.id)  # the owner asked for this client's folder
    _watch(demo_session, inbox)
    assert (inbox / "Priya Natarajan").is_dir() and (inbox / "Imported").is_dir()
    shown: list[str] = []  # every status line: the reminders' notice may follow the Inbox's
    window.statusBar().messageChanged.connect(shown.append)
    shutil.copy(JPEG, inbox / "Priya Natarajan" / "site.jpg")
    qtbot.waitUntil(lambda: window.timeline.rowCount() == rows + 1, timeout=15_000)
    assert "photo" in _kinds(window, client.id)
    moved = list((inbox / "Imported").rglob("site.jpg"))
    assert not (inbox / "Priya Natarajan" / "site.jpg").exists()
    assert len(moved) == 1 and moved[0].read_bytes() == JPEG.read_bytes()
    qtbot.waitUntil(lambda: any(m.startswith("Inbox: imported") for m in shown), timeout=5000)


def test_triage_assigns_a_waiting_file_to_a_client(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from app.ingest import triage

    window = demo_session.window
    client = _select(window, "Priya Natarajan")
    rows = window.timeline.rowCount()
    inbox = tmp_path / "Inbox"
    _watch(demo_session, inbox)
    shutil.copy(EML, inbox / "unsorted.eml")
    qtbot.waitUntil(lambda: len(triage.pending(demo_session.vault)) == 1, timeout=15_000)
    dialog = window.show_triage()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text() == "unsorted.eml"
    assert dialog.clients.currentData() is None and not dialog.assign_button.isEnabled()  # the owner chooses
    dialog.clients.setCurrentIndex(dialog.clients.findData(client.id))
    assert dialog.assign_button.isEnabled()
    assert dialog.grab().toImage().save(str(Path(os.environ.get("CASEFILE_SHOTS", tmp_path)) / "triage-waiting.png"))
    qtbot.mouseClick(dialog.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=15_000)
    assert triage.pending(demo_session.vault) == []
    qtbot.waitUntil(lambda: window.timeline.rowCount() == rows + 1, timeout=5000)
    assert "email" in _kinds(window, client.id)
    assert dialog.empty.isVisible() and not dialog.assign_button.isEnabled()
    assert dialog.grab().toImage().save(str(Path(os.environ.get("CASEFILE_SHOTS", tmp_path)) / "triage.png"))


def test_an_inbox_that_ends_on_its_own_says_so_and_stays_said(
    demo_session: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Its reader killed once too often (here: with no restart allowed): not "running" any more,
    the reason stays in the status bar instead of passing in 15 s."""
    import signal

    from app.ingest import inbox_child

    monkeypatch.setattr(inbox_child, "MAX_RESTARTS", 0)
    window = demo_session.window
    states: list[bool] = []
    demo_session.inbox.running_changed.connect(states.append)
    _watch(demo_session, tmp_path / "Inbox")
    qtbot.waitUntil(demo_session.inbox.inbox.ready.is_set, timeout=15_000)
    os.kill(demo_session.inbox.inbox.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not demo_session.inbox.running, timeout=15_000)
    assert states[-1] is False and _inbox_threads() == []
    shown = window.statusBar().currentMessage()
    assert shown.startswith("⚠ Inbox: its reader stopped 1 time;") and "no longer watched" in shown
    qtbot.wait(200)
    assert window.statusBar().currentMessage() == shown  # not a passing message
    demo_session.restart_inbox()  # the Settings' Apply, or the next unlock, starts it again
    assert demo_session.inbox.running
    qtbot.waitUntil(demo_session.inbox.inbox.ready.is_set, timeout=15_000)


def test_lock_stops_the_watcher_and_unlock_follows_the_setting(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from app.vault import Vault
    from tests.helpers.processes import gone
    from tests.helpers.ui import PASSPHRASE

    _watch(demo_session, tmp_path / "Inbox")
    assert len(_inbox_threads()) == 1
    qtbot.waitUntil(demo_session.inbox.inbox.ready.is_set, timeout=15_000)  # its child watches
    child = demo_session.inbox.inbox.pid
    demo_session.lock()
    assert not demo_session.inbox.running and _inbox_threads() == []
    assert gone(child), "the Inbox's child process outlived the lock (it holds the data key)"
    # unlocking again starts it again (the setting is on); switched off, it stays off
    demo_session.opened(Vault.open(demo_session.path, PASSPHRASE, on_change=demo_session.events))
    assert demo_session.inbox.running and len(_inbox_threads()) == 1
    demo_session.settings.inbox_watch = False
    demo_session.restart_inbox()
    assert not demo_session.inbox.running and _inbox_threads() == []


def test_the_inbox_is_on_by_default_only_when_its_folder_exists(make_session: Any, tmp_path: Path) -> None:
    from ui.dialogs.settings import SettingsDialog
    from ui.inbox_watch import inbox_folder, inbox_wanted

    session = make_session()
    folder = tmp_path / "Not yet"
    session.settings.inbox_folder = str(folder)
    assert session.settings.inbox_watch is None
    assert inbox_folder(session.settings, None) == folder and not inbox_wanted(session.settings, None)
    dialog = SettingsDialog(session.settings)
    assert not dialog.inbox_watch.isChecked()
    dialog.apply()  # saving other settings does not turn the default into a choice
    assert session.settings.inbox_watch is None and not folder.exists()
    folder.mkdir()
    assert inbox_wanted(session.settings, None)
    dialog = SettingsDialog(session.settings)
    assert dialog.inbox_watch.isChecked()
    dialog.inbox_watch.setChecked(False)
    dialog.apply()
    assert session.settings.inbox_watch is False and not inbox_wanted(session.settings, None)
