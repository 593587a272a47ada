"""Reminders due today or overdue, docked in the main window, and the desktop notification.

The panel lives as long as the window (its timer checks every minute while the app
runs); the dock only shows or hides it. New due reminders become a tray notification
when the desktop has a tray, otherwise a status-bar message.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSystemTrayIcon

from ui.icons import icon
from ui.parting.reminders_panel import RemindersPanel, notification_text

STATUS_MESSAGE_MS = 15_000


class RemindersDock(QDockWidget):
    """Signals:
    notified(str, str): the title and body just shown to the user.
    """

    notified = Signal(str, str)

    def __init__(self, vault: Any, window: QMainWindow, *, clock: Any = None) -> None:
        super().__init__("Reminders", window)
        self.setObjectName("reminders-dock")
        self._window = window
        self.tray: QSystemTrayIcon | None = None
        self.panel = RemindersPanel(vault, self, clock=clock)
        self.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self)
        self.hide()
        self.panel.reminders_due.connect(self.notify)
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

    def stop(self) -> None:
        """Before a lock: no more checks against a closing vault."""
        self.panel.timer.stop()
        if self.tray is not None:
            self.tray.hide()
