"""A thread-safe handle on the open database: one writer, one transaction per action."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from app.errors import VaultLocked
from app.vault.store import Connection, DatabaseError, corrupt_error, is_corruption, transaction


class Database:
    """Serialises access to one SQLCipher connection.

    The GUI's worker threads and the watched folder share one connection; an RLock
    keeps their statements from interleaving, and ``write`` wraps each user action
    in a single IMMEDIATE transaction. Corruption found mid-way surfaces as
    ``CorruptVault`` with a readable message.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn: Connection | None = conn
        self._lock = threading.RLock()

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise VaultLocked("The vault is locked.")
        return self._conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        with self._lock, _translate_errors():
            conn = self.conn
            if conn.in_transaction:  # nested: join the caller's transaction
                yield conn
                return
            with transaction(conn):
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self._lock, _translate_errors():
            yield self.conn

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.read() as conn:
            return conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.read() as conn:
            return conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None

    @property
    def is_open(self) -> bool:
        return self._conn is not None


@contextlib.contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except DatabaseError as error:
        if is_corruption(error):
            raise corrupt_error(error) from None
        raise
