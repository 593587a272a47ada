"""Background work: a QRunnable runs a plain function and posts its result or error back.

The pattern is Picard's ``picard/util/thread.py``: the function never touches a
widget; the signals are delivered on the GUI thread (queued connection, because
the emitting thread is the pool's), where the callbacks update the views.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

# Python hands the GIL to a waiting thread only every switch interval (5 ms by default).
# The GUI thread takes it again for every call from Qt into Python (each data() of a
# paint, each slot), so while workers run pure Python (PDF layout, parsing) a frame
# could wait 5 ms per call. 1 ms keeps frames short at a small cost to the workers.
GUI_SWITCH_INTERVAL_S = 0.001


def favour_the_gui_thread(interval_s: float = GUI_SWITCH_INTERVAL_S) -> None:
    """Shorten the GIL switch interval for the desktop app's process (called at start)."""
    sys.setswitchinterval(interval_s)


def spare_the_collector() -> None:
    """Collect once, then put every object alive now out of the cyclic garbage collector's
    reach (``gc.freeze``): called once the main window is up. What lives then (the modules,
    classes and Qt's wrappers, the window) lives until the vault locks, and a full collection
    walking it took 37-45 ms here (PySide6's imports alone make it 12 ms), holding the GIL on
    whichever thread allocated the object that set it off: a stall of the GUI thread every few
    hundred thousand allocations of a worker. After this a full collection walks only what
    was made since. ``thaw_the_collector`` gives the window's objects back when it closes."""
    gc.collect()
    gc.freeze()


def thaw_the_collector() -> None:
    """The vault locked and its window closed: what ``spare_the_collector`` set aside can be
    collected again (the next unlock sets aside what lives then)."""
    gc.unfreeze()


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


_APP_WRITES: Tasks | None = None


def app_writes() -> Tasks:
    """The application's own one-thread writer, for a form opened without the main window's
    ``writes`` (the do-not-serve warning's letter composer, a widget on its own in a test).

    It lives as long as the QApplication: a pool owned by a short-lived form would be deleted
    with it while its last task's signal object still waits for its deferred delete, which
    PySide6 turns into a crash."""
    global _APP_WRITES
    from shiboken6 import isValid

    if _APP_WRITES is None or not isValid(_APP_WRITES):
        _APP_WRITES = serial_tasks(QCoreApplication.instance())
    return _APP_WRITES


def wait_for_app_writes(msecs: int = 30_000) -> bool:
    """Block until the application's own writer is idle (before a vault closes)."""
    return _APP_WRITES is None or _APP_WRITES.wait(msecs)


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


SAVING_TEXT = "Saving…"


class ButtonWrite(QObject):
    """One write a form asks for, on the window's writer worker (issue 17).

    The form checks its input on the GUI thread first (bad input: one line at once, nothing
    written), then calls ``run(fn, landed)``: while the write waits for the vault's writer
    (held by an import, the CLI, another window) the button is off and says "Saving…" and the
    form stays up, painting; ``landed(result)`` runs on the GUI thread once the write is in;
    a failure gives the button back and shows its one line in ``error`` (a QLabel, after
    ``prefix``). A dialog refuses to close while ``saving`` (closing would hide the outcome).
    It holds widgets, not callbacks of its owner: no reference cycle keeps a deleted form's
    Python wrapper alive."""

    def __init__(
        self,
        owner: QObject,
        button: Any,
        error: Any,
        writes: Tasks | None = None,
        *,
        prefix: str = "",
        busy_text: str = SAVING_TEXT,
    ) -> None:
        super().__init__(owner)
        self.writes = writes or app_writes()
        self.button = button
        self.error = error
        self._prefix = prefix
        self._busy_text = busy_text
        self._text = ""
        self.saving = False

    def run(self, fn: Callable[[], Any], landed: Callable[[Any], None]) -> bool:
        """``fn()`` on the worker, ``landed(result)`` here once it is in; False when one is already on its way."""
        if self.saving:
            return False
        self.saving = True
        self._text = self.button.text()
        self.button.setEnabled(False)
        self.button.setText(self._busy_text)

        def done(result: Any) -> None:
            self._idle()
            landed(result)

        def failed(error: BaseException) -> None:
            self._idle()
            self.error.setText(self._prefix + user_message(error))
            self.error.show()

        self.writes.run(fn, while_alive(self, done), while_alive(self, failed))
        return True

    def _idle(self) -> None:
        self.saving = False
        self.button.setText(self._text)
        self.button.setEnabled(True)
