"""Edit a client's details; each save is a ledgered revision, and the earlier versions are listed.

The core keeps every version (``Clients.revisions`` reads them from the ledger), so a former
name, email or phone still identifies the person — do-not-serve matching uses them too.
The changes are checked on the GUI thread and written on the window's writer worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.records.models import ClientRevision
from ui.dialogs.client import _split
from ui.dialogs.primary import WritingDialog, make_primary
from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import ButtonWrite, Tasks, user_message

_FIELDS = (("name", "name"), ("emails", "emails"), ("phones", "phones"), ("address", "address"), ("notes", "notes"))


def revision_lines(revisions: list[ClientRevision], zone: Any = None) -> list[str]:
    """One line per version, newest first: when, and what changed from the version before."""
    lines = []
    previous: ClientRevision | None = None
    for revision in revisions:
        when = revision.at.astimezone(zone) if zone is not None else revision.at.astimezone()
        stamp = f"{when:%d %b %Y, %H:%M}"
        if previous is None:
            lines.append(f"{stamp} — added as “{revision.name}”")
        else:
            changed = []
            for attribute, label in _FIELDS:
                old, new = getattr(previous, attribute), getattr(revision, attribute)
                if old != new:
                    if isinstance(new, tuple):
                        old_text, new_text = ", ".join(old) or "none", ", ".join(new) or "none"
                    else:
                        old_text, new_text = old or "empty", new or "empty"
                    changed.append(f"{label}: {old_text} → {new_text}" if label != "notes" else "notes changed")
            if previous.status != revision.status:
                changed.append(f"status: {revision.status.replace('_', ' ')}")
            if changed:
                lines.append(f"{stamp} — {'; '.join(changed)}")
        previous = revision
    return list(reversed(lines))


class EditClientDialog(WritingDialog):
    """Signals:
    changed(object): the updated Client.
    """

    changed = Signal(object)

    def __init__(
        self,
        clients_repo: Any,
        client: Any,
        zone: Any = None,
        parent: QWidget | None = None,
        *,
        writes: Tasks | None = None,
    ) -> None:
        super().__init__(parent)
        self._repo = clients_repo
        self.client = client
        self.setWindowTitle(f"Edit {client.name} — Casefile")
        self.setMinimumWidth(420)
        self.name = QLineEdit(client.name)
        self.name.setAccessibleName("Name")
        self.emails = QLineEdit(", ".join(client.emails))
        self.emails.setAccessibleName("E-mail addresses")
        self.emails.setPlaceholderText("Separate several with commas")
        self.phones = QLineEdit(", ".join(client.phones))
        self.phones.setAccessibleName("Phone numbers")
        self.address = QLineEdit(client.address)
        self.address.setAccessibleName("Address")
        self.notes = QPlainTextEdit(client.notes)
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        self.error = error_label()
        self.history = QListWidget()
        self.history.setAccessibleName("History of the client's details")
        self.history.addItems(revision_lines(clients_repo.revisions(client.id), zone))
        self.history.setMaximumHeight(120)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("E-mail", self.emails)
        form.addRow("Phone", self.phones)
        form.addRow("Address", self.address)
        form.addRow("Notes", self.notes)
        note = QLabel("Earlier versions stay in the record (and still identify the person):")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.history)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.save_button = make_primary(buttons.button(QDialogButtonBox.StandardButton.Save))
        self.write = ButtonWrite(self, self.save_button, self.error, writes)
        keep_on_screen(self)
        self.name.setFocus()

    def changes(self) -> dict[str, Any]:
        wanted = {
            "name": self.name.text().strip(),
            "emails": tuple(_split(self.emails.text())),
            "phones": tuple(_split(self.phones.text())),
            "address": self.address.text().strip(),
            "notes": self.notes.toPlainText().strip(),
        }
        return {key: value for key, value in wanted.items() if value != getattr(self.client, key)}

    def save(self) -> None:
        """Check here (bad input: one line, at once), write on the worker; close once it is in."""
        if self.write.saving:
            return
        changes = self.changes()
        if not changes:
            self.reject()  # nothing changed: no revision
            return
        repo, client_id = self._repo, self.client.id
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in changes.items()}
        try:
            repo.check_update(client_id, **values)
        except Exception as error:
            self.show_error(user_message(error))
            return
        self.error.hide()
        self.write.run(lambda: repo.update(client_id, **values), self._changed)

    def _changed(self, client: Any) -> None:
        self.accept()
        self.changed.emit(client)
