"""The open database: one writer connection, and one read connection per reading thread.

SQLite in WAL mode lets readers see the last committed snapshot while one writer
works, so the GUI thread, the workers and the watched Inbox each read through their
own connection and never wait for a long import, export or backup. Writes go through
the one writer connection, one IMMEDIATE transaction per user action.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import VaultBusy, VaultLocked
from app.vault import store
from app.vault.store import (
    BUSY_MESSAGE,
    Connection,
    DatabaseError,
    OperationalError,
    ProgrammingError,
    corrupt_error,
    is_corruption,
    open_reader,
    transaction,
)

LOCKED_MESSAGE = "The vault is locked."
CHECKPOINT_WAIT_MS = 200


# Threads from Qt's pool are not Python threads, so their end is not seen: past this many
# read connections the least recently used idle one is closed (its thread reopens one).
MAX_READERS = 8
# How long close() interrupts a reader that is still inside its read before it leaves that
# reader's connection for its own thread to close (it does on leaving the read).
CLOSE_WAIT_S = 5.0


@dataclass
class _Reader:
    conn: Connection
    thread: threading.Thread
    lock: threading.RLock = field(default_factory=threading.RLock)  # held while the thread reads
    depth: int = 0
    used: float = 0.0
    closed: bool = False


class Database:
    """One writer connection (``write()``) and per-thread read connections (``read()``).

    - ``write()`` is one IMMEDIATE transaction on the writer; a nested ``write()`` joins
      the caller's transaction. A writer that finds the vault busy waits (telling
      ``on_busy`` once) and raises ``VaultBusy`` only after ``WRITE_WAIT_S``.
    - ``read()`` on a thread that is inside ``write()`` reads through the writer (it sees
      its own uncommitted changes); anywhere else it uses the thread's own read
      connection, opened on first use with the same key and settings, in one read
      transaction for the outermost ``read()`` (nested reads share its snapshot). Reads
      never take the writer's lock.
    - ``close()`` interrupts and closes every reader (other threads' too), waits for a
      running write to finish, closes the writer and wipes the key it held.

    Without ``path``/``data_key`` (a bare connection) every read goes through the writer.
    """

    def __init__(self, conn: Connection, path: Path | None = None, data_key: bytes | None = None) -> None:
        self._conn: Connection | None = conn
        self._lock = threading.RLock()
        self._writer_thread: int | None = None
        self._path = path
        self._key = bytearray(data_key) if data_key is not None else None
        self._readers: dict[int, _Reader] = {}
        self._registry = threading.Lock()
        self._closing = False
        self.on_busy: Callable[[str], None] | None = None
        # Called on the writer, still holding this process's write lock, after each commit.
        self.after_commit: Callable[[Connection], None] | None = None
        self.commits = 0  # committed write() transactions of this process

    @property
    def conn(self) -> Connection:
        """The writer connection (for the core's own modules and tests)."""
        if self._conn is None:
            raise VaultLocked(LOCKED_MESSAGE)
        return self._conn

    # -- writing ---------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        self._acquire_writer()
        try:
            with _translate_errors():
                conn = self.conn
                if conn.in_transaction:  # nested: join the caller's transaction
                    yield conn
                    return
                outer = self._writer_thread
                self._writer_thread = threading.get_ident()
                try:
                    with transaction(conn, on_wait=self.on_busy):
                        yield conn
                    self.commits += 1
                finally:
                    self._writer_thread = outer
                if self.after_commit is not None:
                    self.after_commit(conn)
        finally:
            self._lock.release()

    def checkpoint(self) -> None:
        """Move the committed pages of the WAL into vault.db (at lock, and when the app is idle).

        TRUNCATE when none of this process's readers is inside a read; PASSIVE otherwise
        (it copies what no reader still needs and never waits). Another process's reader
        is waited for only ``CHECKPOINT_WAIT_MS``: what is left is copied next time."""
        self._acquire_writer()
        try:
            conn = self.conn
            if conn.in_transaction:
                return
            reading = any(reader.depth for reader in list(self._readers.values()))
            conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
            try:
                with contextlib.suppress(OperationalError):  # busy: copied at the next one
                    conn.execute(f"PRAGMA wal_checkpoint({'PASSIVE' if reading else 'TRUNCATE'})").fetchall()
            finally:
                conn.execute(f"PRAGMA busy_timeout = {store.BUSY_TIMEOUT_MS}")
        finally:
            self._lock.release()

    def _acquire_writer(self) -> None:
        """This process's writers queue on the lock; a long wait is told once, then bounded."""
        if self._lock.acquire(timeout=store.WRITE_NOTICE_S):
            return
        if self.on_busy is not None:
            self.on_busy(BUSY_MESSAGE)
        if not self._lock.acquire(timeout=store.WRITE_WAIT_S):
            raise VaultBusy(
                f"The vault stayed busy for {store.WRITE_WAIT_S:.0f} s (a long import or export is writing);"
                " nothing was changed, try again when it has finished."
            )

    @property
    def in_write(self) -> bool:
        """Whether the calling thread is inside ``write()``."""
        return self._writer_thread == threading.get_ident()

    # -- reading ---------------------------------------------------------------

    @contextlib.contextmanager
    def fresh_read(self) -> Iterator[Connection]:
        """One read transaction on a connection opened for it and closed after (for verify).

        A long-lived reader's FTS5 table keeps its cached index structure between
        transactions; ``PRAGMA integrity_check`` of the FTS index then reads segments
        that a later write merged away and reports corruption that is not there (seen
        after a chat import that merged segments). A check of the record must see the
        file as it is, so it gets a connection of its own."""
        if self._key is None or self._path is None or self.in_write:
            with self.read() as conn:
                yield conn
            return
        conn = open_reader(self._path, bytes(self._key))
        try:
            with self._translate_read_errors():
                conn.execute("BEGIN")
                try:
                    yield conn
                finally:
                    with contextlib.suppress(Exception):
                        conn.execute("ROLLBACK")
        finally:
            conn.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        if self._key is None or self.in_write:  # read-your-writes, or a bare connection
            with self._lock, _translate_errors():
                yield self.conn
            return
        reader = self._reader()
        if reader.depth:  # nested read on this thread: the same snapshot
            reader.depth += 1
            try:
                yield reader.conn
            finally:
                reader.depth -= 1
            return
        reader = self._hold_reader(reader)
        try:
            if self._closing:
                raise VaultLocked(LOCKED_MESSAGE)
            reader.depth = 1
            reader.used = time.monotonic()
            conn = reader.conn
            with self._translate_read_errors():
                conn.execute("BEGIN")
                try:
                    yield conn
                except BaseException:
                    with contextlib.suppress(DatabaseError):
                        conn.execute("ROLLBACK")
                    raise
                else:
                    conn.execute("COMMIT")
        finally:
            reader.depth = 0
            if self._closing and not reader.closed:
                # The vault closed while this thread read and ``close()`` stopped waiting for
                # it (CLOSE_WAIT_S): the connection is closed here, by the thread that used it.
                reader.closed = True
                reader.conn.close()
            reader.lock.release()

    def _hold_reader(self, reader: _Reader) -> _Reader:
        """Lock this thread's reader for one read; one evicted meanwhile is replaced."""
        reader.lock.acquire()
        while reader.closed:
            reader.lock.release()
            reader = self._reader()
            reader.lock.acquire()
        return reader

    def _reader(self) -> _Reader:
        current = threading.current_thread()
        reader = self._readers.get(threading.get_ident())
        if reader is not None and reader.thread is current and not reader.closed:
            return reader
        with self._registry:
            if self._closing or self._conn is None or self._key is None or self._path is None:
                raise VaultLocked(LOCKED_MESSAGE)
            self._prune(current)
            reader = _Reader(open_reader(self._path, bytes(self._key)), current)
            self._readers[threading.get_ident()] = reader
            return reader

    def _prune(self, current: threading.Thread) -> None:
        """Close the readers of threads that ended (or whose id this thread now has),
        then idle ones past MAX_READERS, least recently used first. Holds ``_registry``."""
        ident = threading.get_ident()
        for key, reader in list(self._readers.items()):
            if key == ident or not reader.thread.is_alive():
                self._evict(key, wait=False)
        idle = sorted(self._readers.items(), key=lambda item: item[1].used)
        for key, _reader in idle[: max(0, len(self._readers) - MAX_READERS + 1)]:
            self._evict(key, wait=False)

    def _evict(self, key: int, *, wait: bool) -> None:
        reader = self._readers[key]
        if not reader.lock.acquire(blocking=wait):
            return  # in use: leave it
        try:
            reader.closed = True
            del self._readers[key]
            reader.conn.close()
        finally:
            reader.lock.release()

    @contextlib.contextmanager
    def _translate_read_errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as error:
            if self._closing and "interrupt" in str(error).lower():
                raise VaultLocked(LOCKED_MESSAGE) from None
            raise
        except DatabaseError as error:
            if is_corruption(error):
                raise corrupt_error(error) from None
            raise

    @property
    def data_version(self) -> int:
        """SQLite's ``data_version`` on this thread's read connection: it changes when
        any other connection (another process, or this process's writer) commits."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.read() as conn:
            return conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.read() as conn:
            return conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    # -- closing ---------------------------------------------------------------

    def close(self) -> None:
        with self._registry:
            self._closing = True
            readers = list(self._readers.values())
            self._readers.clear()
        deadline = time.monotonic() + CLOSE_WAIT_S
        for reader in readers:
            # A reader in the middle of a long read is interrupted statement by statement
            # until it leaves its read(); then its connection is closed. One that does not
            # leave in time (its thread waits outside SQLite, inside its read) closes its own
            # connection when it does: locking never hangs on a thread that is stuck.
            while not reader.lock.acquire(timeout=0.05):
                with contextlib.suppress(ProgrammingError):  # its thread closed it meanwhile
                    reader.conn.interrupt()
                if time.monotonic() > deadline:
                    break
            else:
                try:
                    if not reader.closed:
                        reader.closed = True
                        reader.conn.close()
                finally:
                    reader.lock.release()
        with self._lock:
            try:
                if self._conn is not None:
                    self._conn.close()
            finally:
                self._conn = None
                if self._key is not None:
                    for i in range(len(self._key)):
                        self._key[i] = 0

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def reader_count(self) -> int:
        return len(self._readers)


@contextlib.contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except DatabaseError as error:
        if is_corruption(error):
            raise corrupt_error(error) from None
        raise
