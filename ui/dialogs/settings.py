"""Settings: where things are and how the app behaves. Paths and numbers only — no secrets.

The vault's own settings (Bates prefix, time zone, OCR, backups) are checked on the GUI thread
and written in one transaction on the window's writer worker; the dialog closes once they are in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.app_settings import AppSettings
from ui.dialogs.primary import WritingDialog, make_primary
from ui.dialogs.unlock import error_label
from ui.file_dialogs import start_in
from ui.inbox_watch import inbox_wanted
from ui.window_geometry import keep_on_screen
from ui.workers import ButtonWrite, Tasks, user_message


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
    edit.setAccessibleName(title)  # the form's label names the row, not this field
    row.addWidget(edit, 1)
    browse = QPushButton("Choose…")
    browse.setAutoDefault(False)

    def choose() -> None:
        chosen = QFileDialog.getExistingDirectory(parent, title, start_in(edit.text()))
        if chosen:
            edit.setText(chosen)

    browse.clicked.connect(choose)
    row.addWidget(browse)
    return row


def _stored_keep(vault: Any) -> int:
    from app.vault.backups import configured_keep

    return configured_keep(vault)


class SettingsDialog(WritingDialog):
    """Edits the app settings and, when a vault is open, its Bates prefix (stored in the vault).

    Signals:
        applied(): settings were saved (the auto-lock timer should re-read them).
    """

    applied = Signal()

    def __init__(
        self,
        settings: AppSettings,
        vault: Any = None,
        parent: QWidget | None = None,
        backups: Any = None,
        *,
        writes: Tasks | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._vault = vault
        self._backups = backups  # ui.auto_backups.AutoBackups, for "Back up now"
        self.setWindowTitle("Settings — Casefile")
        self.setMinimumWidth(520)
        self.vault_location = QLineEdit(str(settings.last_vault or ""))
        self.inbox = QLineEdit(settings.inbox_folder)
        self.inbox.setPlaceholderText("A folder to watch for files to import (optional)")
        # short labels: a check box cannot wrap, and the dialog must fit 1024×700 and 200 %
        self.inbox_watch = QCheckBox("Import what is dropped in the Inbox")
        self.inbox_watch.setToolTip("Files dropped in the Inbox folder are imported while the vault is unlocked.")
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
        self.ocr = QCheckBox("Read text in images (offline OCR)")
        self.ocr.setToolTip("After an import, the text in screenshots and scans is read on this computer and made searchable.")
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
        from ui.dialogs.inbox_folders import PRIVACY_NOTE, PRIVACY_SHORT

        inbox_note = QLabel(PRIVACY_SHORT)  # one line here (the dialog must fit 200 %); the whole note as a tip
        inbox_note.setToolTip(PRIVACY_NOTE)
        inbox_note.setObjectName("inbox-privacy-note")
        inbox_note.setWordWrap(True)
        inbox_note.setStyleSheet("color: palette(placeholder-text);")
        form.addRow(inbox_note)  # spanning the row: QFormLayout mis-sizes a wrapped label in the field column
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
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addLayout(form)
        general_layout.addWidget(note)
        general_layout.addStretch(1)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, "General")
        self.tabs.addTab(self._backups_tab(), "Backups")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.save_button = make_primary(buttons.button(QDialogButtonBox.StandardButton.Save))
        self.write = ButtonWrite(self, self.save_button, self.error, writes)
        keep_on_screen(self)

    def _backups_tab(self) -> QWidget:
        from app.vault.backups import DEFAULT_KEEP, MAX_KEEP

        vault = self._vault
        tab = QWidget()
        self.backup_folder = QLineEdit(vault.settings.get("backup_folder") if vault is not None else "")
        self.backup_folder.setPlaceholderText("A USB drive, a NAS share or a synced folder")
        self.backup_keep = QSpinBox()
        self.backup_keep.setRange(1, MAX_KEEP)
        self.backup_keep.setValue(_stored_keep(vault) if vault is not None else DEFAULT_KEEP)
        self.backup_keep.setSuffix(" recent backups, plus one per month")
        self.backup_now = QPushButton("Back up now")
        self.backup_now.setAutoDefault(False)
        self.backup_now.clicked.connect(self.start_backup_now)
        self.backup_last = QLabel(self._status_text())
        self.backup_last.setWordWrap(True)
        for widget in (self.backup_folder, self.backup_keep, self.backup_now):
            widget.setEnabled(vault is not None)
        form = QFormLayout()
        form.addRow("Back up to", _folder_row(self.backup_folder, self, "Backup folder"))
        form.addRow("Keep", self.backup_keep)
        row = QHBoxLayout()
        row.addWidget(self.backup_now)
        row.addWidget(self.backup_last, 1)
        form.addRow("", row)
        note = QLabel(
            "Once a folder is chosen, Casefile makes an encrypted, verified copy of the vault every day"
            " while it runs, and when you lock or quit if the last one is a day old. Each copy opens with"
            " the vault's passphrase. Rotation only removes the copies it made itself."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addStretch(1)
        if self._backups is not None:
            self._backups.status_changed.connect(self._backup_status_changed)
            self._backups.backup_failed.connect(self._backup_warned)
        return tab

    def _status_text(self) -> str:
        status = getattr(self._backups, "last_status", None)
        if status is None:
            return "" if self._vault is None else "Last verified backup: not checked yet in this session."
        return status.text()

    def _backup_folder_checked(self) -> tuple[str, int]:
        from pathlib import Path

        from app.errors import InvalidInput
        from app.vault.backups import parse_keep

        text = self.backup_folder.text().strip()
        if text:
            folder = Path(text).expanduser()
            if not folder.is_dir():
                raise InvalidInput(f"The backup folder {folder} does not exist; create it or choose another.")
            inside = self._vault is not None and folder.resolve().is_relative_to(self._vault.path.resolve())
            if inside:
                raise InvalidInput("The backup folder must not be inside the vault folder.")
        return text, parse_keep(self.backup_keep.value())

    def start_backup_now(self) -> None:
        from pathlib import Path

        try:
            text, keep = self._backup_folder_checked()
            if not text:
                from app.errors import InvalidInput

                raise InvalidInput("Choose the folder the backups go to first.")
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        if self._backups is None or self._backups.busy:
            return
        self.error.hide()
        self.backup_now.setEnabled(False)
        self.backup_last.setText("Backing up…")
        self._backups.back_up_now(self._vault, Path(text).expanduser(), keep)

    def _backup_status_changed(self, status: Any) -> None:
        self.backup_now.setEnabled(self._vault is not None)
        self.backup_last.setText(status.text())

    def _backup_warned(self, line: str) -> None:
        self.backup_now.setEnabled(self._vault is not None)
        self.backup_last.setText(line)

    def open_inbox_folders(self) -> Any:
        from ui.dialogs.inbox_folders import InboxFoldersDialog

        dialog = InboxFoldersDialog(self._vault, parent=self, writes=self.write.writes)
        dialog.open()
        return dialog

    def open_mail_accounts(self) -> Any:
        from ui.dialogs.mail import MailAccountsDialog

        dialog = MailAccountsDialog(self._vault, parent=self, writes=self.write.writes)
        dialog.open()
        return dialog

    def vault_changes(self) -> dict[str, str]:
        """The vault settings that differ from what is stored, checked (InvalidInput: one line)."""
        vault = self._vault
        if vault is None:
            return {}
        prefix = self.bates_vault.text().strip()
        zone = self.timezone.text().strip()
        if zone:
            _check_zone(zone)
        folder, keep = self._backup_folder_checked()
        wanted = {"display_timezone": zone, "ocr": "on" if self.ocr.isChecked() else "off"}
        if prefix:
            wanted["bates_prefix"] = prefix
        wanted |= {"backup_folder": folder, "backup_keep": str(keep)}
        changes = {key: value for key, value in wanted.items() if value != vault.settings.get(key)}
        for key, value in changes.items():
            vault.settings.check(key, value)
        return changes

    def apply(self) -> None:
        """Check here (bad input: one line, at once); the vault's settings are written on the
        worker, in one transaction, and this computer's once they are in."""
        if self.write.saving:
            return
        try:
            changes = self.vault_changes()
        except Exception as error:
            self.show_error(user_message(error))
            return
        self.error.hide()
        if not changes:
            self._vault_saved(None)
            return
        vault_settings = self._vault.settings
        self.write.run(lambda: vault_settings.set_many(changes), self._vault_saved)

    def _vault_saved(self, _result: Any) -> None:
        from pathlib import Path

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
