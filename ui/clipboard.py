"""Text Casefile puts on the clipboard, taken back after a while and on lock.

Only what Casefile put there is cleared: if the user has copied something else since,
the clipboard is left alone (KeePassXC does the same, after 10 s).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_SECONDS = 30


class SecureClipboard(QObject):
    """Copies text and clears it ``seconds`` later, or at ``clear()`` (lock), if it is still ours."""

    def __init__(self, parent: QObject | None = None, *, seconds: float = CLEAR_AFTER_SECONDS) -> None:
        super().__init__(parent)
        self._ours = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(seconds * 1000))
        self._timer.timeout.connect(self.clear)

    @property
    def seconds(self) -> float:
        return self._timer.interval() / 1000

    def copy(self, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(text, QClipboard.Mode.Clipboard)
        if clipboard.supportsSelection():
            clipboard.setText(text, QClipboard.Mode.Selection)
        self._ours = text
        self._timer.start()

    def clear(self) -> None:
        """Empty the clipboard (and the X11 selection) where it still holds our text."""
        self._timer.stop()
        ours, self._ours = self._ours, ""
        if not ours:
            return
        clipboard = QGuiApplication.clipboard()
        modes = [QClipboard.Mode.Clipboard]
        if clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        for mode in modes:
            if clipboard.text(mode) == ours:
                clipboard.clear(mode)

    def holds_ours(self) -> bool:
        return bool(self._ours) and QGuiApplication.clipboard().text() == self._ours
