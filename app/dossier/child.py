"""A dossier export in a child process, so that the window's process never waits for it.

The layout (pure-Python reportlab), the merge and stamping (pikepdf), the PAdES signature
and the bundle (the originals streamed into the ZIP, the load files) hold the GIL for
seconds, and their garbage makes full GC collections of hundreds of milliseconds: in the
app's own process every one of them is a stall of the GUI thread. So the app runs them in a
child started with multiprocessing's ``spawn`` context (a fork of a process with Qt threads
is never safe) and keeps for itself only what writes the vault.

The protocol, over one duplex pipe (nothing else: no argv, no environment, no file):

    parent → child   ("open", vault folder, DossierOptions, prepared_at), then the raw
                     data key as one ``send_bytes`` message
    child → parent   ("progress", phase, done, total) … ("built", DossierSummary), then the
                     signed PDF as one ``send_bytes`` message
    parent → child   ("save", folder) — any number of times — or ("quit",)
    child → parent   ("partials", pdf, zip) before they exist, progress …,
                     ("written", WrittenDossier)
    child → parent   ("error", class name, one line) instead of any answer

The child opens the vault read-only (``Vault.open_read_only``: query_only connections, no
migration, checkpoint or ``vault.seen``), wipes the key it was sent, and holds the laid-out
dossier (``BuiltDossier``: its ``Layout`` is what a save needs) until the parent asks it to
save or to quit. A save writes the PDF and the bundle as 0600 partial files in the chosen
folder (app/dossier/partials.py); the parent then records the production and its ledger
event in one short transaction and renames them (``export.record_dossier``), exactly as an
export in one process does. Cancel, lock, quit and closing the dialog kill the child
(``ChildExport.close``, ``stop_all``); the parent removes the partial files it was told of.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.children import lower_priority, open_sent_vault
from app.errors import CasefileError

STOPPED = "The export stopped unexpectedly; nothing was written."
POLL_S = 0.05
JOIN_S = 5.0
NICE = int(os.environ.get("CASEFILE_EXPORT_NICE", "10"))  # the child's CPU priority, lower than the app's

_LIVE: weakref.WeakSet[ChildExport] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChildBuilt:
    """A dossier laid out in the child: the signed PDF (for the preview) and its summary."""

    pdf: bytes
    summary: Any  # export.DossierSummary

    @property
    def pages(self) -> int:
        return int(self.summary.pages)


class ChildExport:
    """One export in a child process: ``build()`` then any ``save()``s, then ``close()``.

    ``build`` and ``save`` block (call them on a worker thread); ``close`` may be called from
    any thread at any time, and kills the child: a ``build``/``save`` waiting for it then
    raises ``ExportCancelled`` if its ``cancel`` event was set, else one line (``STOPPED``).
    """

    def __init__(self, vault: Any, options: Any = None, *, prepared_at: datetime | None = None) -> None:
        """``options`` may come later (``prepare``): a child spawned ahead (``spawn``) warms up
        — imports, the fonts — while the owner chooses them."""
        from app.records.times import now_utc

        self._vault = vault
        self._options = options
        self._prepared_at = prepared_at or now_utc()  # this process's clock is the vault's
        self.started_at = 0.0
        self.ready_after: float | None = None  # seconds from start to the child's first message
        self._process: Any = None
        self._conn: Any = None
        self._closed = False
        self._conn_opened = False  # the vault and options sent
        self._partials: list[Path] = []
        self._lock = threading.Lock()  # one build or save at a time
        self._state = threading.Lock()  # start and close never cross
        with _LIVE_LOCK:
            _LIVE.add(self)

    def prepare(self, options: Any, *, prepared_at: datetime | None = None) -> bool:
        """The options of a child spawned ahead, and the time the dossier is prepared (now, not
        when the child was spawned). False if it is too late (started, or closed)."""
        from app.records.times import now_utc

        with self._state:
            dead = self._process is not None and self._process.exitcode is not None
            if self._closed or self._conn_opened or dead:
                return False
            self._options, self._prepared_at = options, prepared_at or now_utc()
            return True

    def spawn(self) -> None:
        """Start the child process without the vault: it imports what an export needs and
        parses the fonts (~0.5 s of its own) until ``build`` hands it the vault and the options.
        Some tens of ms of this thread: call it on a worker."""
        import multiprocessing

        with self._state:
            if self._process is not None:
                return
            if not self._closed:
                # The signing key is made at first use: a write, which the child cannot do.
                self._vault.signing.ensure()
                context = multiprocessing.get_context("spawn")
                self._conn, child_conn = context.Pipe(duplex=True)
                # Not a daemon: a daemon may not start the layout helper (layout_helper.py).
                # Lock and quit kill it (stop_all), and so does this process's exit.
                self._process = context.Process(target=child_main, args=(child_conn,), name="casefile-export")
                _kill_at_exit()
                self.started_at = time.perf_counter()
                try:
                    self._process.start()
                except OSError as error:  # no process could be made (out of memory, process limit)
                    self._closed = True
                    raise CasefileError(
                        f"The export could not start ({error.strerror or error}); nothing was written."
                    ) from None
                finally:
                    child_conn.close()
                lower_priority(self._process.pid, NICE)

    def start(self, cancel: threading.Event | None = None) -> None:
        """Spawn the child if not done yet and hand it the vault and the options (``build`` does
        this): some tens of ms of this thread (imports, the spawn), so call it on a worker."""
        self.spawn()
        with self._state:
            if self._options is None:
                raise ValueError("ChildExport.start needs the options (prepare)")
            opened, self._conn_opened = self._conn_opened, True
        if self._closed:  # closed (cancelled, locked) before it could start
            self._stopped(cancel)
        if opened:
            return
        try:
            self._conn.send(("open", str(Path(self._vault.path).resolve()), self._options, self._prepared_at))
            self._vault.send_data_key(self._conn.send_bytes)
        except (OSError, EOFError, ValueError):
            self._stopped(cancel)
        except BaseException:  # the vault locked meanwhile (its one line goes on): no child is left waiting
            self._kill()
            raise

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def alive(self) -> bool:
        return not self._closed and self._process is not None and self._process.is_alive()

    def build(
        self, progress: Callable[[str, int, int], None] | None = None, cancel: threading.Event | None = None
    ) -> ChildBuilt:
        with self._lock:
            self.start(cancel)
            summary = self._answer("built", progress, cancel)[1]
            pdf = self._receive_bytes(cancel)
            return ChildBuilt(pdf, summary)

    def save(
        self,
        vault: Any,
        out_dir: Path,
        progress: Callable[[str, int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Any:
        """Have the child write the PDF and bundle as partial files, then record the export
        here, in the process that writes the vault (``export.record_dossier``)."""
        from app.dossier.export import record_dossier

        with self._lock:
            self._send(("save", str(Path(out_dir).expanduser())))
            written = self._answer("written", progress, cancel)[1]
            self._partials.clear()
            return record_dossier(vault, written)

    def close(self) -> None:
        """Kill the child (if it still runs) and remove any partial file it was writing."""
        with self._state:
            self._closed = True
            process = self._process
            if process is not None and process.pid is not None and process.exitcode is None:
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    process.kill()
        if not self._lock.locked():
            self._reap()
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def quit(self) -> None:
        """Ask an idle child to exit (it wipes its key and closes the vault), then reap it."""
        if self.alive:
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(("quit",))
            self._process.join(JOIN_S)
        self.close()

    # -- the pipe -------------------------------------------------------------------

    def _send(self, message: tuple[Any, ...]) -> None:
        if self._closed or self._conn is None:
            raise CasefileError(STOPPED)
        try:
            self._conn.send(message)
        except (OSError, ValueError):
            raise CasefileError(STOPPED) from None

    def _answer(
        self, kind: str, progress: Callable[[str, int, int], None] | None, cancel: threading.Event | None
    ) -> tuple[Any, ...]:
        """Wait for the child's ``kind`` message, passing progress on; errors and a child
        that died (or was killed) become one line."""
        while True:
            message = self._receive(cancel)
            if self.ready_after is None:
                self.ready_after = time.perf_counter() - self.started_at
            if message[0] == "progress":
                if progress is not None:
                    progress(message[1], message[2], message[3])
            elif message[0] == "partials":
                self._partials = [Path(message[1]), Path(message[2])]
            elif message[0] == "error":
                raise _error_from(message[1], message[2])
            elif message[0] == kind:
                return message
            else:
                raise CasefileError(STOPPED)

    def _receive(self, cancel: threading.Event | None) -> tuple[Any, ...]:
        while True:
            if cancel is not None and cancel.is_set():
                self._stopped(cancel)
            try:
                if self._conn.poll(POLL_S):
                    return tuple(self._conn.recv())
            except (EOFError, OSError, ValueError):
                self._stopped(cancel)
            if not self.alive:
                with contextlib.suppress(EOFError, OSError, ValueError):
                    if self._conn.poll(0):  # what it said before it died
                        return tuple(self._conn.recv())
                self._stopped(cancel)

    def _receive_bytes(self, cancel: threading.Event | None) -> bytes:
        while True:
            if cancel is not None and cancel.is_set():
                self._stopped(cancel)
            try:
                if self._conn.poll(POLL_S):
                    return self._conn.recv_bytes()
            except (EOFError, OSError, ValueError):
                self._stopped(cancel)
            if not self.alive:
                self._stopped(cancel)

    def _kill(self) -> None:
        with self._state:
            self._closed = True
            with contextlib.suppress(OSError, ValueError, AttributeError):
                if self._process is not None:
                    self._process.kill()
        self._reap()
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def _stopped(self, cancel: threading.Event | None) -> None:
        from app.dossier.export import ExportCancelled

        self._kill()
        if cancel is not None and cancel.is_set():
            raise ExportCancelled("The export was cancelled; nothing was written.")
        raise CasefileError(STOPPED)

    def _reap(self) -> None:
        """Wait for the killed child, close the pipe, remove the partial files it was told of."""
        with contextlib.suppress(OSError, ValueError, AssertionError):
            if self._process is not None and self._process.pid is not None:
                self._process.join(JOIN_S)
        with contextlib.suppress(OSError):
            if self._conn is not None:
                self._conn.close()
        for path in self._partials:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        self._partials = []


_AT_EXIT: list[bool] = []


def _kill_at_exit() -> None:
    """Kill the export children when this process exits (before multiprocessing's own exit
    handler, which would wait for them: handlers run last registered first)."""
    if not _AT_EXIT:
        import atexit

        atexit.register(stop_all)
        _AT_EXIT.append(True)


def stop_all() -> None:
    """Kill every export child of this process (at lock and at quit)."""
    with _LIVE_LOCK:
        children = list(_LIVE)
    for child in children:
        child.close()


def live_children() -> int:
    with _LIVE_LOCK:
        return sum(1 for child in _LIVE if child.alive)


def _error_from(name: str, text: str) -> BaseException:
    """The child's error as the same class here (its one line kept), else a CasefileError."""
    from app import errors
    from app.dossier import export

    cls = getattr(errors, name, None) or getattr(export, name, None)
    if isinstance(cls, type) and issubclass(cls, CasefileError):
        return cls(text)
    return CasefileError(text)


