"""Recovery: open the vault with the printed recovery key and choose a new passphrase."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.dialogs.primary import make_primary
from ui.dialogs.unlock import busy_bar, error_label
from ui.widgets.passphrase_field import PassphraseField
from ui.widgets.strength import StrengthMeter
from ui.window_geometry import keep_on_screen
from ui.workers import Tasks, user_message


class RecoveryDialog(QDialog):
    """Signals:
    unlocked(object): the open Vault, already rewrapped under the new passphrase.
    """

    unlocked = Signal(object)

    def __init__(self, path: Path, tasks: Tasks, on_change: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._tasks = tasks
        self._on_change = on_change
        self.setWindowTitle("Recover with the recovery key — Casefile")
        self.setMinimumWidth(480)
        self.recovery_key = QLineEdit()
        self.recovery_key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.recovery_key.setAccessibleName("Recovery key")
        self.new_passphrase = PassphraseField("New passphrase")
        self.repeat = PassphraseField("Repeat the new passphrase")
        self.new_passphrase.toggle.toggled.connect(self.repeat.set_shown)
        self.meter = StrengthMeter(self.new_passphrase)
        self.error = error_label()
        self.busy = busy_bar()
        form = QFormLayout()
        form.addRow("Recovery key", self.recovery_key)
        form.addRow("New passphrase", self.new_passphrase)
        form.addRow("", self.new_passphrase.caps_warning)
        form.addRow("", self.meter)
        form.addRow("Repeat it", self.repeat)
        form.addRow("", self.repeat.caps_warning)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Recover", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.try_recover)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h3>Recover the vault</h3>{path}"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(buttons)
        make_primary(self.ok)
        keep_on_screen(self)

    def try_recover(self) -> None:
        from app.vault import Vault

        problem = self.meter.problem(self.repeat.text())
        if problem:
            self._show_error(problem)
            return
        key, new, path, on_change = self.recovery_key.text(), self.new_passphrase.text(), self.path, self._on_change

        def recover() -> Any:
            vault = Vault.open_with_recovery_key(path, key, on_change=on_change)
            try:
                vault.change_passphrase(new)
            except BaseException:
                vault.lock()
                raise
            return vault

        self.busy.show()
        self.ok.setEnabled(False)
        self._tasks.run(recover, self._recovered, self._failed)

    def _recovered(self, vault: Any) -> None:
        self.busy.hide()
        self.unlocked.emit(vault)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.ok.setEnabled(True)
        self._show_error(user_message(error))

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
