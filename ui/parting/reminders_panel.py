"""Reminders due today or overdue, across clients, with a check every minute while the app runs.

Done and snooze are written on a worker (``writes``, one thread), so a writer held
elsewhere (an import) never freezes the window; the list shows the change once it is in.

Signals:
    reminders_due(object): reminders that became due since the last check (list of
        DueReminder); the main window turns them into a desktop notification.
    reminder_done(object): a reminder was completed (its id).
    reminder_added(object): the user added a reminder (the Reminder).
    reminder_snoozed(object, object): a reminder was snoozed (the Reminder now, its former due time).
    client_requested(object): the user asked to open a reminder's client (its id).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import CasefileError
from app.parting.due import DueReminder, due_reminders, owner_zone
from app.records.reminders import snooze_until
from app.records.times import now_utc
from ui.models.rows_model import RowsTableModel
from ui.workers import Tasks, serial_tasks, user_message, while_alive

_Index = QModelIndex | QPersistentModelIndex
CHECK_EVERY_MS = 60_000
SNOOZES = (("hour", "In 1 hour"), ("tomorrow", "Tomorrow morning"), ("next_week", "Next week (Monday morning)"))


def due_text(when: datetime, now: datetime) -> str:
    """A due time in the owner's zone: "Mon 30 Nov 14:00", with the year when it is not this year."""
    if when.year != now.year:
        return f"{when:%a %d %b %Y %H:%M}"
    return f"{when:%a %d %b %H:%M}"


def overdue_brush() -> QBrush:
    """Overdue in the palette's own warning-ish colour: dark red on light, light red on dark."""
    window = QApplication.palette().color(QPalette.ColorRole.Base)
    return QBrush(QColor(255, 138, 128) if window.lightness() < 128 else QColor(176, 40, 40))


class DueRemindersModel(RowsTableModel):
    COL_WHEN, COL_CLIENT, COL_TITLE = range(3)
    HEADERS = ("Due", "Client", "Reminder")
    ReminderIdRole = Qt.ItemDataRole.UserRole + 1
    ClientIdRole = Qt.ItemDataRole.UserRole + 2
    OverdueRole = Qt.ItemDataRole.UserRole + 3

    zone: tzinfo | None = None  # the owner's zone; None: this machine's
    now: datetime | None = None  # when the rows were read (for "this year")

    def set_rows(self, rows: list[DueReminder], zone: tzinfo | None = None, now: datetime | None = None) -> None:
        self.beginResetModel()
        self._rows = rows
        self.zone, self.now = zone, now
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
            return overdue_brush()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == self.COL_WHEN:
                when = d.reminder.due_at.astimezone(self.zone)
                now = (self.now or now_utc()).astimezone(self.zone)
                return f"{'Overdue · ' if d.overdue else 'Today · '}{due_text(when, now)}"
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
    reminder_added = Signal(object)
    reminder_snoozed = Signal(object, object)
    client_requested = Signal(object)
    add_requested = Signal()

    def __init__(
        self, vault: Any, parent: QWidget | None = None, *, clock: Any = None, writes: Tasks | None = None
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self.writes = writes or serial_tasks(self)
        self.pending = 0  # done/snooze writes on their way to the vault (the buttons are off meanwhile)
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
        self.view.setAccessibleName("Reminders due today or overdue")
        self.empty = QLabel("Nothing due today.")
        self.add_button = QPushButton("Add reminder…")
        self.add_button.clicked.connect(lambda _checked=False: self.add_requested.emit())
        self.snooze_button = QPushButton("Snooze")
        self.snooze_menu = QMenu(self.snooze_button)
        for choice, label in SNOOZES:
            action = QAction(label, self.snooze_menu)
            action.setObjectName(f"snooze-{choice}")
            action.triggered.connect(lambda _checked=False, c=choice: self._snooze_selected(c))
            self.snooze_menu.addAction(action)
        self.snooze_button.setMenu(self.snooze_menu)
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self._complete_selected)
        self.error = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.empty, 1)
        row.addWidget(self.error)
        row.addWidget(self.add_button)
        row.addWidget(self.snooze_button)
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
        if not self._vault.is_open:  # locked: the minute timer (or a write that landed as the vault locked) between a lock and this panel's deletion
            self.timer.stop()
            return
        self.show_rows(self.reader()())

    def reader(self) -> Any:
        """A function for a worker: what ``show_rows`` shows (the reminders due, in the owner's zone)."""
        vault, now = self._vault, self.now() or now_utc()

        def read() -> tuple[list[DueReminder], tzinfo, datetime]:
            zone = owner_zone(vault)
            return due_reminders(vault, now=now, zone=zone), zone, now

        return read

    def show_rows(self, read: tuple[list[DueReminder], tzinfo, datetime]) -> None:
        if not self._vault.is_open:
            return
        rows, zone, now = read
        self.model.set_rows(rows, zone, now)
        self._enable_buttons()
        # Text, not visibility: a hidden label would give its stretch to the button.
        self.empty.setText("" if rows else "Nothing due today.")
        new = [d for d in rows if d.reminder.id not in self._announced]
        if new:
            self._announced.update(d.reminder.id for d in new)
            self.reminders_due.emit(new)

    def _enable_buttons(self) -> None:
        for button in (self.snooze_button, self.done_button):
            button.setEnabled(self.model.rowCount() > 0 and not self.pending)

    def _write(self, fn: Any, landed: Any) -> None:
        """``fn()`` on the worker; ``landed(result)`` on the GUI thread once it is in."""
        self.pending += 1
        self._enable_buttons()
        self.error.setText("Saving…")

        def done(result: Any) -> None:
            self.pending -= 1
            self.error.clear()
            self.refresh()
            landed(result)

        def failed(error: BaseException) -> None:
            self.pending -= 1
            self._enable_buttons()
            self.error.setText(user_message(error))

        self.writes.run(fn, while_alive(self, done), while_alive(self, failed))

    def complete(self, reminder_id: int) -> None:
        """Mark a reminder done (on the worker); ``reminder_done`` follows once it is in."""
        reminders = self._vault.reminders
        self._write(lambda: reminders.complete(reminder_id), lambda _r: self.reminder_done.emit(reminder_id))

    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            return int(rows[0].data(DueRemindersModel.ReminderIdRole))
        if self.model.rowCount() == 1:  # one reminder: the buttons mean that one
            return int(self.model.index(0, 0).data(DueRemindersModel.ReminderIdRole))
        return None

    def _complete_selected(self) -> None:
        reminder_id = self.selected_id()
        if reminder_id is not None:
            self.complete(reminder_id)
        else:
            self.error.setText("Select a reminder first.")

    def snooze(self, reminder_id: int, choice: str) -> bool:
        """Move a reminder to later (``choice``: hour, tomorrow, next_week), on the worker;
        ``reminder_snoozed`` follows once it is in. False: refused at once (one line shown)."""
        zone = owner_zone(self._vault)
        now = (self.now() or now_utc()).astimezone(zone)
        reminders = self._vault.reminders
        try:
            before = reminders.get(reminder_id)
            until = snooze_until(choice, now)
        except CasefileError as error:
            self.error.setText(str(error))
            return False
        self._write(
            lambda: reminders.snooze(reminder_id, until),
            lambda after: self.reminder_snoozed.emit(after, before.due_at),
        )
        return True

    def _snooze_selected(self, choice: str) -> None:
        reminder_id = self.selected_id()
        if reminder_id is not None:
            self.snooze(reminder_id, choice)
        else:
            self.error.setText("Select a reminder first.")
