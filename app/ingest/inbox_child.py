"""The watched Inbox in a child process, so that the window's process never runs its work.

Reading e-mails and documents (the email package, dkimpy, the text extractors), the import's
transaction and the read-back that verifies the stored copy all want the GIL: on the
window's process they stretched its paints while files arrived (bench_stall f, "watched
Inbox": max gap 42–86 ms, docs/performance.md). The child runs ``app.ingest.inbox.Inbox``
itself with a writer connection of its own (WAL: the window reads and writes on; SQLite's
lock and busy timeouts order the two writers, as with ``casefile watch`` in a terminal). The
window notices the child's commits as it notices any other process's (ui/live_refresh.py)
and shows each file's result as it comes.

A reader that dies on a file — a crash in a C library, memory exhausted — takes only the
child: the parent moves the file it was reading to Failed/ with a note saying so, and starts
another child (at most ``MAX_RESTARTS`` times per start), so one hostile file neither takes
the window down nor stops the Inbox for every file after it.

The protocol, over one duplex pipe (nothing else: no argv, no environment, no file):

    parent → child   ("open", vault folder, Inbox folder, delete_imported, settle_seconds),
                     then the raw data key as one ``send_bytes`` message
    child → parent   ("ready",) once watching; ("file", path) before each file, then
                     ("result", ImportResult); ("error", one line) when a pass fails;
                     ("fatal", one line) if it cannot open the vault or start watching
    parent → child   ("stop",): the file being imported finishes, the vault is locked
                     (its key wiped), and the child exits
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.children import die_with_parent, lower_priority, open_sent_vault
from app.errors import CasefileError
from app.ingest.importer import ImportResult
from app.ingest.inbox import Inbox, set_aside
from app.words import plural

NICE = int(os.environ.get("CASEFILE_INBOX_NICE", "10"))  # the child's CPU priority, lower than the window's
MAX_RESTARTS = 3
POLL_S = 0.1
STOP_S = 35.0  # the Inbox's own stop waits up to 30 s for the file being imported


class InboxProcess:
    """``Inbox`` with the same constructor and ``start``/``stop``, its work in a child.

    ``start`` makes the folders here (at once: a folder that cannot be made is the caller's
    error) and starts a supervising thread, which spawns the child, hands it the key and
    calls ``on_result``/``on_error`` with what the child reports (on that thread), and
    ``on_end`` with the last error line if it ends without ``stop`` (a child that could not
    open the vault or watch, no process to start, or too many restarts)."""

    def __init__(
        self,
        vault: Any,
        root: Path,
        *,
        delete_imported: bool = False,
        settle_seconds: float = 2.0,
        on_result: Callable[[ImportResult], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_end: Callable[[str], None] | None = None,
    ) -> None:
        self.vault = vault
        self.root = Path(root)
        self.delete_imported = delete_imported
        self.settle_seconds = settle_seconds
        self._on_result = on_result or (lambda _r: None)
        self._on_error = on_error or (lambda _m: None)
        self._on_end = on_end or (lambda _m: None)
        self._last_error = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: Any = None
        self._conn: Any = None  # the pipe to the child now running
        self._sending = threading.Lock()  # the supervisor's first messages and stop's
        self.current: Path | None = None  # the file the child is reading now
        self.ready = threading.Event()  # the child watches (set again by each child started)

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else process.pid

    def start(self) -> None:
        Inbox(self.vault, self.root).prepare()
        self._thread = threading.Thread(target=self._supervise, name="casefile-inbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the child to finish the file it is importing and exit; kill it after ``STOP_S``."""
        self._stop.set()
        with self._sending, contextlib.suppress(OSError, ValueError, AttributeError):
            if self._conn is not None:
                self._conn.send(("stop",))  # at once: the supervisor sees the event only at its next poll
        if self._thread is not None:
            self._thread.join(STOP_S + 5)

    # -- the supervisor thread --------------------------------------------------------------

    def _supervise(self) -> None:
        restarts = 0
        while not self._stop.is_set():
            if self._run_child():  # stopped, or it cannot start: no new child
                break
            restarts += 1
            if restarts > MAX_RESTARTS:
                self._error(
                    f"Inbox: its reader stopped {plural(restarts, 'time')}; the Inbox is no longer watched "
                    "(files dropped there wait for the next unlock)."
                )
                break
        if not self._stop.is_set():  # it ended without being asked: say why, once more
            self._on_end(self._last_error)

    def _error(self, line: str) -> None:
        self._last_error = line
        self._on_error(line)

    def _run_child(self) -> bool:
        """One child, from its spawn to its end. False if it died on its own (start another)."""
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        conn, child_conn = context.Pipe(duplex=True)
        process = context.Process(target=child_main, args=(child_conn,), name="casefile-inbox", daemon=True)
        self.ready.clear()
        self.current = None
        try:
            try:
                process.start()
            except Exception as error:  # out of processes or memory; a main module that spawns at import
                why = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
                self._error(f"Inbox: not watched, no process could be started ({why}).")
                return True
            finally:
                child_conn.close()
            self._process = process
            lower_priority(process.pid, NICE)
            try:
                with self._sending:
                    conn.send(
                        (
                            "open",
                            str(Path(self.vault.path).resolve()),
                            str(self.root),
                            self.delete_imported,
                            self.settle_seconds,
                        )
                    )
                    self.vault.send_data_key(conn.send_bytes)
                    self._conn = conn
            except CasefileError:  # the vault locked meanwhile: stop is on its way
                return True
            except (OSError, ValueError):
                pass  # it died at once: seen below
            return self._follow(conn, process)
        finally:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                if process.is_alive():
                    process.kill()
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join(5)
            with self._sending:
                self._conn = None
                conn.close()

    def _follow(self, conn: Any, process: Any) -> bool:
        while True:
            if self._stop.is_set():
                # Again, in case stop() came before the pipe was ready; under the same lock as
                # stop()'s own send: two threads writing one pipe at once would mix their bytes.
                with self._sending, contextlib.suppress(OSError, ValueError):
                    conn.send(("stop",))
                process.join(STOP_S)
                return True
            try:
                if conn.poll(POLL_S):
                    if self._handle(conn.recv()):
                        return True
                    continue
                if process.is_alive():
                    continue
            except (EOFError, OSError):  # its end of the pipe closed: it is exiting
                process.join(STOP_S if self._stop.is_set() else 5)
            if self._stop.is_set():
                return True
            self._died(process.exitcode)
            return False

    def _handle(self, message: tuple[Any, ...]) -> bool:
        """One message of the child; True when it says it cannot go on."""
        kind = message[0]
        if kind == "ready":
            self.ready.set()
        elif kind == "file":
            self.current = Path(message[1])
        elif kind == "result":
            self.current = None
            self._on_result(message[1])
        elif kind == "error":
            self._error(message[1])
        elif kind == "fatal":
            self._error(message[1])
            return True
        return False

    def _died(self, exitcode: int | None) -> None:
        """The child ended without being asked: set the file it was reading aside."""
        how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
        path, self.current = self.current, None
        if path is None or not path.exists():
            self._error(f"Inbox: its reader stopped unexpectedly ({how}).")
            return
        name = path.name
        reason = (
            f"Casefile's reader stopped while reading {name} ({how}): the file may be damaged or hostile. "
            "Nothing of it was stored; import it by hand to try again."
        )
        try:
            set_aside(self.root, path, reason)
        except OSError as error:
            self._error(f"Inbox: its reader stopped on {name} ({how}), which could not be set aside: {error}.")
            return
        self._error(f"Inbox: {name} stopped its reader ({how}); the file was moved to {self.root.name}/Failed.")


