"""A passphrase field: hidden by default, a show/hide toggle inside it, and a Caps Lock warning.

Qt has no portable way to read the Caps Lock state, so the field infers it from what is
typed: a letter whose case disagrees with the Shift key means Caps Lock is on (a lowercase
letter without Shift means it is off again). ``caps_warning`` is a label the dialog places
under the field; it shows only while Caps Lock seems on and the field has focus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QToolButton, QWidget

if TYPE_CHECKING:  # the event type (and QEvent's enums) is made when the first key arrives, not at import
    from PySide6.QtGui import QKeyEvent

from ui.icons import icon


class PassphraseField(QLineEdit):
    """Signals:
    caps_lock_changed(bool): Caps Lock now seems on (True) or off (False).
    """

    caps_lock_changed = Signal(bool)

    def __init__(self, accessible_name: str = "Passphrase", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setAccessibleName(accessible_name)
        self.caps_lock = False
        self.toggle = self.addAction(icon("show"), QLineEdit.ActionPosition.TrailingPosition)
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Show the passphrase")
        for button in self.findChildren(QToolButton):  # the button Qt made for the action
            button.setAccessibleName("Show the passphrase")
        self.toggle.toggled.connect(self.set_shown)
        self.caps_warning = QLabel("Caps Lock is on.")
        self.caps_warning.setObjectName("caps-warning")
        self.caps_warning.setAccessibleName("Caps Lock warning")
        self.caps_warning.hide()
        QApplication.instance().focusChanged.connect(self._focus_changed)  # type: ignore[union-attr]

    def set_shown(self, shown: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.toggle.setIcon(icon("hide" if shown else "show"))
        self.toggle.setToolTip("Hide the passphrase" if shown else "Show the passphrase")
        if self.toggle.isChecked() != shown:
            self.toggle.setChecked(shown)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt  # not at import: the unlock window paints before Qt's enums are made

        text = event.text()
        if len(text) == 1 and text.isalpha() and text.upper() != text.lower():
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._set_caps_lock(text.isupper() != shift)
        elif event.key() == Qt.Key.Key_CapsLock and self.caps_lock:
            self._set_caps_lock(False)  # pressed again: most likely off now
        super().keyPressEvent(event)

    def _set_caps_lock(self, on: bool) -> None:
        if on == self.caps_lock:
            return
        self.caps_lock = on
        self.caps_warning.setVisible(on and self.hasFocus())
        self.caps_lock_changed.emit(on)

    def _focus_changed(self, old: QWidget | None, now: QWidget | None) -> None:
        """QApplication.focusChanged, not focusIn/OutEvent overrides: an override hands Python a
        QFocusEvent as the unlock window first shows, which makes QEvent's ~170-member enum
        before the first paint (issue 17: warm start)."""
        if now is self:
            self.caps_warning.setVisible(self.caps_lock)
        elif old is self:
            self.caps_warning.hide()
