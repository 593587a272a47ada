"""Progress and Cancel for long background work, at the right of the status bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStatusBar, QWidget


class WorkIndicator(QWidget):
    """Shows one piece of background work; Cancel asks its ``Progress`` to stop after the current step."""

    def __init__(self, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self._status_bar = status_bar
        self._progress: Any = None
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.hide()

    def start(self, text: str, progress: Any) -> None:
        self._progress = progress
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel.setEnabled(True)
        self.show()

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if text and self.cancel.isEnabled():
            self.label.setText(f"Adding {text}… ({done + 1} of {total})")

    def finish(self, message: str) -> None:
        self._progress = None
        self.hide()
        if message:
            self._status_bar.showMessage(message, 5000)

    def _cancel(self) -> None:
        if self._progress is not None:
            self._progress.cancel()
        self.cancel.setEnabled(False)
        self.label.setText("Stopping after the current file…")
