"""The session: which screen is up (create, unlock, main window), and locking.

It owns the one open vault. Locking always goes through ``lock()``: drafts are
written, windows and models are emptied, the database is closed and the key
forgotten, then the unlock screen returns.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QDialog

from ui.app_settings import AppSettings
from ui.bridge import VaultEvents
from ui.window_geometry import restore_geometry, save_geometry
from ui.workers import Tasks, spare_the_collector, thaw_the_collector


def is_vault(path: Path) -> bool:
    from app.vault.names import is_vault as holds_a_vault  # not app.vault.store: no SQLCipher before unlock

    return holds_a_vault(path)


def new_vault_folder(near: Path) -> Path:
    """A free folder name next to ``near`` for a new vault ("vault", "vault-2", …)."""
    base = near if not near.exists() or not any(near.iterdir()) else near.parent / "vault"
    candidate, n = base, 2
    while candidate.exists() and any(candidate.iterdir()):
        candidate, n = base.with_name(f"{base.name}-{n}"), n + 1
    return candidate


def _is_demo_folder(path: Path) -> bool:
    from ui.launch import demo_vault_path

    return path == demo_vault_path()


def _import_main_window() -> None:
    """Import the main window's modules while the KDF runs on a worker: the GUI thread is idle then,
    and the window opens that much sooner after the passphrase is accepted."""
    import ui.main_window  # noqa: F401


class _MadeAtFirstUse:
    """A part of the session that only an open vault (or the create screen) needs: the idle lock,
    the idle checkpoint, the watched Inbox, the clipboard, anchor retries and backups. They are
    made by ``Session.make_parts`` at their first use (the KDF's wait at the latest), not before
    the unlock window's first paint: their modules and the Qt types they touch (``QEvent`` for the
    idle lock's filter, timers, signals) cost that paint ~20–60 ms (issue 17: warm start)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = f"_{name}"

    def __get__(self, session: Any, owner: type | None = None) -> Any:
        if session is None:
            return self
        session.make_parts()
        return getattr(session, self.attribute)


class Session(QObject):
    """Attributes:
        vault: the open Vault, or None while locked.
        window: the MainWindow while unlocked.
        gate: the create/unlock/recovery dialog while locked.

    Signals:
        unlocked(): the main window is up.
        locked(): the vault was closed and the unlock screen is up.
    """

    unlocked = Signal()
    locked = Signal()
    idle = _MadeAtFirstUse()
    checkpoint = _MadeAtFirstUse()
    inbox = _MadeAtFirstUse()
    clipboard = _MadeAtFirstUse()
    anchor_retry = _MadeAtFirstUse()
    backups = _MadeAtFirstUse()

    def __init__(self, app: QApplication, settings: AppSettings, tasks: Tasks | None = None) -> None:
        super().__init__()
        self.app = app
        self.settings = settings
        self.tasks = tasks or Tasks(parent=self)
        self.events = VaultEvents(self)
        self._parts_made = False  # idle, checkpoint, inbox, clipboard, anchor_retry, backups: make_parts
        self.system_lock: Any = None  # made at the first unlock: QtDBus is not needed before
        self.vault: Any = None
        self.window: Any = None
        self.gate: QDialog | None = None
        self.path: Path | None = None
        self.hint = ""
        self._hint_path: Path | None = None
        app.aboutToQuit.connect(self.shut_down)

    def make_parts(self) -> None:
        """Make the parts only an open vault needs (once): see ``_MadeAtFirstUse``."""
        if self._parts_made:
            return
        self._parts_made = True
        from ui.anchor_retry import AnchorRetry
        from ui.auto_backups import AutoBackups
        from ui.clipboard import SecureClipboard
        from ui.idle_checkpoint import IdleCheckpoint
        from ui.idle_lock import IdleLock
        from ui.inbox_watch import InboxWatch

        self._idle = IdleLock(self.app, self.settings.auto_lock_minutes, self)
        self._idle.idle.connect(self.lock)
        self._checkpoint = IdleCheckpoint(self.tasks, self)
        self._inbox = InboxWatch(self)
        self._clipboard = SecureClipboard(self)
        self._anchor_retry = AnchorRetry(self.tasks, self)  # queued RFC 3161 requests, daily seal
        self._backups = AutoBackups(self.tasks, self)  # daily verified backups to the chosen folder

    def _unlock_started(self) -> None:
        """The KDF runs on a worker: the GUI thread is free to make what the open vault needs."""
        self.make_parts()
        _import_main_window()

    # -- screens -----------------------------------------------------------------

    def start(self, path: Path | None = None, *, hint: str = "") -> None:
        from app.vault.names import default_vault_dir  # not app.cli.context (getpass, json, dataclasses)

        last = self.settings.last_vault
        if last is not None and _is_demo_folder(last):
            last = None  # older versions remembered the demo; `make run` must not open it as "your" vault
        path = path or last or default_vault_dir()
        self.hint, self._hint_path = hint, path
        if is_vault(path):
            self.show_unlock(path)
        else:
            self.show_create(path)

    def _set_gate(self, dialog: QDialog) -> None:
        old, self.gate = self.gate, dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        if old is not None:
            old.done(0)
            old.deleteLater()

    def show_unlock(self, path: Path) -> Any:
        from ui.dialogs.unlock import UnlockDialog

        self.path = path
        recent = [p for p in self.settings.recent_vaults if p != path and is_vault(p)]
        dialog = UnlockDialog(
            path, self.tasks, self.events, hint=self.hint if self._is_demo(path) else "", recent=recent
        )
        dialog.unlocked.connect(self.opened)
        dialog.vault_chosen.connect(self._open_folder)
        dialog.unlock_started.connect(self._unlock_started)
        dialog.create_requested.connect(lambda: self.show_create(new_vault_folder(path)))
        dialog.choose_requested.connect(self._choose_vault)
        dialog.recovery_requested.connect(lambda: self.show_recovery(path))
        self._set_gate(dialog)
        return dialog

    def _is_demo(self, path: Path) -> bool:
        return bool(self.hint) and path == self._hint_path

    def show_create(self, folder: Path) -> Any:
        from ui.dialogs.create_vault import CreateVaultDialog

        dialog = CreateVaultDialog(
            folder, self.tasks, self.events, bates_prefix=self.settings.bates_prefix_default, clipboard=self.clipboard
        )
        dialog.created.connect(self.opened)
        dialog.open_requested.connect(self._choose_vault)
        dialog.rejected.connect(self._gate_cancelled)
        self._set_gate(dialog)
        return dialog

    def show_recovery(self, path: Path) -> Any:
        from ui.dialogs.recovery import RecoveryDialog

        dialog = RecoveryDialog(path, self.tasks, self.events)
        dialog.unlocked.connect(self.opened)
        dialog.rejected.connect(lambda: self.show_unlock(path))
        self._set_gate(dialog)
        return dialog

    def _gate_cancelled(self) -> None:
        if self.vault is None and self.path is not None and is_vault(self.path):
            self.show_unlock(self.path)

    def _choose_vault(self) -> None:
        near = str(self.path.parent) if self.path is not None else ""
        from PySide6.QtWidgets import QFileDialog  # its type is made on first use: not before the first paint

        from ui.file_dialogs import start_in

        chosen = QFileDialog.getExistingDirectory(self.gate, "Open a vault folder", start_in(near))
        if chosen:
            self._open_folder(Path(chosen))

    def _open_folder(self, path: Path) -> None:
        self.show_unlock(path) if is_vault(path) else self.show_create(path)

    # -- unlocked / locked -------------------------------------------------------------

    def opened(self, vault: Any) -> None:
        from ui.main_window import MainWindow

        self.vault = vault
        self.path = vault.path
        # The demo is listed under "Recent vaults" but never becomes the vault opened at start.
        self.settings.remember_vault(vault.path, as_last=not (self._is_demo(vault.path) or _is_demo_folder(vault.path)))
        self.settings.sync()
        self.window = MainWindow(vault, self.events, self.tasks)
        self.window.app_settings = self.settings
        self.window.clipboard = self.clipboard
        self.window.lock_requested.connect(self.lock)
        self.window.settings_requested.connect(self.show_settings)
        restore_geometry(self.window, self.settings.qsettings, "main")
        self.window.show()
        if self.gate is not None:
            gate, self.gate = self.gate, None
            gate.hide()
            gate.deleteLater()
        self.idle.set_minutes(self.settings.auto_lock_minutes)
        self.idle.start()
        if self.system_lock is None:
            from ui.system_lock import SystemLockWatcher

            self.system_lock = SystemLockWatcher(self)
            self.system_lock.lock_requested.connect(self.lock)
        self.window.watch_inbox(self.inbox)
        self.restart_inbox()
        self.anchor_retry.start(vault)
        self.backups.status_changed.connect(self.window.backup_label.show_status)
        self.backups.warned.connect(self.window.show_backup_warning)
        self.backups.start(vault)
        self.checkpoint.start(vault)
        self._show_notices(vault)
        spare_the_collector()
        self.unlocked.emit()

    def _show_notices(self, vault: Any) -> Any:
        """What the unlock found wrong but not fatal (a damaged recovery slot…): said once, now."""
        notices = list(getattr(vault, "notices", []))
        if not notices or self.window is None:
            return None
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, "Casefile", "\n\n".join(notices), parent=self.window)
        box.setObjectName("unlock-notices")
        box.open()
        return box

    def show_settings(self) -> Any:
        from ui.dialogs.settings import SettingsDialog

        writes = self.window.writes if self.window is not None else None  # the window's writer worker
        dialog = SettingsDialog(self.settings, self.vault, parent=self.window, backups=self.backups, writes=writes)
        dialog.applied.connect(lambda: self.idle.set_minutes(self.settings.auto_lock_minutes))
        dialog.applied.connect(self.restart_inbox)
        dialog.applied.connect(self.backups.tick)  # a folder just chosen: the first backup now
        dialog.open()
        return dialog

    def lock(self) -> None:
        if self.vault is None:
            return
        self.idle.stop()
        self.checkpoint.stop()
        self.clipboard.clear()
        self.inbox.stop()  # before the vault closes: a file mid-import finishes its transaction
        self.anchor_retry.stop()
        window, self.window = self.window, None
        if window is not None:
            save_geometry(window, self.settings.qsettings, "main")
            window.prepare_lock()
        path = self.vault.path
        self.show_unlock(path)  # first, so closing the main window never leaves the app windowless
        if window is not None:
            window.close()
            window.deleteLater()
        self._close_vault()
        thaw_the_collector()
        self.locked.emit()

    def _close_vault(self) -> None:
        vault, self.vault = self.vault, None
        exports = sys.modules.get("app.dossier.child")  # imported only once an export ran
        if exports is not None:
            exports.stop_all()  # every export's child process is killed before the key goes
        # The last automatic backup if one is due (on a worker), then every worker (one
        # mid-read, the backup) finishes before the connection goes.
        from ui.auto_backups import LOCK_WAIT_MS

        backing_up = self.backups.at_lock(vault)
        self.tasks.wait(LOCK_WAIT_MS if backing_up else 30_000)
        vault.lock()

    def restart_inbox(self) -> None:
        """(Re)start the watched Inbox as the settings say; stop it if they say no."""
        from ui.inbox_watch import inbox_folder, inbox_wanted

        self.inbox.stop()
        if self.vault is not None and inbox_wanted(self.settings, self.vault):
            self.inbox.start(self.vault, inbox_folder(self.settings, self.vault))

    def shut_down(self) -> None:
        if not self._parts_made:  # quit at the unlock screen: nothing of a vault was ever started
            return
        self.idle.stop()
        self.checkpoint.stop()
        self.clipboard.clear()
        self.inbox.stop()
        self.anchor_retry.stop()
        if self.window is not None:
            save_geometry(self.window, self.settings.qsettings, "main")
            self.window.prepare_lock()
        if self.vault is not None:
            self._close_vault()
        thaw_the_collector()
