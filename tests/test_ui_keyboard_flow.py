"""The whole main flow with the keyboard only — create a vault, add a client, log a call, find it,
export the dossier — driven by key presses sent to whatever has the focus (no mouse, no calls
into the widgets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.helpers.ui import PASSPHRASE

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _focused() -> Any:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _type(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(_focused(), text)


def _dialog(qtbot: Any) -> Any:
    """The dialog a shortcut just opened, once it has the keyboard focus (the window manager's job)."""
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None)
    dialog = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: dialog.isAncestorOf(QApplication.focusWidget()))
    return dialog


def _back_in(qtbot: Any, window: Any) -> None:
    """A dialog closed: the window manager gives the main window the focus back (offscreen has no
    window manager, so the test does its job: activating a window is not a click in the app)."""
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    if QApplication.focusWidget() is None or not window.isAncestorOf(QApplication.focusWidget()):
        window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and window.isAncestorOf(QApplication.focusWidget()))


def _key(qtbot: Any, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(_focused(), key, modifiers)


# The folder chooser's path completer pops up while typing; offscreen cannot grab the keyboard for it.
@pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard")
def test_create_client_call_search_export_with_the_keyboard_only(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    session = make_session()
    session.start(tmp_path / "vault")  # no vault there yet: the create screen
    qtbot.waitUntil(lambda: session.gate is not None and session.gate.isVisible())
    create = session.gate
    qtbot.waitUntil(lambda: QApplication.focusWidget() is create.passphrase)
    _type(qtbot, PASSPHRASE)
    _key(qtbot, Qt.Key.Key_Tab)
    while QApplication.focusWidget() is not create.repeat:  # past the show-passphrase toggle, if any
        _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, PASSPHRASE)
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: create.pages.currentIndex() == 1, timeout=20_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is create.stored)
    _key(qtbot, Qt.Key.Key_Space)  # "I have stored the recovery key somewhere safe"
    with qtbot.waitSignal(session.unlocked, timeout=10_000):
        _key(qtbot, Qt.Key.Key_Return)
    window = session.window
    qtbot.waitExposed(window)
    _back_in(qtbot, window)

    _key(qtbot, Qt.Key.Key_N, CTRL | SHIFT)  # New client…
    _dialog(qtbot)
    _type(qtbot, "Gerald Whitmore")
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [c.name for c in session.vault.clients.list()] == ["Gerald Whitmore"])
    qtbot.waitUntil(lambda: window.current_client() is not None)
    _back_in(qtbot, window)

    _key(qtbot, Qt.Key.Key_N, CTRL)  # Log a call: the note has the focus
    _dialog(qtbot)
    _type(qtbot, "He called about the cracked tiles and threatened to sue.")
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(session.vault.entries.timeline()) == 1)
    entry = session.vault.entries.timeline()[0]
    assert entry.kind == "call" and "cracked tiles" in session.vault.entries.get(entry.id).fields.body

    _back_in(qtbot, window)
    _key(qtbot, Qt.Key.Key_K, CTRL)  # Search
    search = _dialog(qtbot)
    _type(qtbot, "tiles")
    qtbot.waitUntil(lambda: search.view.model().rowCount() == 1, timeout=5_000)
    _key(qtbot, Qt.Key.Key_Return)  # jumps to the entry
    qtbot.waitUntil(lambda: window.current_entry_id() == entry.id and not search.isVisible())
    _back_in(qtbot, window)

    out = tmp_path / "for-the-lawyer"
    out.mkdir()
    _key(qtbot, Qt.Key.Key_E, CTRL)  # Export dossier: Enter builds the preview
    export = _dialog(qtbot)
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: export.dossier is not None, timeout=60_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is export.save_button)

    tries: list[int] = []

    def type_the_folder() -> None:  # the folder chooser is modal (its own event loop): keys go to its focus
        tries.append(1)
        chooser = QApplication.activeModalWidget()
        if not isinstance(chooser, QFileDialog) or not chooser.isAncestorOf(QApplication.focusWidget()):
            if isinstance(chooser, QFileDialog):
                chooser.activateWindow()  # the window manager's job, as in _back_in
            if len(tries) > 200:  # never hang the suite: give up, the assertions below fail
                if isinstance(chooser, QFileDialog):
                    chooser.reject()
                return
            QTimer.singleShot(50, type_the_folder)
            return
        line = QApplication.focusWidget()
        qtbot.keyClick(line, Qt.Key.Key_A, CTRL)  # the field may hold a start folder
        qtbot.keyClicks(line, str(out))
        qtbot.keyClick(line, Qt.Key.Key_Return)

    QTimer.singleShot(50, type_the_folder)
    _key(qtbot, Qt.Key.Key_Return)  # Save PDF and bundle…
    qtbot.waitUntil(lambda: len(list(out.glob("*.pdf"))) == 1 and len(list(out.glob("*.zip"))) == 1, timeout=60_000)
    qtbot.waitUntil(lambda: "Dossier saved" in window.statusBar().currentMessage(), timeout=10_000)
    assert session.vault.verify().ok
