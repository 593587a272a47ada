"""Reminders due today or overdue, across clients, with a check every minute while the app runs.

Signals:
    reminders_due(object): reminders that became due since the last check (list of
        DueReminder); the main window turns them into a desktop notification.
    reminder_done(object): a reminder was completed (its id).
    client_requested(object): the user asked to open a reminder's client (its id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import CasefileError
from app.parting.due import DueReminder, due_reminders
from ui.models.rows_model import RowsTableModel

_Index = QModelIndex | QPersistentModelIndex
CHECK_EVERY_MS = 60_000


class DueRemindersModel(RowsTableModel):
    COL_WHEN, COL_CLIENT, COL_TITLE = range(3)
    HEADERS = ("Due", "Client", "Reminder")
    ReminderIdRole = Qt.ItemDataRole.UserRole + 1
    ClientIdRole = Qt.ItemDataRole.UserRole + 2
    OverdueRole = Qt.ItemDataRole.UserRole + 3

    def set_rows(self, rows: list[DueReminder]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[DueReminder]:
        return list(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        d = self.row_at(index)
        if d is None:
            return None
        if role == self.ReminderIdRole:
            return d.reminder.id
        if role == self.ClientIdRole:
            return d.reminder.client_id
        if role == self.OverdueRole:
            return d.overdue
        if role == Qt.ItemDataRole.ForegroundRole and d.overdue:
            return QBrush(QColor(176, 40, 40))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == self.COL_WHEN:
                when = d.reminder.due_at.astimezone()
                return f"{'Overdue · ' if d.overdue else 'Today · '}{when:%d %b %H:%M}"
            if col == self.COL_CLIENT:
                return d.client_name
            return d.reminder.title
        return None


def notification_text(due: list[DueReminder]) -> tuple[str, str]:
    """Title and body for a desktop notification (the main window's QSystemTrayIcon.showMessage)."""
    title = f"Casefile: {len(due)} reminder{'s' if len(due) != 1 else ''} due"
    lines = [f"{'Overdue: ' if d.overdue else ''}{d.client_name}: {d.reminder.title}" for d in due[:5]]
    if len(due) > 5:
        lines.append(f"… and {len(due) - 5} more")
    return title, "\n".join(lines)


class RemindersPanel(QWidget):
    reminders_due = Signal(object)
    reminder_done = Signal(object)
    client_requested = Signal(object)

    def __init__(self, vault: Any, parent: QWidget | None = None, *, clock: Any = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._clock = clock  # a callable returning an aware datetime; tests pass a fake one
        self._announced: set[int] = set()
        self.model = DueRemindersModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        for column in (DueRemindersModel.COL_WHEN, DueRemindersModel.COL_CLIENT):
            self.view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.doubleClicked.connect(
            lambda index: self.client_requested.emit(index.data(DueRemindersModel.ClientIdRole))
        )
        self.empty = QLabel("Nothing due today.")
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self._complete_selected)
        self.error = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.empty, 1)
        row.addWidget(self.error)
        row.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(row)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def now(self) -> datetime | None:
        return self._clock() if self._clock else None

    def refresh(self) -> None:
        rows = due_reminders(self._vault, now=self.now())
        self.model.set_rows(rows)
        # Text, not visibility: a hidden label would give its stretch to the button.
        self.empty.setText("" if rows else "Nothing due today.")
        new = [d for d in rows if d.reminder.id not in self._announced]
        if new:
            self._announced.update(d.reminder.id for d in new)
            self.reminders_due.emit(new)

    def complete(self, reminder_id: int) -> None:
        try:
            self._vault.reminders.complete(reminder_id)
        except CasefileError as error:
            self.error.setText(str(error))
            return
        self.error.clear()
        self.refresh()
        self.reminder_done.emit(reminder_id)

    def _complete_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.complete(int(rows[0].data(DueRemindersModel.ReminderIdRole)))
