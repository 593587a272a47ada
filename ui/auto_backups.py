"""Automatic backups while the vault is unlocked, and at lock/quit (app/vault/backups.py).

Every hour a worker checks the vault's backup folder and, when the last verified backup
is a day old, writes and rotates a new one: all of it (the settings read, the folder
listing on a possibly slow drive, the copy and its verification) runs on the pool, never
on the GUI thread. At lock and quit the same round runs once more (the session waits for
it before the vault closes). The status bar shows when the last verified backup was made
and, at most once a day, warns when it is older than a week or the folder is missing.

Signals:
    status_changed(object): a ``BackupStatus`` after each round.
    backup_written(object): an ``AutoBackup`` (a new verified backup).
    warned(str): the status bar's warning (at most once a day).
    backup_failed(str): a round failed (every time; the warning is the once-a-day echo).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

CHECK_MS = 60 * 60 * 1000
FIRST_CHECK_MS = 2 * 60 * 1000
LOCK_WAIT_MS = 10 * 60 * 1000  # a backup at lock onto a slow USB stick may take minutes


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AutoBackups(QObject):
    status_changed = Signal(object)
    backup_written = Signal(object)
    warned = Signal(str)
    backup_failed = Signal(str)

    def __init__(self, tasks: Any, parent: QObject | None = None, clock: Callable[[], dt.datetime] = _now) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._clock = clock
        self._vault: Any = None
        self.busy = False
        self.last_status: Any = None
        self._warned_on: dt.date | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)

    def start(self, vault: Any) -> None:
        self._vault = vault
        self._timer.start(CHECK_MS)
        QTimer.singleShot(FIRST_CHECK_MS, self, self.tick)

    def stop(self) -> None:
        self._timer.stop()
        self._vault = None

    def tick(self) -> None:
        """One round on a worker: a backup if the last is a day old, then the status."""
        vault = self._vault
        if vault is not None:
            self._run(vault)

    def at_lock(self, vault: Any) -> bool:
        """Before the vault closes (lock, quit): the same round; True if one is in flight
        (the session then waits up to ``LOCK_WAIT_MS`` for it)."""
        self.stop()
        if not self.busy:
            self._run(vault)
        return self.busy

    def back_up_now(self, vault: Any, folder: Any = None, keep: int | None = None) -> None:
        """Settings → Backups → "Back up now": a backup whatever the last one's age."""
        from app.vault.backups import auto_backup, backup_status

        if self.busy:
            return
        self.busy = True

        def work() -> tuple[Any, Any]:
            result = auto_backup(vault, folder, keep=keep, now=self._clock())
            return backup_status(vault, result.written.parent), result

        self._tasks.run(work, self._finished, self._failed)

    def _run(self, vault: Any) -> None:
        from app.vault.backups import backup_if_due

        self.busy = True
        now = self._clock()
        self._tasks.run(lambda: backup_if_due(vault, now), self._finished, self._failed)

    def _finished(self, outcome: tuple[Any, Any]) -> None:
        self.busy = False
        status, written = outcome
        self.last_status = status
        self.status_changed.emit(status)
        if written is not None:
            self.backup_written.emit(written)
        warning = status.warning(self._clock())
        if warning:
            self._warn(warning)

    def _failed(self, error: BaseException) -> None:
        from ui.workers import user_message

        self.busy = False
        line = f"The backup failed: {user_message(error)}"
        self.backup_failed.emit(line)
        self._warn(line)

    def _warn(self, line: str) -> None:
        today = self._clock().date()
        if self._warned_on != today:
            self._warned_on = today
            self.warned.emit(line)


class BackupStatusLabel(QLabel):
    """The status bar's "Last verified backup …" (hidden until backups are set up)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hide()

    def show_status(self, status: Any) -> None:
        if status.folder is None:
            self.hide()
            return
        self.setText(status.text())
        self.setToolTip(f"Backups go to {status.folder}")
        self.show()
