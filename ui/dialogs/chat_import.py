"""Importing a phone-message export: which conversation, which time zone, which date order.

Opened by the main window when dropped or picked files include an SMS backup, a WhatsApp
export or a Messages chat.db. The conversations are listed by ``app.ingest.chats``
(most messages first; the client's own number or name preselected when it is there); the
zone defaults to the vault's display zone (the business's), else this computer's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.ingest.chats import ChatOptions, conversations_in, resolve_zone
from app.ingest.parsed import Source
from app.parting.dns import normalize_name, normalize_phone
from ui.dialogs.unlock import error_label
from ui.workers import user_message


def local_zone_name() -> str:
    from datetime import datetime

    zone = datetime.now().astimezone().tzinfo
    return getattr(zone, "key", "") or "UTC"


class ChatImportDialog(QDialog):
    """Signals:
    chosen(object): the ChatOptions to import with.
    """

    chosen = Signal(object)

    def __init__(self, vault: Any, client: Any, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import messages for {client.name}")
        self.setObjectName("chat-import")
        self.conversation = QComboBox()
        try:
            found = conversations_in(Source.from_path(path))
        except Exception as error:  # the import itself will say why; here, offer to type one
            found = []
            self._problem = user_message(error)
        else:
            self._problem = ""
        wanted = {normalize_phone(p) for p in client.phones} - {""}
        preselect = 0
        for index, (label, value) in enumerate(found):
            self.conversation.addItem(label, value)
            if normalize_phone(value) in wanted or normalize_name(value) == normalize_name(client.name):
                preselect = index
        self.conversation.setEditable(True)
        self.conversation.setCurrentIndex(preselect)
        self.zone = QLineEdit(vault.settings.get("display_timezone") or local_zone_name())
        self.zone.setToolTip("The time zone of the phone that made the export (WhatsApp exports have none)")
        self.order = QComboBox()
        for label, value in (
            ("Decide from the file", ""),
            ("Day first (31/12)", "dmy"),
            ("Month first (12/31)", "mdy"),
        ):
            self.order.addItem(label, value)
        self.error = error_label()
        if self._problem:
            self.error.setText(self._problem)
            self.error.show()
        form = QFormLayout()
        form.addRow("File", QLabel(path.name))
        form.addRow("Conversation", self.conversation)
        form.addRow("Time zone", self.zone)
        form.addRow("Dates", self.order)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept_choice)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def options(self) -> ChatOptions:
        index = self.conversation.currentIndex()
        text = self.conversation.currentText().strip()
        data = self.conversation.itemData(index) if index >= 0 and self.conversation.itemText(index) == text else None
        return ChatOptions(
            with_=str(data) if data else (text or None),
            zone=self.zone.text().strip() or None,
            date_order=self.order.currentData() or None,
        )

    def accept_choice(self) -> None:
        try:
            resolve_zone(self.zone.text(), "time zone")
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        self.chosen.emit(self.options())
        self.accept()
