"""The recovery key on screen: every character visible, selectable, in a clear monospace font.

The key is 8 groups of 4 (39 characters). When one line does not fit the label's width it
is shown as two lines of four groups — never clipped, never elided.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

_PADDING = 12


def key_font() -> QFont:
    """The system's fixed-width font, enlarged: 0/O and 1/I/l are told apart in those fonts."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.4)
    font.setBold(True)
    return font


def key_lines(key: str, groups_per_line: int) -> str:
    groups = key.split("-")
    lines = ["-".join(groups[i : i + groups_per_line]) for i in range(0, len(groups), groups_per_line)]
    return "-\n".join(lines)


class RecoveryKeyLabel(QLabel):
    """Shows ``key`` on one line when it fits, else on two (each line ends with its group's dash)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = ""
        self.setFont(key_font())
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(f"padding: {_PADDING}px; border: 1px solid palette(mid); border-radius: 4px;")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Recovery key")

    def key(self) -> str:
        return self._key

    def set_key(self, key: str) -> None:
        self._key = key
        self.setAccessibleDescription(" ".join(key.split("-")))
        self._relayout(self.width())
        self.updateGeometry()

    def clear(self) -> None:
        self._key = ""
        super().clear()

    def _text_width(self, text: str) -> int:
        metrics = self.fontMetrics()
        return max((metrics.horizontalAdvance(line) for line in text.splitlines()), default=0)

    def _room(self, width: int) -> int:
        return width - 2 * _PADDING - 4  # padding and border of the style sheet

    def _relayout(self, width: int) -> None:
        if not self._key:
            return
        one_line = self._key
        self.setText(one_line if self._text_width(one_line) <= self._room(width) else key_lines(self._key, 4))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout(event.size().width())

    def minimumSizeHint(self) -> QSize:
        two = key_lines(self._key or "XXXX-" * 7 + "XXXX", 4)
        metrics = self.fontMetrics()
        return QSize(self._text_width(two) + 2 * _PADDING + 6, 2 * metrics.lineSpacing() + 2 * _PADDING + 4)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        one = self._key or "XXXX-" * 7 + "XXXX"
        return QSize(self._text_width(one) + 2 * _PADDING + 6, 2 * metrics.lineSpacing() + 2 * _PADDING + 4)

    def text_fits(self) -> bool:
        """Every line of the shown text lies within the label's contents (for tests and checks)."""
        return self._text_width(self.text()) <= self._room(self.width())
