"""Add a client, or change a client's status (with the reason the record keeps)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.records.models import CLIENT_STATUSES
from ui.dialogs.primary import form_dialog, make_primary
from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import user_message


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class NewClientDialog(QDialog):
    """Signals:
    added(object): the new Client.
    """

    added = Signal(object)

    def __init__(self, clients_repo: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = clients_repo
        self.setWindowTitle("New client — Casefile")
        self.setMinimumWidth(420)
        self.name = QLineEdit()
        self.emails = QLineEdit()
        self.emails.setPlaceholderText("Separate several with commas")
        self.phones = QLineEdit()
        self.address = QLineEdit()
        self.error = error_label()
        rows = [("Name", self.name), ("E-mail", self.emails), ("Phone", self.phones), ("Address", self.address)]
        self.add_button = form_dialog(self, rows, self.error, "Add client", self.add)
        keep_on_screen(self)
        self.name.setFocus()

    def add(self) -> None:
        try:
            client = self._repo.add(
                self.name.text(),
                emails=_split(self.emails.text()),
                phones=_split(self.phones.text()),
                address=self.address.text(),
            )
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        self.added.emit(client)
        self.accept()


class ClientStatusDialog(QDialog):
    """Signals:
    changed(object): the updated Client.
    """

    changed = Signal(object)

    def __init__(self, clients_repo: Any, client: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = clients_repo
        self.client = client
        self.setWindowTitle(f"Status of {client.name} — Casefile")
        self.status = QComboBox()
        for key, label in CLIENT_STATUSES.items():
            self.status.addItem(label, key)
        self.status.setCurrentIndex(max(self.status.findData(client.status), 0))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("Why? (kept in the record, e.g. “Abusive to staff; parted ways 3 March.”)")
        self.reason.setTabChangesFocus(True)
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Status", self.status)
        form.addRow("Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.save_button = make_primary(buttons.button(QDialogButtonBox.StandardButton.Save))
        keep_on_screen(self)

    def apply(self) -> None:
        try:
            client = self._repo.set_status(self.client.id, self.status.currentData(), self.reason.toPlainText())
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        self.changed.emit(client)
        self.accept()
