"""Settings → Inbox → Client folders…: which clients get a folder in the Inbox, and how
it is named (the client's name, or a neutral code). The folder names are outside the
vault: anyone with access to the computer can read them, so none is made until asked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.primary import WritingDialog
from ui.dialogs.unlock import error_label
from ui.workers import ButtonWrite, Tasks, user_message

PRIVACY_SHORT = "Folder names are visible to anyone with access to this computer."
PRIVACY_NOTE = (
    "Folder names in the Inbox are visible to anyone with access to this computer, without the"
    " passphrase. Give a folder only to the clients you drop files for, or use neutral names."
)


class InboxFoldersDialog(WritingDialog):
    """Signals:
    saved(): the folders were changed (the Inbox makes the new ones at its next start).
    """

    saved = Signal()

    def __init__(self, vault: Any, parent: QWidget | None = None, *, writes: Tasks | None = None) -> None:
        from app.ingest.inbox_folders import assigned

        super().__init__(parent)
        self._vault = vault
        self.setWindowTitle("Inbox folders — Casefile")
        self.setMinimumWidth(460)
        owners = {client_id: name for name, client_id in assigned(vault).items()}
        self.clients = QListWidget()
        for client in vault.clients.list():
            folder = owners.get(client.id)
            item = QListWidgetItem(client.name + (f"   →  {folder}" if folder else ""))
            item.setData(Qt.ItemDataRole.UserRole, client.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if folder else Qt.CheckState.Unchecked)
            self.clients.addItem(item)
        self.neutral = QCheckBox("Name new folders with a neutral code (C-0007), not the client's name")
        self.neutral.setChecked(True)
        note = QLabel(PRIVACY_NOTE)
        note.setWordWrap(True)
        self.error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Clients with a folder in the Inbox (files dropped in it go to that client):"))
        layout.addWidget(self.clients)
        layout.addWidget(self.neutral)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.write = ButtonWrite(self, save, self.error, writes)  # the folders change on the writer worker

    def apply(self) -> None:
        """What changed is read here; the folders are added and removed on the worker."""
        from app.ingest.inbox_folders import add_client_folder, folder_of, remove_client_folder

        if self.write.saving:
            return
        vault, neutral = self._vault, self.neutral.isChecked()
        try:
            changes = []
            for row in range(self.clients.count()):
                item = self.clients.item(row)
                client_id = int(item.data(Qt.ItemDataRole.UserRole))
                has = folder_of(vault, client_id) is not None
                wanted = item.checkState() == Qt.CheckState.Checked
                if wanted != has:
                    changes.append((client_id, wanted))
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return

        def write() -> None:
            for client_id, wanted in changes:
                if wanted:
                    add_client_folder(vault, client_id, neutral=neutral)
                else:
                    remove_client_folder(vault, client_id)

        self.error.hide()
        self.write.run(write, self._saved)

    def _saved(self, _none: Any) -> None:
        self.accept()
        self.saved.emit()
