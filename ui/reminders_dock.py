"""Reminders due today or overdue, docked in the main window, and the desktop notification.

The panel lives as long as the window (its timer checks every minute while the app
runs); the dock only shows or hides it. New due reminders become a tray notification
when the desktop has a tray, otherwise a status-bar message. Adding, snoozing and
completing a reminder each become the session's Edit → Undo (``ui/undo.py``): undone by a
new ledgered change with the reason "undone by the owner" (cancel, snooze back, reopen).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSystemTrayIcon

from ui.icons import icon
from ui.parting.reminders_panel import RemindersPanel, notification_text
from ui.undo import UNDO_REASON

STATUS_MESSAGE_MS = 15_000


class RemindersDock(QDockWidget):
    """Signals:
    notified(str, str): the title and body just shown to the user.
    """

    notified = Signal(str, str)

    def __init__(
        self, vault: Any, window: QMainWindow, *, clock: Any = None, undo: Any = None, writes: Any = None
    ) -> None:
        super().__init__("Reminders", window)
        self.setObjectName("reminders-dock")
        self._window = window
        self._vault = vault
        self._undo = undo
        self.add_dialog: Any = None
        self.tray: QSystemTrayIcon | None = None
        self.panel = RemindersPanel(vault, self, clock=clock, writes=writes)  # done/snooze off the GUI thread
        self.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self)
        self.hide()
        self.panel.reminders_due.connect(self.notify)
        self.panel.add_requested.connect(self.add_reminder)
        self.panel.reminder_done.connect(self._done)
        self.panel.reminder_snoozed.connect(self._snoozed)
        if self.panel.model.rows():  # already due when the vault opened (checked before we listened)
            self.notify(self.panel.model.rows(), opening=True)

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.panel.refresh()
            self.show()
            self.panel.view.setFocus()

    def show_panel(self) -> None:
        if not self.isVisible():
            self.toggle()

    def notify(self, due: list[Any], *, opening: bool = False) -> None:
        """``opening``: the vault was just unlocked; the status bar keeps its welcome line
        (drafts to continue) and adds the count, instead of replacing it."""
        title, body = notification_text(due)
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self.tray is None:
                self.tray = QSystemTrayIcon(icon("vault"), self)
                self.tray.messageClicked.connect(self.show_panel)
                self.tray.show()
            self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information)
        elif opening:
            welcome = self._window.statusBar().currentMessage()
            self._window.statusBar().showMessage(f"{welcome}  ·  {title} (Ctrl+R shows them)", 0)
        else:
            self._window.statusBar().showMessage(f"{title}: {body.replace(chr(10), '; ')} (Ctrl+R)", STATUS_MESSAGE_MS)
        self.notified.emit(title, body)

    def add_reminder(self) -> Any:
        """The "Add a reminder" dialog, for the client on screen."""
        from ui.dialogs.reminder import AddReminderDialog

        current = getattr(self._window, "current_client", lambda: None)()
        client_id = current.id if current is not None else None
        dialog = AddReminderDialog(self._vault, client_id, parent=self._window, writes=self.panel.writes)
        dialog.added.connect(self._added)
        dialog.open()
        self.add_dialog = dialog
        return dialog

    def _say(self, line: str) -> None:
        self._window.statusBar().showMessage(line, 10_000)

    def _added(self, reminder: Any) -> None:
        self.panel.refresh()
        when = reminder.due_at.astimezone(self.panel.model.zone)
        self._say(f"Reminder added: {reminder.title} ({when:%a %d %b %Y %H:%M}).")
        if self._undo is not None:
            reminders = self._vault.reminders

            def reverse() -> str:  # on the undo's worker
                reminders.cancel(reminder.id, UNDO_REASON)
                return f"Undone: the reminder “{reminder.title}” — cancelled (kept in the record)."

            self._undo.did(f"the reminder “{reminder.title}”", reverse, self.panel.refresh)

    def _done(self, reminder_id: int) -> None:
        reminder = self._vault.reminders.get(reminder_id)
        self._say(f"Done: {reminder.title}. Edit → Undo reopens it.")
        if self._undo is not None:
            reminders = self._vault.reminders

            def reverse() -> str:  # on the undo's worker
                reminders.reopen(reminder_id, UNDO_REASON)
                return f"Undone: “{reminder.title}” is open again (the record keeps both)."

            self._undo.did(f"“{reminder.title}” done", reverse, self.panel.refresh)

    def _snoozed(self, reminder: Any, before: Any) -> None:
        when = reminder.due_at.astimezone(self.panel.model.zone)
        self._say(f"Snoozed “{reminder.title}” until {when:%a %d %b %H:%M}.")
        if self._undo is not None:
            reminders = self._vault.reminders

            def reverse() -> str:  # on the undo's worker
                reminders.snooze(reminder.id, before, reason=UNDO_REASON)
                return f"Undone: the snooze of “{reminder.title}” — due again as before."

            self._undo.did(f"the snooze of “{reminder.title}”", reverse, self.panel.refresh)

    def stop(self) -> None:
        """Before a lock: no more checks against a closing vault."""
        self.panel.timer.stop()
        if self.tray is not None:
            self.tray.hide()
