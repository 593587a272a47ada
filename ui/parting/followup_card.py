"""The follow-up call card: what the letter said, calm answers to pushback, and a quick call log.

The call is checked on the GUI thread and written on the window's writer worker (``writes``).

Signals:
    call_logged(object): the call was stored (its entry id).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import CasefileError
from app.parting.followup import CallCard, call_card, check_follow_up_call, log_follow_up_call
from app.records.times import now_utc
from ui.workers import ButtonWrite, Tasks


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class FollowUpCallCard(QWidget):
    call_logged = Signal(object)

    def __init__(self, vault: Any, parent: QWidget | None = None, *, writes: Tasks | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self.client_id: int | None = None
        self.card: CallCard | None = None
        self.header = QLabel()
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.points = QLabel()
        self.points.setWordWrap(True)
        self.points.setTextFormat(Qt.TextFormat.RichText)
        self.answers = QLabel()
        self.answers.setWordWrap(True)
        self.answers.setTextFormat(Qt.TextFormat.RichText)
        self.answers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        points_box = QGroupBox("The letter said")
        QVBoxLayout(points_box).addWidget(self.points)
        answers_box = QGroupBox("If they push back")
        QVBoxLayout(answers_box).addWidget(self.answers)

        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("What was said (a line is enough)")
        self.summary.setFixedHeight(64)
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText("e.g. accepted; handover on the 10th")
        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSuffix(" min")
        self.log_button = QPushButton("Log the call")
        self.log_button.clicked.connect(self.log_call)
        self.status = QLabel()
        self.logging = ButtonWrite(self, self.log_button, self.status, writes, prefix="Not logged: ")
        log_box = QGroupBox("Quick log")
        form = QFormLayout(log_box)
        form.addRow("Summary", self.summary)
        form.addRow("Outcome", self.outcome)
        form.addRow("Duration", self.duration)
        form.addRow(self.log_button, self.status)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(points_box)
        layout.addWidget(answers_box, 1)
        layout.addWidget(log_box)

    def set_client(self, client_id: int) -> None:
        self.client_id = client_id
        self.card = card = call_card(self._vault, client_id)
        due = f" — due {card.due_at.astimezone():%a %d %b, %H:%M}" if card.due_at else ""
        phones = f" · {', '.join(card.phones)}" if card.phones else ""
        self.header.setText(f"Follow-up call: {card.client_name}{phones}{due}")
        if card.letter is None:
            self.points.setText("No letter has been recorded yet.")
        else:
            items = "".join(f"<li>{_escape(p)}</li>" for p in card.key_points)
            self.points.setText(f"<ul>{items}</ul>")
        self.answers.setText(
            "".join(f"<p><i>“{_escape(p.question)}”</i><br>→ {_escape(p.answer)}</p>" for p in card.pushback)
        )

    def log_call(self) -> bool:
        """Check the call here (bad input: one line, at once), then log it on the worker;
        ``call_logged`` follows once it is in. False: refused, or one already on its way."""
        if self.client_id is None or self.logging.saving:
            return False
        vault, client_id, when = self._vault, self.client_id, now_utc()
        summary, outcome, duration = self.summary.toPlainText(), self.outcome.text(), self.duration.value() or None
        try:
            check_follow_up_call(vault, client_id, summary=summary, outcome=outcome, duration_min=duration, when=when)
        except CasefileError as error:
            self.status.setText(f"Not logged: {error}")
            return False
        self.status.setText("")
        return self.logging.run(
            lambda: log_follow_up_call(
                vault, client_id, summary=summary, outcome=outcome, duration_min=duration, when=when
            ),
            lambda entry_id: self._logged(client_id, entry_id),
        )

    def _logged(self, client_id: int, entry_id: int) -> None:
        self.status.setText(f"Logged as entry #{entry_id}.")
        self.summary.clear()
        self.outcome.clear()
        if self.client_id == client_id:
            self.set_client(client_id)
        self.call_logged.emit(entry_id)