# -- the child ------------------------------------------------------------------------------


class _ReportingInbox(Inbox):
    """The child's Inbox: says which file it reads before it reads it."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._send = send

    def process(self, path: Path, client_id: int | None) -> ImportResult:
        self._send(("file", str(path)))
        return super().process(path, client_id)


def child_main(conn: Any) -> None:
    """The child process: open the vault with the key sent, watch the Inbox until told to stop."""
    from app.hardening import disable_core_dumps

    disable_core_dumps()  # a core dump would hold the data key and the record in the clear
    die_with_parent()
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock, contextlib.suppress(OSError, ValueError):
            conn.send(message)

    vault = inbox = None
    try:
        _, path, folder, delete_imported, settle_seconds = conn.recv()
        vault = open_sent_vault(conn, path, writable=True)
        if vault is None:
            return
        inbox = _ReportingInbox(
            send,
            vault,
            Path(folder),
            delete_imported=delete_imported,
            settle_seconds=settle_seconds,
            on_result=lambda result: send(("result", result)),
            on_error=lambda line: send(("error", line)),
        )
        inbox.start()
        send(("ready",))
        while conn.recv()[0] != "stop":
            pass
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the parent went away: the kernel ends this process too (die_with_parent)
    except CasefileError as error:
        send(("fatal", f"Inbox: not watched: {' '.join(str(error).split())}"))
    except Exception as error:  # a bug: one line for the window, the traceback only in a debug log
        import logging

        logging.getLogger(__name__).debug("the Inbox child failed", exc_info=error)
        send(("fatal", f"Inbox: not watched ({type(error).__name__})."))
    finally:
        if inbox is not None:
            inbox.stop()  # the file being imported finishes its transaction
        if vault is not None:
            vault.lock()  # closes every connection and wipes the key
        with contextlib.suppress(OSError):
            conn.close()
