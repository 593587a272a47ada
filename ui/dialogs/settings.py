"""Settings: where things are and how the app behaves. Paths and numbers only — no secrets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.app_settings import AppSettings
from ui.dialogs.primary import make_primary
from ui.dialogs.unlock import error_label
from ui.inbox_watch import inbox_wanted
from ui.window_geometry import keep_on_screen
from ui.workers import user_message


def _zone_completer(parent: QWidget) -> QCompleter:
    from zoneinfo import available_timezones

    completer = QCompleter(sorted(available_timezones()), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    return completer


def _check_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from app.errors import InvalidInput

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Unknown time zone {name!r}; use a name such as America/Chicago.") from None


def _folder_row(edit: QLineEdit, parent: QWidget, title: str) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    browse = QPushButton("Choose…")
    browse.setAutoDefault(False)

    def choose() -> None:
        chosen = QFileDialog.getExistingDirectory(parent, title, edit.text())
        if chosen:
            edit.setText(chosen)

    browse.clicked.connect(choose)
    row.addWidget(browse)
    return row


class SettingsDialog(QDialog):
    """Edits the app settings and, when a vault is open, its Bates prefix (stored in the vault).

    Signals:
        applied(): settings were saved (the auto-lock timer should re-read them).
    """

    applied = Signal()

    def __init__(self, settings: AppSettings, vault: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._vault = vault
        self.setWindowTitle("Settings — Casefile")
        self.setMinimumWidth(520)
        self.vault_location = QLineEdit(str(settings.last_vault or ""))
        self.inbox = QLineEdit(settings.inbox_folder)
        self.inbox.setPlaceholderText("A folder to watch for files to import (optional)")
        self.inbox_watch = QCheckBox("Import files dropped in the Inbox folder while the vault is unlocked")
        self.inbox_watch.setChecked(inbox_wanted(settings, vault))
        self._inbox_watch_was = self.inbox_watch.isChecked()
        self.auto_lock = QDoubleSpinBox()
        self.auto_lock.setRange(0.5, 240)
        self.auto_lock.setDecimals(1)
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self.bates_default = QLineEdit(settings.bates_prefix_default)
        self.bates_default.setMaxLength(12)
        self.bates_vault = QLineEdit(vault.settings.get("bates_prefix") if vault is not None else "")
        self.bates_vault.setEnabled(vault is not None)
        self.bates_vault.setMaxLength(12)
        self.timezone = QLineEdit(vault.settings.get("display_timezone") if vault is not None else "")
        self.timezone.setPlaceholderText("This computer's time zone")
        self.timezone.setEnabled(vault is not None)
        self.timezone.setCompleter(_zone_completer(self.timezone))
        self.ocr = QCheckBox("Read the text in screenshots and scans after an import (offline OCR)")
        self.ocr.setChecked(vault is not None and vault.settings.get("ocr") != "off")
        self.ocr.setEnabled(vault is not None)
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Vault folder", _folder_row(self.vault_location, self, "Vault folder"))
        form.addRow("Inbox folder", _folder_row(self.inbox, self, "Inbox folder"))
        form.addRow("", self.inbox_watch)
        self.inbox_folders_button = QPushButton("Client folders…")
        self.inbox_folders_button.setEnabled(vault is not None)
        self.inbox_folders_button.clicked.connect(self.open_inbox_folders)
        form.addRow("", self.inbox_folders_button)
        from ui.dialogs.inbox_folders import PRIVACY_NOTE

        inbox_note = QLabel(PRIVACY_NOTE)
        inbox_note.setObjectName("inbox-privacy-note")
        inbox_note.setWordWrap(True)
        inbox_note.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", inbox_note)
        form.addRow("Lock after idle", self.auto_lock)
        form.addRow("Bates prefix for new vaults", self.bates_default)
        form.addRow("Bates prefix of this vault", self.bates_vault)
        form.addRow("Show times in", self.timezone)
        form.addRow("", self.ocr)
        self.mail_button = QPushButton("Mail accounts…")
        self.mail_button.setEnabled(vault is not None)
        self.mail_button.clicked.connect(self.open_mail_accounts)
        form.addRow("Mail (IMAP)", self.mail_button)
        note = QLabel("The vault folder is opened at the next unlock. Nothing secret is stored in these settings.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.save_button = make_primary(buttons.button(QDialogButtonBox.StandardButton.Save))
        keep_on_screen(self)

    def open_inbox_folders(self) -> Any:
        from ui.dialogs.inbox_folders import InboxFoldersDialog

        dialog = InboxFoldersDialog(self._vault, parent=self)
        dialog.open()
        return dialog

    def open_mail_accounts(self) -> Any:
        from ui.dialogs.mail import MailAccountsDialog

        dialog = MailAccountsDialog(self._vault, parent=self)
        dialog.open()
        return dialog

    def apply(self) -> None:
        from pathlib import Path

        try:
            prefix = self.bates_vault.text().strip()
            zone = self.timezone.text().strip()
            if zone:
                _check_zone(zone)
            if self._vault is not None and prefix and prefix != self._vault.settings.get("bates_prefix"):
                self._vault.settings.set("bates_prefix", prefix)
            if self._vault is not None and zone != self._vault.settings.get("display_timezone"):
                self._vault.settings.set("display_timezone", zone)
            ocr = "on" if self.ocr.isChecked() else "off"
            if self._vault is not None and ocr != self._vault.settings.get("ocr"):
                self._vault.settings.set("ocr", ocr)
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        if self.vault_location.text().strip():
            self._settings.last_vault = Path(self.vault_location.text().strip()).expanduser()
        self._settings.inbox_folder = self.inbox.text().strip()
        if self.inbox_watch.isChecked() != self._inbox_watch_was or self._settings.inbox_watch is not None:
            self._settings.inbox_watch = self.inbox_watch.isChecked()  # until chosen, it follows the folder
        self._settings.auto_lock_minutes = self.auto_lock.value()
        self._settings.bates_prefix_default = self.bates_default.text().strip() or "CF"
        self._settings.sync()
        self.applied.emit()
        self.accept()
