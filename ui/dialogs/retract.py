"""Retract an entry: it stays in the record, struck through, with the reason.

The retraction is written on a worker (the window's ``writes``, one thread): while another
thread or process holds the writer the dialog stays up, painting, until it is in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.records.common import clean_text
from ui.dialogs.primary import make_primary
from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import Tasks, serial_tasks, user_message, while_alive


class RetractDialog(QDialog):
    """Signals:
    retracted(object): the retracted Entry.
    """

    retracted = Signal(object)

    def __init__(
        self, entries_repo: Any, entry: Any, parent: QWidget | None = None, *, writes: Tasks | None = None
    ) -> None:
        super().__init__(parent)
        self._repo = entries_repo
        self.entry = entry
        self.writes = writes or serial_tasks(self)
        self.retracting = False  # the retraction is on its way to the vault (Retract is off meanwhile)
        self.setWindowTitle("Retract entry — Casefile")
        intro = QLabel(
            f"<b>{entry.title}</b><br>A retracted entry is not deleted: it stays on the timeline, struck"
            " through, and in any dossier, with the reason you give here."
        )
        intro.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("Why is this entry withdrawn? (e.g. logged for the wrong client)")
        self.reason.setTabChangesFocus(True)
        self.error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Retract", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.retract)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        make_primary(self.ok)
        keep_on_screen(self)
        self.reason.setFocus()

    def retract(self) -> None:
        """Check the reason here (bad input: one line, at once), write on the worker."""
        if self.retracting:
            return
        repo, entry_id, reason = self._repo, self.entry.id, self.reason.toPlainText()
        try:
            clean_text(reason, "reason for the retraction", required=True, limit=5000)
        except Exception as error:
            self._failed(error)
            return
        self.retracting = True
        self.ok.setEnabled(False)
        self.error.hide()
        self.writes.run(
            lambda: repo.retract(entry_id, reason), while_alive(self, self._retracted), while_alive(self, self._failed)
        )

    def _retracted(self, entry: Any) -> None:
        self.retracting = False
        self.accept()
        self.retracted.emit(entry)

    def _failed(self, error: BaseException) -> None:
        self.retracting = False
        self.ok.setEnabled(True)
        self.error.setText(user_message(error))
        self.error.show()

    def reject(self) -> None:
        if self.retracting:
            return  # the retraction is being written: closing now would hide its outcome
        super().reject()
