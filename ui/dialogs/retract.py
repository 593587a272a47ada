"""Retract an entry: it stays in the record, struck through, with the reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ui.dialogs.primary import make_primary
from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import user_message


class RetractDialog(QDialog):
    """Signals:
    retracted(object): the retracted Entry.
    """

    retracted = Signal(object)

    def __init__(self, entries_repo: Any, entry: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = entries_repo
        self.entry = entry
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
        try:
            entry = self._repo.retract(self.entry.id, self.reason.toPlainText())
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        self.retracted.emit(entry)
        self.accept()
