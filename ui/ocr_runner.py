"""OCR in the app: after an import commits, machine-read text is made on a worker.

One run at a time, one file per transaction (app/ingest/ocr.py), so stopping — a lock,
closing the window — loses nothing: the next run picks up what is still pending. It
runs only when the OCR extra is installed and the vault's ``ocr`` setting is on.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.workers import Tasks


class OcrRunner(QObject):
    """Signals:
    progressed(object, object, str): done, total, file name.
    finished_reading(object): the OcrOutcome of a run.
    """

    progressed = Signal(object, object, str)
    finished_reading = Signal(object)

    def __init__(self, vault: Any, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self._cancel = threading.Event()
        self.running = False
        self._again: list[tuple[int | None, tuple[int, ...]]] = []

    def start(self, client_id: int | None, entry_ids: tuple[int, ...] = ()) -> bool:
        """Read what is pending for these entries (or the client, or all); False when nothing is."""
        from app.ingest import ocr

        if self._vault is None or self._cancel.is_set() or not ocr.available() or not ocr.enabled(self._vault):
            return False
        if self.running:
            self._again.append((client_id, entry_ids))
            return True
        if not ocr.candidates(self._vault, client_id, entry_ids=entry_ids):
            return False
        vault, cancel = self._vault, self._cancel
        self.running = True
        self._tasks.run_with_progress(
            lambda p: ocr.run_ocr(vault, client_id, entry_ids=entry_ids, cancel=cancel, progress=p.report),
            self._done,
            self._failed,
            self.progressed.emit,
        )
        return True

    def stop(self) -> None:
        """Before a lock: the file being read finishes, the rest waits for the next run."""
        self._cancel.set()
        self._vault = None

    def _done(self, outcome: Any) -> None:
        self.running = False
        self.finished_reading.emit(outcome)
        pending, self._again = self._again, []
        for client_id, entry_ids in pending:
            self.start(client_id, entry_ids)

    def _failed(self, _error: BaseException) -> None:
        self.running = False  # OCR is a convenience: a failure leaves the record as it was
