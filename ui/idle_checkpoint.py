"""When the app goes idle, committed data reaches vault.db (not only at the next lock).

Every ``INTERVAL_MS`` with no background task running and something committed since the
last time, ``Vault.idle()`` runs on a worker: a WAL checkpoint (TRUNCATE, or PASSIVE while
a read is running) and the record of the last state seen (app/vault/seen.py). Copying a
big WAL after a long import takes seconds, so it never runs on the GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

from ui.workers import Tasks

INTERVAL_MS = 60_000


class IdleCheckpoint(QObject):
    def __init__(self, tasks: Tasks, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._vault: Any = None
        self._done_at: int | None = None  # data_version at the last checkpoint
        self._running = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)

    def start(self, vault: Any) -> None:
        self._vault, self._done_at = vault, None
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._vault = None

    def tick(self) -> None:
        vault = self._vault
        if vault is None or self._running or self._tasks.busy or not vault.is_open:
            return
        version = vault.data_version()
        if version == self._done_at:
            return
        self._running = True

        def finished(_result: object) -> None:
            self._running = False
            self._done_at = version

        def failed(_error: BaseException) -> None:  # locked meanwhile, or busy: next time
            self._running = False

        self._tasks.run(vault.idle, finished, failed)
