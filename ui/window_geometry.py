"""Windows that fit the screen they open on: a laptop at 1024×700, or 1600×1000 at 200 % (800×500).

``fit_window(window, preferred)`` sizes a window from what it would like (its own size hint or
a preferred size), never larger than the available screen, lowers a minimum size the screen
cannot hold, and keeps the frame on screen each time the window is shown — Qt centres a dialog
over its parent, which can push it past the screen's edge. ``remember_geometry`` stores the
geometry (only that) in QSettings and restores it clamped to the current screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QObject, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent  # made (with its ~170-member Type enum) at the first event filtered

MARGIN = 0.96  # of the available size: leave a sliver of desktop around a window that wants more


def available_geometry(window: QWidget) -> QRect:
    parent = window.parentWidget()
    screen = (parent.screen() if parent is not None else None) or window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def _frame_extra(window: QWidget) -> QSize:
    frame, inner = window.frameGeometry(), window.geometry()
    return QSize(max(frame.width() - inner.width(), 0), max(frame.height() - inner.height(), 0))


def bounded_size(window: QWidget, wanted: QSize) -> QSize:
    """``wanted``, shrunk to what the available screen holds (frame included)."""
    avail = available_geometry(window)
    extra = _frame_extra(window)
    most = QSize(int(avail.width() * MARGIN) - extra.width(), int(avail.height() * MARGIN) - extra.height())
    return wanted.boundedTo(most).expandedTo(QSize(1, 1))


def clamp_to_screen(window: QWidget) -> None:
    """Shrink the window to the available screen and move its frame fully onto it."""
    avail = available_geometry(window)
    extra = _frame_extra(window)
    most = QSize(avail.width() - extra.width(), avail.height() - extra.height())
    if window.minimumWidth() > most.width() or window.minimumHeight() > most.height():
        window.setMinimumSize(window.minimumSize().boundedTo(most))
    if window.width() > most.width() or window.height() > most.height():
        window.resize(window.size().boundedTo(most))
    frame = window.frameGeometry()
    x = min(max(frame.x(), avail.left()), avail.left() + avail.width() - frame.width())
    y = min(max(frame.y(), avail.top()), avail.top() + avail.height() - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


class _KeepOnScreen(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            clamp_to_screen(watched)
        return False


def keep_on_screen(window: QWidget) -> QWidget:
    """Each time ``window`` is shown, shrink it to the available screen and move it fully onto it."""
    # A Python flag, not findChild(_KeepOnScreen): findChild with a Python type wraps every
    # child of the window to compare types (~20 ms on the unlock dialog before its first paint).
    if not window.property("casefile_keeps_on_screen"):
        window.setProperty("casefile_keeps_on_screen", True)
        window.installEventFilter(_KeepOnScreen(window))
    return window


def fit_window(window: QWidget, preferred: QSize | None = None) -> QWidget:
    """Size ``window`` to ``preferred`` (or its size hint) within the screen, and keep it on screen."""
    wanted = preferred if preferred is not None else window.sizeHint()
    window.resize(bounded_size(window, wanted))
    return keep_on_screen(window)


def restore_geometry(window: QWidget, qsettings: Any, key: str) -> bool:
    """Put the window where it was (geometry only), clamped to the current screen; False if nothing saved."""
    saved = qsettings.value(f"geometry/{key}")
    if not isinstance(saved, QByteArray | bytes) or not window.restoreGeometry(QByteArray(saved)):
        return False
    clamp_to_screen(window)
    return True


def save_geometry(window: QWidget, qsettings: Any, key: str) -> None:
    qsettings.setValue(f"geometry/{key}", window.saveGeometry())
