"""The do-not-serve warning: who matched, on what, why they were marked, and what to do.

Signals:
    open_client_requested(object): show the matched client's record (client id).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.parting.dns import DnsMatch
from ui.parting.letter_composer import LetterComposer


class DoNotServeWarning(QDialog):
    open_client_requested = Signal(object)

    def __init__(self, vault: Any, matches: list[DnsMatch], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not matches:
            raise ValueError("DoNotServeWarning needs at least one match")
        self._vault = vault
        self.matches = matches
        self.composer: LetterComposer | None = None
        first = matches[0]
        self.setWindowTitle("Do-not-serve client")
        title = QLabel(f"⚠ This looks like {first.client_name}, marked do-not-serve.")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        title.setWordWrap(True)
        lines = []
        for m in matches:
            since = f" since {m.since.astimezone():%d %b %Y}" if m.since else ""
            lines.append(
                f"<p>Matched on <b>{m.matched_on}</b> ({_escape(m.value)}) — client {m.client_id}, "
                f"<b>{_escape(m.client_name)}</b>, do-not-serve{since}.<br>Reason: {_escape(m.reason)}</p>"
            )
        body = QLabel("".join(lines))
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setWordWrap(True)
        self.open_button = QPushButton("Open their record")
        self.open_button.clicked.connect(self._open_record)
        self.letter_button = QPushButton("Write the declining letter…")
        self.letter_button.clicked.connect(self.open_declining_letter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.letter_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addWidget(buttons)

    def _open_record(self) -> None:
        self.open_client_requested.emit(self.matches[0].client_id)
        self.accept()

    def open_declining_letter(self) -> LetterComposer:
        """The composer, filled with the 'declining a returning client' letter for the matched client."""
        self.composer = LetterComposer(self._vault, self.matches[0].client_id, "declining", self)
        self.composer.show()
        return self.composer


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
