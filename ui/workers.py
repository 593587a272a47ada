"""Background work: a QRunnable runs a plain function and posts its result or error back.

The pattern is Picard's ``picard/util/thread.py``: the function never touches a
widget; the signals are delivered on the GUI thread (queued connection, because
the emitting thread is the pool's), where the callbacks update the views.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

# Python hands the GIL to a waiting thread only every switch interval (5 ms by default).
# The GUI thread takes it again for every call from Qt into Python (each data() of a
# paint, each slot), so while workers run pure Python (PDF layout, parsing) a frame
# could wait 5 ms per call. 1 ms keeps frames short at a small cost to the workers.
GUI_SWITCH_INTERVAL_S = 0.001


def favour_the_gui_thread(interval_s: float = GUI_SWITCH_INTERVAL_S) -> None:
    """Shorten the GIL switch interval for the desktop app's process (called at start)."""
    sys.setswitchinterval(interval_s)


class _TaskSignals(QObject):
    """Signals:
    succeeded(object): the function's return value.
    failed(object): the exception it raised.
    progressed(object, object, str): done, total, what is being done.
    delivered(object): one part of the result, ahead of the rest (``Progress.deliver``).
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(object, object, str)
    delivered = Signal(object)


class Progress:
    """Handed to a long task: it reports how far it is and checks whether to stop.

    ``cancel()`` is called on the GUI thread; the task sees ``cancelled`` between steps
    (each step is one transaction, so stopping never leaves half a change).
    """

    def __init__(self, signals: _TaskSignals) -> None:
        self._signals = signals
        self.cancelled = False

    def report(self, done: int, total: int, text: str = "") -> None:
        self._signals.progressed.emit(done, total, text)

    def deliver(self, part: Any) -> None:
        """Post part of the result now (a first page of hits), before the task ends."""
        self._signals.delivered.emit(part)

    def cancel(self) -> None:
        self.cancelled = True


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _TaskSignals) -> None:
        super().__init__()
        self._fn = fn
        self.signals = signals

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as error:  # every error goes back to the GUI thread as a value
            log.debug("background task failed", exc_info=True)
            self.signals.failed.emit(error)
        else:
            self.signals.succeeded.emit(result)


class Tasks(QObject):
    """Runs functions on a thread pool; keeps each task's signal object alive until it reports.

    Attributes:
        pool: the QThreadPool the tasks run on.
    """

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._pending: set[_TaskSignals] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._start(_TaskSignals(self), fn, on_result, on_error)

    def _start(
        self,
        signals: _TaskSignals,
        fn: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        """Run ``fn`` on the pool; its result or error reaches the GUI thread through ``signals``."""
        self._pending.add(signals)
        signals.succeeded.connect(on_result)
        if on_error is not None:
            signals.failed.connect(on_error)
        signals.succeeded.connect(lambda _result: self._forget(signals))
        signals.failed.connect(lambda _error: self._forget(signals))
        self.pool.start(_Task(fn, signals))

    def run_with_progress(
        self,
        fn: Callable[[Progress], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Callable[[int, int, str], None],
    ) -> Progress:
        """Like ``run``, for long work: ``fn(progress)`` reports and can be cancelled."""
        signals = _TaskSignals(self)
        progress = Progress(signals)
        signals.progressed.connect(on_progress)
        self._start(signals, lambda: fn(progress), on_result, on_error)
        return progress

    def stream(
        self,
        fn: Callable[[Progress], Any],
        on_part: Callable[[Any], None],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> Progress:
        """Like ``run``, for a result that comes in parts: ``fn(progress)`` calls
        ``progress.deliver(part)`` for each (shown by ``on_part`` on the GUI thread as it
        arrives) and checks ``progress.cancelled``; ``cancel()`` drops parts not yet shown."""
        signals = _TaskSignals(self)
        progress = Progress(signals)
        signals.delivered.connect(lambda part: None if progress.cancelled else on_part(part))
        self._start(signals, lambda: fn(progress), on_result, on_error)
        return progress

    def _forget(self, signals: _TaskSignals) -> None:
        self._pending.discard(signals)
        signals.deleteLater()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every queued task ran (used when locking and in tests)."""
        return bool(self.pool.waitForDone(msecs))


def serial_tasks(parent: QObject | None = None) -> Tasks:
    """Tasks on a pool of one thread: writes asked for from the GUI run off the GUI thread,
    one after another in the order they were asked for (an undo never overtakes its action).
    While another thread or process holds the vault's writer, a write waits there, not in
    the window's event loop."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return Tasks(pool, parent)


def while_alive(widget: QObject, fn: Callable[..., None]) -> Callable[..., None]:
    """``fn``, called only while ``widget`` still exists: a write can land after the
    window that asked for it was closed (the write stands; there is nothing to update)."""
    from shiboken6 import isValid

    def call(*args: Any) -> None:
        if isValid(widget):
            fn(*args)

    return call


def user_message(error: BaseException) -> str:
    """One line for the user: the core's own message, or a short note about a bug."""
    from app.errors import CasefileError

    if isinstance(error, CasefileError):
        from ui.words import without_cli_syntax

        return without_cli_syntax(str(error))
    log.debug("unexpected error", exc_info=error)  # tracebacks only in a debug log, never on screen
    return f"Unexpected error: {type(error).__name__}. Details are in the debug log."
