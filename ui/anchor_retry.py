"""Background RFC 3161 anchoring while the vault is unlocked.

Every few minutes, queued timestamp requests are retried on a worker; when automatic
anchoring is on (vault setting ``anchor_after_export``), the current seal is also anchored
once a day if the record changed since its last anchor. Nothing blocks the window and
nothing is lost: a TSA that does not answer keeps its request queued (app/evidence/anchors.py).

Signals:
    anchors_changed: a token was stored or a queued request changed (for the Record
        integrity dialog, which lists ``vault.anchors.anchored()`` and ``pending()``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

RETRY_MS = 5 * 60 * 1000
FIRST_TRY_MS = 60 * 1000
DAILY = dt.timedelta(days=1)


def anchoring_work(vault: Any, now: dt.datetime | None = None) -> list[Any]:
    """One round (runs on a worker): retry the queue, then the daily seal when it is due."""
    results = list(vault.anchors.retry_pending())
    if vault.anchors.after_export and vault.anchors.tsa_urls() and daily_anchor_due(vault, now):
        results += vault.anchors.anchor_seal()
    return results


def daily_anchor_due(vault: Any, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.UTC)
    seals = [a for a in vault.anchors.anchored() if a.kind == "seal"]
    if any(p.kind == "seal" for p in vault.anchors.pending()):
        return False  # one is already waiting for a TSA
    if not seals:
        return True
    last = seals[-1]
    changed = vault.head().count > last.event_seq  # something happened after that anchor
    return changed and now - last.gen_time >= DAILY


class AnchorRetry(QObject):
    anchors_changed = Signal()

    def __init__(self, tasks: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._vault: Any = None
        self._busy = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)

    def start(self, vault: Any) -> None:
        self._vault = vault
        self._timer.start(RETRY_MS)
        QTimer.singleShot(FIRST_TRY_MS, self, self.tick)

    def stop(self) -> None:
        """Before the vault locks (Session.lock waits for a round in flight)."""
        self._timer.stop()
        self._vault = None

    def tick(self) -> None:
        vault = self._vault
        if vault is None or self._busy:
            return
        self._busy = True
        self._tasks.run(lambda: anchoring_work(vault), self._finished, self._failed)

    def _finished(self, results: list[Any]) -> None:
        self._busy = False
        if results:
            self.anchors_changed.emit()

    def _failed(self, _error: BaseException) -> None:
        self._busy = False  # e.g. the vault locked mid-round; the next round tries again
