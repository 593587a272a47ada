"""Window shortcuts that work while a text field has focus.

A QLineEdit claims some chords for itself through ShortcutOverride (on X11 Ctrl+E is "end of
line", Ctrl+K "delete to end"), so the window's Ctrl+E did nothing while the client filter had
focus. ``PassWindowShortcuts`` lets the window's own action shortcuts win in that field; text
editing keys the window does not use (Ctrl+A/C/V/X/Z …) stay with the field.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget


class PassWindowShortcuts(QObject):
    def __init__(self, field: QWidget, window: QWidget) -> None:
        super().__init__(field)
        self._window = window
        field.installEventFilter(self)

    def _window_keys(self) -> set[str]:
        keys: set[str] = set()
        for action in self._window.actions():
            if action.isEnabled():
                keys.update(s.toString() for s in action.shortcuts())
        return keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination()).toString()
            if pressed in self._window_keys():
                event.ignore()  # not overridden: the window's shortcut runs
                return True
        return False
