"""Auto-lock: an application-wide event filter notices input; silence for N minutes locks."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.InputMethod,
}


class IdleLock(QObject):
    """Signals:
    idle(): no input for the configured time; the vault should lock.
    """

    idle = Signal()

    def __init__(self, app: QApplication, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle.emit)
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        self._timer.setInterval(max(int(minutes * 60_000), 100))
        if self._timer.isActive():
            self._timer.start()

    def start(self) -> None:
        self._app.installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        self._app.removeEventFilter(self)
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._timer.start()  # restart: cheap, and the only state is the timer itself
        return False
