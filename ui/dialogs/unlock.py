"""The unlock screen: passphrase in, an open vault out. The KDF runs on a worker thread.

It is the first window of a start (issue 17: warm start ≤ 300 ms), so nothing here touches
PySide6's ``Qt`` namespace before the first paint: its ~90 Python enums are made at the first
attribute access of ``Qt`` (~30 ms quiet, 150 ms at load 5), which a bare window never pays.
What needs it (selectable labels, keeping the frame on screen) is done just after the paint
(``AFTER_PAINT_MS``); tests/test_ui_start_imports.py keeps it that way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.primary import make_primary
from ui.icons import icon
from ui.widgets.passphrase_field import PassphraseField
from ui.window_geometry import keep_on_screen
from ui.workers import Tasks, user_message

# After show(), the first paint comes from the event loop (the window system's expose): a zero
# timer could run first. 60 ms is after it on any machine the app supports, and before anyone
# has typed a passphrase.
AFTER_PAINT_MS = 60


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setStyleSheet("color: #b42318;")
    label.setWordWrap(True)
    label.hide()
    return label


def busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)  # indeterminate: the KDF gives no progress
    bar.setTextVisible(False)
    bar.setMaximumHeight(6)
    bar.hide()
    return bar


class UnlockDialog(QDialog):
    """Asks for the passphrase of the vault at ``path`` and opens it off the GUI thread.

    Signals:
        unlocked(object): the open Vault.
        create_requested(): the user wants a new vault.
        choose_requested(): the user wants to pick another vault folder.
        recovery_requested(): the user lost the passphrase and has the recovery key.
        unlock_started(): the KDF is running on a worker (the GUI thread is free meanwhile).
        vault_chosen(object): the user picked another vault (a Path) from "Recent vaults".
    """

    unlocked = Signal(object)
    unlock_started = Signal()
    create_requested = Signal()
    choose_requested = Signal()
    recovery_requested = Signal()
    vault_chosen = Signal(object)

    def __init__(
        self,
        path: Path,
        tasks: Tasks,
        on_change: Any,
        *,
        hint: str = "",
        recent: list[Path] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._tasks = tasks
        self._on_change = on_change
        self.setWindowTitle("Unlock — Casefile")
        self.setWindowIcon(icon("vault"))
        self.setMinimumWidth(440)

        self.heading = QLabel()  # AutoText: starts with a tag, so rich text (the name is escaped)
        self.heading.setText(f"<h2>Unlock the vault “{_escape(path.name or str(path))}”</h2>")
        self.heading.setWordWrap(True)
        where = QLabel(f"Folder: {path}")
        where.setWordWrap(True)
        self.where = where
        where.setStyleSheet("color: palette(placeholder-text);")
        self.recent = QComboBox()
        self.recent.setAccessibleName("Recent vaults")
        others = [p for p in (recent or []) if p != path]
        self.recent.addItem(f"{path.name or path} — {path}", str(path))
        for other in others:
            self.recent.addItem(f"{other.name or other} — {other}", str(other))
        self.recent.activated.connect(self._recent_chosen)
        recent_row = QHBoxLayout()
        recent_label = QLabel("Recent vaults")
        recent_label.setBuddy(self.recent)
        recent_row.addWidget(recent_label)
        recent_row.addWidget(self.recent, 1)
        self.recent_row = QWidget()
        self.recent_row.setLayout(recent_row)
        recent_row.setContentsMargins(0, 0, 0, 0)
        self.recent_row.setVisible(bool(others))
        self.passphrase = PassphraseField("Passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        self.hint = QLabel(hint)
        self.hint.setVisible(bool(hint))
        self.error = error_label()
        self.busy = busy_bar()

        self.buttons = QDialogButtonBox()
        self.unlock_button = self.buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)

        links = QHBoxLayout()
        for text, signal in (
            ("Forgot passphrase…", self.recovery_requested),
            ("Open another vault…", self.choose_requested),
            ("Create a new vault…", self.create_requested),
        ):
            button = QPushButton(text)
            button.setFlat(True)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, signal=signal: signal.emit())
            links.addWidget(button)
        links.addStretch()

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(where)
        layout.addWidget(self.recent_row)
        layout.addSpacing(8)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.passphrase.caps_warning)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(links)
        layout.addWidget(self.buttons)
        make_primary(self.unlock_button)
        self.passphrase.setFocus()
        self.painted_once = False  # _after_first_paint has run
        QTimer.singleShot(AFTER_PAINT_MS, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What needs ``Qt`` (and ``QEvent``, for keep_on_screen's filter), once the window is up."""
        from PySide6.QtCore import Qt

        from ui.window_geometry import clamp_to_screen

        for label in (self.where, self.hint):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        keep_on_screen(self)  # every later show
        if self.isVisible():
            clamp_to_screen(self)  # this one
        self.painted_once = True

    def _recent_chosen(self, index: int) -> None:
        chosen = Path(self.recent.itemData(index))
        if chosen != self.path:
            self.vault_chosen.emit(chosen)

    def try_unlock(self) -> None:
        from app.vault import Vault

        secret = self.passphrase.text()
        if not secret:
            self._show_error("Type the vault's passphrase.")
            return
        self._set_busy(True)
        path, on_change = self.path, self._on_change
        self._tasks.run(lambda: Vault.open(path, secret, on_change=on_change), self._opened, self._failed)
        self.unlock_started.emit()

    def _opened(self, vault: Any) -> None:
        self._set_busy(False)
        self.passphrase.clear()
        self.unlocked.emit(vault)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._show_error(user_message(error))
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.passphrase.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        if busy:
            self.error.hide()


def _escape(text: str) -> str:
    """``html.escape`` without importing ``html`` (and its entity tables) before the first paint."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")
    )
