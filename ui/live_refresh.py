"""Noticing commits made elsewhere: another Casefile process, the CLI, ``casefile watch``.

SQLite's ``PRAGMA data_version`` on the GUI thread's own read connection changes when any
other connection commits; polling it every ``INTERVAL_MS`` costs one tiny read. The main
window then refreshes what may have changed (``MainWindow.refresh_from_elsewhere``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.errors import CasefileError

INTERVAL_MS = 500


class LiveRefresh(QObject):
    """Polls the vault's data version on a timer while the vault is open.

    Signals:
        changed(): a commit happened since the last poll (this process's writes count too:
            the refresh is cheap and keeps the selection and scroll position).
    """

    changed = Signal()

    def __init__(self, vault: Any, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._vault = vault
        self._seen = vault.data_version()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> bool:
        try:
            version = self._vault.data_version()
        except CasefileError:  # locked (or closing) under us: stop quietly
            self.stop()
            return False
        if version == self._seen:
            return False
        self._seen = version
        self.changed.emit()
        return True

    def stop(self) -> None:
        self.timer.stop()
