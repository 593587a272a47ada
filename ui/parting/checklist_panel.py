"""The parting-ways checklist of one client: a table of steps and a dialog to mark one done.

A step is checked on the GUI thread (bad input: one line at once, nothing written) and
written on a worker (``writes``, one thread), so a writer held elsewhere never freezes
the window; the table shows it when it is in.

Signals:
    step_marked(str): a step was marked done (its key), after the vault committed it.
    step_recorded(object): the same, with the step's new StepState (its ``row_id`` for Edit → Undo).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QModelIndex, QPersistentModelIndex, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import CasefileError
from app.parting.checklist import STEPS, Step, StepState, check_step, checklist, mark_done
from ui.dialogs.primary import make_primary
from ui.models.rows_model import RowsTableModel
from ui.words import without_cli_syntax
from ui.workers import Tasks, serial_tasks, user_message, while_alive

_Index = QModelIndex | QPersistentModelIndex


class ChecklistModel(RowsTableModel):
    """Rows are the checklist steps, in order; columns: step, done on, details."""

    COL_STEP, COL_DONE, COL_DETAILS = range(3)
    HEADERS = ("Step", "Done", "Details")
    StepKeyRole = Qt.ItemDataRole.UserRole + 1
    DoneRole = Qt.ItemDataRole.UserRole + 2

    def set_states(self, states: list[StepState]) -> None:
        if len(states) == len(self._rows):
            self._rows = states
            if states:
                self.dataChanged.emit(self.index(0, 0), self.index(len(states) - 1, len(self.HEADERS) - 1))
            return
        self.beginResetModel()
        self._rows = states
        self.endResetModel()

    def state(self, row: int) -> StepState:
        return self._rows[row]

    def states(self) -> list[StepState]:
        return list(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        s = self.row_at(index)
        if s is None:
            return None
        col = index.column()
        if role == self.StepKeyRole:
            return s.step.key
        if role == self.DoneRole:
            return s.done
        if role == Qt.ItemDataRole.CheckStateRole and col == self.COL_STEP:
            return Qt.CheckState.Checked if s.done else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == self.COL_STEP:
                return s.step.label + (" (optional)" if s.step.optional else "")
            if col == self.COL_DONE:
                return s.done_at.astimezone().strftime("%Y-%m-%d") if s.done_at else ""
            return details(s)
        return None


def details(s: StepState) -> str:
    parts = [f"by {s.by_whom}" if s.by_whom else "", f"via {s.how}" if s.how else ""]
    if s.due_at is not None:
        label = {"terms": "notice ends", "sent": "follow-up due"}.get(s.step.key, "due")
        parts.append(f"{label} {s.due_at.astimezone():%Y-%m-%d %H:%M}")
    if s.note:
        parts.append(s.note)
    return "; ".join(p for p in parts if p)


class MarkStepDialog(QDialog):
    """Asks for what a step needs (who, how, a note, the notice end, the final status)."""

    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.setWindowTitle(f"Mark done: {step.label}")
        form = QFormLayout(self)
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        form.addRow("Done on", self.when)
        self.by = QLineEdit()
        self.how = QComboBox()
        self.how.setEditable(True)
        self.how.addItems(["email", "post", "registered post", "hand delivery"])
        self.notice_end = QDateTimeEdit(QDateTime(QDate.currentDate().addDays(14), QTime(9, 0)))
        self.notice_end.setCalendarPopup(True)
        self.status = QComboBox()
        self.status.addItem("Former", "former")
        self.status.addItem("Do not serve", "do_not_serve")
        self.reason = QLineEdit()
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        if step.needs_by:
            form.addRow("Proofread by", self.by)
        if step.needs_how:
            form.addRow("Sent by", self.how)
        if step.key == "terms":
            form.addRow("Notice ends", self.notice_end)
        if step.key == "status":
            form.addRow("New status", self.status)
            form.addRow("Reason", self.reason)
        form.addRow("Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        make_primary(buttons.button(QDialogButtonBox.StandardButton.Ok))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "done_at": _aware(self.when.dateTime()),
            "note": self.note.toPlainText(),
            "by_whom": self.by.text() if self.step.needs_by else "",
            "how": self.how.currentText() if self.step.needs_how else "",
        }
        if self.step.key == "terms":
            out["notice_end"] = _aware(self.notice_end.dateTime())
        if self.step.key == "status":
            out["status"] = self.status.currentData()
            out["reason"] = self.reason.text()
        return out


def _aware(value: QDateTime) -> datetime:
    return value.toPython().astimezone()  # type: ignore[no-any-return, union-attr, attr-defined]


class ChecklistPanel(QWidget):
    step_marked = Signal(str)
    step_recorded = Signal(object)

    def __init__(self, vault: Any, parent: QWidget | None = None, *, writes: Tasks | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self.writes = writes or serial_tasks(self)
        self.recording = False  # a step is on its way to the vault ("Mark done…" is off meanwhile)
        self.client_id: int | None = None
        self.model = ChecklistModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Parting-ways checklist")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(lambda index: self.mark_row(index.row()))
        self.progress = QLabel()
        self.mark_button = QPushButton("Mark done…")
        self.mark_button.clicked.connect(self._mark_selected)
        self.templates_button = QPushButton("Conduct clause and game plan…")
        self.templates_button.clicked.connect(self.open_templates)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b03030")
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.templates_button)
        row.addWidget(self.mark_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.error_label)
        layout.addLayout(row)

    def set_client(self, client_id: int) -> None:
        self.client_id = client_id
        self.refresh()

    def refresh(self) -> None:
        if self.client_id is None or not self._vault.is_open:
            return
        states = checklist(self._vault, self.client_id)
        self.model.set_states(states)
        self.progress.setText(progress_text(states))

    def open_templates(self) -> QDialog | None:
        from ui.parting.templates_dialog import DocumentTemplatesDialog

        if self.client_id is None:
            return None
        dialog = DocumentTemplatesDialog(self._vault, self.client_id, self)
        dialog.show()
        return dialog

    def _mark_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.mark_row(rows[0].row())
        else:
            first_open = next((i for i, s in enumerate(self.model.states()) if not s.done and not s.step.optional), 0)
            self.mark_row(first_open)

    def make_dialog(self, row: int) -> MarkStepDialog:
        return MarkStepDialog(STEPS[row], self)

    def mark_row(self, row: int, dialog: MarkStepDialog | None = None) -> bool:
        """Ask for the step's details, check them and send the step to the vault.

        Returns True when the step is on its way (``step_recorded`` follows once it is in,
        or the error line says why not); False when it was cancelled or refused as typed."""
        if self.client_id is None or self.recording:
            return False
        dialog = dialog or self.make_dialog(row)
        if dialog.result() != QDialog.DialogCode.Accepted and dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        vault, client_id, key, values = self._vault, self.client_id, dialog.step.key, dialog.values()
        try:
            check_step(vault, client_id, key, **values)
        except CasefileError as error:
            self._failed(error)
            return False
        self.recording = True
        self.mark_button.setEnabled(False)
        self.error_label.clear()
        self.progress.setText(f"Recording “{dialog.step.label}”…")
        self.writes.run(
            lambda: mark_done(vault, client_id, key, **values),
            while_alive(self, self._recorded),
            while_alive(self, self._failed),
        )
        return True

    def _recorded(self, state: StepState) -> None:
        self.recording = False
        self.mark_button.setEnabled(True)
        self.error_label.clear()
        self.refresh()
        self.step_marked.emit(state.step.key)
        self.step_recorded.emit(state)

    def _failed(self, error: BaseException) -> None:
        self.recording = False
        self.mark_button.setEnabled(True)
        self.progress.setText(progress_text(self.model.states()))
        message = without_cli_syntax(str(error)) if isinstance(error, CasefileError) else user_message(error)
        self.error_label.setText(f"Not recorded: {message}")


def progress_text(states: list[StepState]) -> str:
    """The counter counts the rows it sits under: "3 of 10 steps done (1 optional)"."""
    optional = sum(s.step.optional for s in states)
    text = f"{sum(s.done for s in states)} of {len(states)} steps done"
    return text + (f" ({optional} optional)" if optional else "")
