"""Search → jump, auto-lock, Ctrl+L, settings, and nothing readable left outside the vault."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.ui import PASSPHRASE

MARKER = "ZEBRAQUOKKA7731"


def test_search_as_you_type_then_enter_jumps_to_the_entry(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.search import SearchDialog, snippet_html
    from ui.models.roles import SNIPPET_ROLE

    window = demo_session.window
    window.select_client(window.clients.index(0, 0).data(Qt.ItemDataRole.UserRole + 1))
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = next(d for d in window.findChildren(SearchDialog) if d.isVisible())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.query)
    qtbot.keyClicks(dialog.query, "backspl")
    qtbot.waitUntil(lambda: dialog.results.rowCount() > 0, timeout=5000)
    hit = dialog.results.hit(0)
    assert "[" in dialog.results.index(0, 0).data(SNIPPET_ROLE)
    assert "<b" in snippet_html(hit.snippet)
    with qtbot.waitSignal(dialog.entry_chosen):
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert window.current_client().id == hit.client_id
    assert window.current_entry_id() == hit.entry_id
    assert window.detail.entry.id == hit.entry_id


def test_a_bad_query_says_why_in_one_line(demo_session: Any, qtbot: Any) -> None:
    dialog = demo_session.window.search()
    qtbot.keyClicks(dialog.query, '"unclosed')
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Cannot search"), timeout=5000)
    assert dialog.results.rowCount() == 0 and "\n" not in dialog.status.text()


def test_auto_lock_after_idle_closes_the_vault_and_returns_to_unlock(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.unlock import UnlockDialog

    window = demo_session.window
    vault = demo_session.vault
    draft = window.quick_capture()
    qtbot.keyClicks(draft.body, "typed just before the lock")
    demo_session.idle.set_minutes(0.5 / 60)  # half a second
    with qtbot.waitSignal(demo_session.locked, timeout=5000):
        pass
    assert not vault.is_open and demo_session.vault is None
    assert isinstance(demo_session.gate, UnlockDialog) and demo_session.gate.isVisible()
    assert window.timeline.rowCount() == 0 and window.clients.rowCount() == 0  # models were emptied
    assert window.detail.entry is None
    from app.vault import Vault

    reopened = Vault.open(vault.path, PASSPHRASE)
    try:
        assert [d.content["body"] for d in reopened.drafts.list()] == ["typed just before the lock"]
    finally:
        reopened.lock()
    dialog = demo_session.gate
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    with qtbot.waitSignal(demo_session.unlocked, timeout=20_000):
        dialog.unlock_button.click()
    assert "1 unsaved draft kept" in demo_session.window.statusBar().currentMessage()


def test_activity_postpones_the_auto_lock(demo_session: Any, qtbot: Any) -> None:
    demo_session.idle.set_minutes(0.4 / 60)
    deadline = time.monotonic() + 0.8
    while time.monotonic() < deadline:
        qtbot.keyClick(demo_session.window.filter_edit, Qt.Key.Key_Shift)
        qtbot.wait(100)
    assert demo_session.vault is not None  # 0.8 s of typing > 0.4 s timeout, still open
    with qtbot.waitSignal(demo_session.locked, timeout=3000):
        pass


def test_ctrl_l_locks_and_the_passphrase_unlocks_again(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    with qtbot.waitSignal(demo_session.locked):
        qtbot.keyClick(window.timeline_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = demo_session.gate
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    with qtbot.waitSignal(demo_session.unlocked, timeout=20_000):
        dialog.unlock_button.click()
    assert demo_session.window is not window and demo_session.window.clients.rowCount() == 4


def test_settings_are_saved_and_the_auto_lock_follows(demo_session: Any, qtbot: Any) -> None:
    dialog = demo_session.show_settings()
    dialog.auto_lock.setValue(12)
    dialog.bates_vault.setText("WHIT")
    dialog.inbox.setText("/tmp/casefile-inbox")
    dialog.timezone.setText("Mars/Olympus")
    dialog.apply()
    assert dialog.isVisible() and "Unknown time zone" in dialog.error.text()
    dialog.timezone.setText("Asia/Tokyo")
    with qtbot.waitSignal(dialog.applied, timeout=30_000):  # written on the window's writer worker
        dialog.apply()
    qtbot.waitUntil(lambda: demo_session.window.timeline.zone.key == "Asia/Tokyo")
    assert demo_session.window.timeline.zone.key == "Asia/Tokyo"
    assert demo_session.settings.auto_lock_minutes == 12
    assert demo_session.idle._timer.interval() == 12 * 60_000
    assert demo_session.vault.settings.get("bates_prefix") == "WHIT"
    assert demo_session.settings.inbox_folder == "/tmp/casefile-inbox"


def test_no_plaintext_in_settings_or_temp_files_after_a_session(
    demo_session: Any, qtbot: Any, qsettings: Any, tmp_path: Path
) -> None:
    started = time.time() - 1
    window = demo_session.window
    dialog = window.quick_capture()
    qtbot.keyClicks(dialog.body, f"Secret note {MARKER}")
    dialog.save_draft()
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    search = window.search()
    qtbot.keyClicks(search.query, MARKER[:8])
    qtbot.waitUntil(lambda: search.results.rowCount() == 1, timeout=5000)
    search.done(0)
    window.detail.show_entry(window.current_entry_id())
    demo_session.lock()
    qsettings.sync()
    settings_text = Path(qsettings.fileName()).read_bytes()
    assert b"vault" in settings_text  # the path is there …
    assert MARKER.encode() not in settings_text and PASSPHRASE.encode() not in settings_text  # … nothing else
    for folder in {Path(tempfile.gettempdir()), demo_session.path}:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(root) / name
                try:
                    if path.stat().st_mtime < started or path.stat().st_size > 50 << 20:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                if path.name.endswith(".py") or ("pytest-of" in str(path) and path.suffix == ".png"):
                    continue
                assert MARKER.encode() not in data, path


def test_screen_lock_or_sleep_locks_the_vault(demo_session: Any, qtbot: Any) -> None:
    watcher = demo_session.system_lock
    watcher.state_changed(False)  # the screen saver went off: nothing to do
    assert demo_session.vault is not None
    with qtbot.waitSignal(demo_session.locked):
        watcher.state_changed(True)  # what org.freedesktop.ScreenSaver.ActiveChanged(true) delivers
    assert demo_session.vault is None