# -- the child -------------------------------------------------------------------------


def child_main(conn: Any) -> None:
    """The child process: open the vault read-only, build, then save on request."""
    from app.hardening import disable_core_dumps

    disable_core_dumps()  # a core dump would hold the data key and the record in the clear
    ahead = not conn.poll(0)  # spawned ahead: the options are not chosen yet
    warm = threading.Thread(target=_warm_up, args=(ahead,), name="casefile-warm-up", daemon=True)
    warm.start()
    vault = None
    try:
        if ahead:
            from app.dossier.layout_helper import keep_spare

            keep_spare()  # its layout helper too, from this thread (the helper dies with it)
        _, path, options, prepared_at = conn.recv()
        vault = open_sent_vault(conn, path)
        if vault is None:
            raise CasefileError(STOPPED)
        warm.join()  # its imports done before this thread imports the same (never two threads in one import cycle)
        _serve(conn, vault, options, prepared_at)
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass  # the parent went away or killed the export: nothing to say to anyone
    finally:
        if vault is not None:
            vault.lock()  # closes every connection and wipes the key
        with contextlib.suppress(OSError):
            conn.close()


def _warm_up(ahead: bool) -> None:
    """What every export needs, before it is asked for (``ahead``: spawned while the owner
    chooses the options) or beside the vault's opening: the fonts (0.35 s of parsing), the
    modules of the layout, the merge and the bundle, and ahead also the signature's (which an
    export started at once imports while it waits for its layout helper: pdfsign.preload)."""
    try:
        from app.dossier.text import register_fonts

        register_fonts()
        import pikepdf  # noqa: F401
        import pypdfium2  # noqa: F401
        import xlsxwriter  # noqa: F401
        from PIL import Image  # noqa: F401

        import app.dossier.bundle
        import app.dossier.export
        import app.dossier.pdf  # noqa: F401

        if ahead:
            from app.evidence.pdfsign import import_signing

            import_signing()
    except Exception as error:  # the export itself meets it, and says it in one line
        import logging

        logging.getLogger(__name__).debug("the export's warm-up failed", exc_info=error)


