"""Add a client, or change a client's status (with the reason the record keeps).

Both are checked on the GUI thread (bad input: one line at once, nothing written) and written
on the window's writer worker: while another thread or process holds the writer the dialog
stays up, "Saving…", until the change is in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.records.models import CLIENT_STATUSES
from ui.dialogs.primary import WritingDialog, form_dialog, make_primary
from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import ButtonWrite, Tasks, user_message


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class NewClientDialog(WritingDialog):
    """Signals:
    added(object): the new Client.
    """

    added = Signal(object)

    def __init__(self, clients_repo: Any, parent: QWidget | None = None, *, writes: Tasks | None = None) -> None:
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
        self.write = ButtonWrite(self, self.add_button, self.error, writes)
        keep_on_screen(self)
        self.name.setFocus()

    def values(self) -> tuple[str, list[str], list[str], str]:
        return self.name.text(), _split(self.emails.text()), _split(self.phones.text()), self.address.text()

    def checked(self) -> bool:
        """Check the fields here (bad input: one line, at once); True when they would be stored."""
        name, emails, phones, address = self.values()
        try:
            self._repo.check_new(name, emails=emails, phones=phones, address=address)
        except Exception as error:
            self.show_error(user_message(error))
            return False
        return True

    def add(self) -> None:
        if not self.write.saving and self.checked():
            self.store()

    def store(self) -> None:
        """Write the client on the worker; the dialog closes once it is in."""
        repo, (name, emails, phones, address) = self._repo, self.values()
        self.error.hide()
        self.write.run(lambda: repo.add(name, emails=emails, phones=phones, address=address), self._added)

    def _added(self, client: Any) -> None:
        self.accept()
        self.added.emit(client)


class ClientStatusDialog(WritingDialog):
    """Signals:
    changed(object): the updated Client.
    """

    changed = Signal(object)

    def __init__(
        self, clients_repo: Any, client: Any, parent: QWidget | None = None, *, writes: Tasks | None = None
    ) -> None:
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
        self.write = ButtonWrite(self, self.save_button, self.error, writes)
        keep_on_screen(self)

    def apply(self) -> None:
        """Check here (bad input: one line, at once), write on the worker; close once it is in."""
        if self.write.saving:
            return
        repo, client_id, status, reason = self._repo, self.client.id, self.status.currentData(), self.reason.toPlainText()
        try:
            repo.check_status_change(status, reason)
        except Exception as error:
            self.show_error(user_message(error))
            return
        self.error.hide()
        self.write.run(lambda: repo.set_status(client_id, status, reason), self._changed)

    def _changed(self, client: Any) -> None:
        self.accept()
        self.changed.emit(client)
