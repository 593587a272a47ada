"""Add a reminder: a date, a time, a client and a note ("Call back about the invoice").

Times are in the owner's zone (the display time zone setting, else this machine's); the
reminder is stored as an aware instant by ``vault.reminders.add`` (one ledgered change), written
on the window's writer worker: while another thread or process holds the writer the dialog stays
up, "Saving…", until it is in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLineEdit,
    QTimeEdit,
    QWidget,
)

from app.parting.due import owner_zone
from app.records.times import now_utc
from ui.dialogs.primary import WritingDialog, form_dialog
from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import ButtonWrite, Tasks, user_message


class AddReminderDialog(WritingDialog):
    """Signals:
    added(object): the new Reminder.
    """

    added = Signal(object)

    def __init__(
        self, vault: Any, client_id: int | None = None, parent: QWidget | None = None, *, writes: Tasks | None = None
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self.zone = owner_zone(vault)
        self.setWindowTitle("Add a reminder — Casefile")
        self.setMinimumWidth(420)
        tomorrow = now_utc().astimezone(self.zone) + timedelta(days=1)
        self.date = QDateEdit(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.time = QTimeEdit(QTime(9, 0))
        self.time.setDisplayFormat("HH:mm")
        self.client = QComboBox()
        for client in vault.clients.list():
            self.client.addItem(client.name, client.id)
        if client_id is not None:
            self.client.setCurrentIndex(max(self.client.findData(client_id), 0))
        self.note = QLineEdit()
        self.note.setPlaceholderText("e.g. Call back about the final invoice")
        self.error = error_label()
        rows = [("&Date", self.date), ("&Time", self.time), ("&Client", self.client), ("&Note", self.note)]
        self.add_button = form_dialog(self, rows, self.error, "Add reminder", self.add)
        self.write = ButtonWrite(self, self.add_button, self.error, writes)
        keep_on_screen(self)
        self.note.setFocus()

    def due_at(self) -> datetime:
        day, at = self.date.date(), self.time.time()
        return datetime(day.year(), day.month(), day.day(), at.hour(), at.minute(), tzinfo=self.zone)

    def add(self) -> None:
        """Check here (bad input: one line, at once), write on the worker; close once it is in."""
        if self.write.saving:
            return
        client_id = self.client.currentData()
        if client_id is None:
            self.show_error("Add a client first: a reminder belongs to a client.")
            return
        reminders, due_at, note = self._vault.reminders, self.due_at(), self.note.text()
        try:
            reminders.check(due_at, note)
        except Exception as error:
            self.show_error(user_message(error))
            return
        self.error.hide()
        self.write.run(lambda: reminders.add(int(client_id), due_at, note), self._added)

    def _added(self, reminder: Any) -> None:
        self.accept()
        self.added.emit(reminder)
