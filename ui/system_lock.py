"""Lock when the session's screen locks or the machine goes to sleep (D-Bus, on Linux).

Where no bus is reachable (other platforms, CI) this watches nothing and says so in
``watching``; the idle timer and Ctrl+L still lock.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

# (bus, service, path, interface, signal, slot): each one reports a bool, True meaning "lock now"
_SOURCES = (
    ("session", "", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged"),
    ("session", "", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", "ActiveChanged"),
    (
        "system",
        "org.freedesktop.login1",
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager",
        "PrepareForSleep",
    ),
)


class SystemLockWatcher(QObject):
    """Signals:
    lock_requested(): the screen locked or the machine is about to sleep.
    """

    lock_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.watching: list[str] = []
        try:
            from PySide6.QtCore import SLOT
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a Qt build without D-Bus
            return
        buses = {"session": QDBusConnection.sessionBus, "system": QDBusConnection.systemBus}
        for bus_name, service, path, interface, signal in _SOURCES:
            bus = buses[bus_name]()
            slot = SLOT("state_changed(bool)")  # PySide takes the SLOT() string; its stubs say bytes
            if bus.isConnected() and bus.connect(service, path, interface, signal, self, slot):  # type: ignore[call-overload]
                self.watching.append(f"{interface}.{signal}")

    @Slot(bool)
    def state_changed(self, active: bool) -> None:
        if active:
            self.lock_requested.emit()