def _serve(conn: Any, vault: Any, options: Any, prepared_at: datetime) -> None:
    from app.dossier.export import build_dossier_pdf, write_dossier

    def progress(phase: str, done: int, total: int) -> None:
        conn.send(("progress", phase, done, total))

    try:
        built = build_dossier_pdf(vault, options, progress=progress, prepared_at=prepared_at)
    except Exception as error:
        conn.send(_error_message(error))
        return
    conn.send(("built", built.summary))
    conn.send_bytes(built.pdf)
    while True:
        command = conn.recv()
        if command[0] != "save":
            return
        try:
            written = write_dossier(
                vault,
                built,
                Path(command[1]),
                progress=progress,
                before_writing=lambda pdf, zip_: conn.send(("partials", str(pdf), str(zip_))),
            )
        except Exception as error:
            conn.send(_error_message(error))
            continue
        conn.send(("written", written))


def _error_message(error: BaseException) -> tuple[str, str, str]:
    if isinstance(error, CasefileError):
        return ("error", type(error).__name__, str(error))
    # A bug, not the user's input: one line for them; the traceback only in a debug log
    # (as ui.workers.user_message does), never on a screen or a terminal.
    import logging

    logging.getLogger(__name__).debug("unexpected error in the export child", exc_info=error)
    return ("error", "CasefileError", f"The export failed ({type(error).__name__}); nothing was written.")


def export_in_child(
    vault: Any,
    options: Any,
    out_dir: Path,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Any:
    """Build and save in one go, as the app does (the benchmarks and the invariant test):
    the ``ExportResult`` of ``export.export_dossier``, with the heavy work in a child."""
    child = ChildExport(vault, options)
    try:
        child.build(progress, cancel)
        return child.save(vault, out_dir, progress, cancel)
    finally:
        child.quit()
