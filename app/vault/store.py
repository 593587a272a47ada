"""Opening the encrypted database: every connection setting lives here.

SQLCipher settings are per connection and are not stored in the file, so they must
be repeated on every open; ``open_database`` sets them and then reads them back,
refusing to continue if the library ignored one.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from app.errors import CorruptVault, DiskFull, VaultBusy
from app.vault.names import DATABASE_NAME, KEY_FILE_NAME  # noqa: F401  (re-exported)
from app.vault.schema import MIGRATIONS, SCHEMA_VERSION

CACHE_SIZE_KIB = 32 * 1024
# A search reads the doclists of common words again and again; decrypted pages kept in
# SQLite's cache cost no second decryption (measured: 1.3x -> ~1.0x plain FTS5 at 1 M
# entries). Only the connection a search runs on grows to this, and only as it reads.
SEARCH_CACHE_SIZE_KIB = 128 * 1024
BUSY_TIMEOUT_MS = 5000
# A writer that finds the vault busy (another Casefile process, or a long import in
# this one) says so after WRITE_NOTICE_S and keeps waiting; only after WRITE_WAIT_S
# does it give up with VaultBusy. What the user typed is not lost to a short lock.
WRITE_NOTICE_S = 1.0
WRITE_WAIT_S = 300.0
BUSY_MESSAGE = "The vault is busy with another Casefile window or command; waiting for it to finish…"

# Pinned SQLCipher 4 defaults, restated so that a library with other compiled-in
# defaults (or SQLCipher 5) cannot silently open the file with different crypto.
_CIPHER_SETTINGS = {
    "cipher_page_size": "4096",
    "cipher_hmac_algorithm": "HMAC_SHA512",
    "cipher_kdf_algorithm": "PBKDF2_HMAC_SHA512",
}

if TYPE_CHECKING:
    # sqlcipher3 ships no type hints; its Connection has the sqlite3 API exactly.
    from sqlite3 import Connection
else:
    Connection = sqlcipher3.Connection
DatabaseError = sqlcipher3.DatabaseError
IntegrityError = sqlcipher3.IntegrityError
OperationalError = sqlcipher3.OperationalError
ProgrammingError = sqlcipher3.ProgrammingError  # e.g. a statement on a closed connection

_CORRUPT_MARKERS = ("not a database", "malformed", "disk image", "encrypted", "hmac")


def is_corruption(error: BaseException) -> bool:
    return isinstance(error, sqlcipher3.DatabaseError) and any(m in str(error).lower() for m in _CORRUPT_MARKERS)


def corrupt_error(error: BaseException) -> CorruptVault:
    return CorruptVault(
        "The vault database is damaged or does not match its key file"
        f" ({str(error).rstrip('.')}); restore it from a backup."
    )


def open_database(
    path: Path,
    data_key: bytes,
    *,
    create: bool = False,
    readonly: bool = False,
    immutable: bool = False,
    before_migrate: Callable[[Connection], None] | None = None,
) -> Connection:
    """Open (or create) the vault database with ``data_key`` and check every setting.

    A wrong key only surfaces on the first read, so the schema is read here, before
    the caller is told the vault is open. ``immutable`` (read-only, for a backup being
    checked) takes no lock and creates no -wal or -shm: the folder is left untouched.
    ``before_migrate`` runs the caller's checks (the vault id, the last state seen)
    before anything is written: a database that fails them is never migrated.
    """
    if not create:
        check_database_file(path)
    elif not path.exists():
        # Created 0600 by us, not 0644 by the umask: SQLite gives -wal and -shm the mode
        # of the database file, so the whole vault stays readable by its owner only.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    uri = path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro" if readonly else "")
    conn = sqlcipher3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        _configure(conn, data_key, readonly=readonly, existing=not create)
        if before_migrate is not None:
            before_migrate(conn)
        if not readonly:
            migrate(conn)
    except sqlcipher3.DatabaseError as error:
        conn.close()
        if is_corruption(error):
            raise corrupt_error(error) from None
        if is_disk_full(error):
            raise DiskFull(f"Not enough disk space in {path.parent} to open the vault; nothing was changed.") from None
        raise CorruptVault(f"The vault database {path.name} cannot be opened ({str(error).rstrip('.')}).") from None
    except BaseException:
        conn.close()
        raise
    return conn


def open_reader(path: Path, data_key: bytes) -> Connection:
    """A read connection on an open vault: the same key and settings as the writer, plus
    ``query_only``; it never migrates. Each reading thread gets its own (see ``Database``),
    so a reader sees the last committed snapshot (WAL) and never waits for a writer."""
    conn = sqlcipher3.connect(
        path.resolve().as_uri(),
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    try:
        _configure(conn, data_key, readonly=False, reader=True)
    except sqlcipher3.DatabaseError as error:
        conn.close()
        if is_corruption(error):
            raise corrupt_error(error) from None
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def is_disk_full(error: BaseException) -> bool:
    import errno

    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return isinstance(error, sqlcipher3.DatabaseError) and (
        "disk is full" in str(error).lower() or "database or disk is full" in str(error).lower()
    )


# SQLCipher writes whole 4096-byte pages: anything shorter is not a vault database
# (an empty file would otherwise open as a fresh database and be given a new schema).
MIN_DATABASE_BYTES = 4096


def check_database_file(path: Path) -> None:
    """Refuse, before opening anything, a vault.db that is missing, not a regular file,
    or too short to be a database. Opening must never create or modify it."""
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        raise CorruptVault(f"The vault database {path.name} is missing from the vault folder.") from None
    except OSError as error:
        raise CorruptVault(f"The vault database {path.name} cannot be read: {error.strerror}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise CorruptVault(f"The vault database {path.name} is not a regular file (a folder or a device?).")
    if info.st_size < MIN_DATABASE_BYTES:
        raise CorruptVault(
            f"The vault database {path.name} is empty or truncated ({info.st_size} bytes); nothing was changed."
            " Restore it from a backup."
        )


def _configure(
    conn: Connection, data_key: bytes, *, readonly: bool, reader: bool = False, existing: bool = False
) -> None:
    # SQLCipher logs failed page MACs to stderr itself; our callers report them in
    # one readable line instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    conn.execute("PRAGMA cipher_compatibility = 4")
    for name, value in _CIPHER_SETTINGS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    version = conn.execute("PRAGMA cipher_version").fetchone()
    if not version or not str(version[0]).startswith("4."):
        raise CorruptVault(f"Casefile needs SQLCipher 4; this build reports {version!r}.")
    # The first read: fails here with "file is not a database" on a wrong key.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    if existing and schema_version(conn) == 0:  # before the WAL switch below writes the header
        raise CorruptVault("The vault database vault.db holds no Casefile schema; nothing was changed.")
    if not readonly and not reader:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise CorruptVault(f"The vault could not switch to write-ahead logging (got {mode}).")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = -{CACHE_SIZE_KIB}")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if reader:
        conn.execute("PRAGMA query_only = ON")
    assert_settings(conn, readonly=readonly, reader=reader)


def widen_cache_for_search(conn: Connection) -> None:
    """The larger page cache for a read connection that runs full-text searches."""
    conn.execute(f"PRAGMA cache_size = -{SEARCH_CACHE_SIZE_KIB}")


def assert_settings(conn: Connection, *, readonly: bool = False, reader: bool = False) -> None:
    """Read every setting back; a silently ignored PRAGMA is a security bug."""
    expected: dict[str, Any] = {
        "synchronous": 2,
        "foreign_keys": 1,
        "temp_store": 2,
        "cache_size": -CACHE_SIZE_KIB,
        "cipher_page_size": 4096,
    }
    if not readonly:
        expected["journal_mode"] = "wal"
    if reader:
        expected["query_only"] = 1
    for name, want in expected.items():
        got = conn.execute(f"PRAGMA {name}").fetchone()[0]
        if str(got) != str(want):
            raise CorruptVault(f"The vault connection setting {name} is {got!r}, expected {want!r}.")


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> None:
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise CorruptVault(
            f"This vault was written by a newer Casefile (schema {current}); update Casefile to open it."
        )
    if current >= target:
        return
    with transaction(conn):
        for version in range(current + 1, target + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {target}")


def is_busy(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlcipher3.OperationalError) and ("locked" in text or "busy" in text)


def begin_immediate(
    conn: Connection, *, on_wait: Callable[[str], None] | None = None, wait_s: float | None = None
) -> None:
    """Take the write lock, waiting for another process's writer as long as ``wait_s``.

    SQLite's busy handler waits in slices of WRITE_NOTICE_S here, so the user hears
    after a second that we wait (``on_wait`` is called once) rather than after the whole
    busy timeout; nothing of the transaction has run yet, so retrying is always safe.
    """
    wait_s = WRITE_WAIT_S if wait_s is None else wait_s
    deadline = time.monotonic() + wait_s
    conn.execute(f"PRAGMA busy_timeout = {int(WRITE_NOTICE_S * 1000)}")
    try:
        told = False
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlcipher3.OperationalError as error:
                if not is_busy(error):
                    raise
                if time.monotonic() >= deadline:
                    raise VaultBusy(
                        f"The vault stayed busy for {wait_s:.0f} s (another Casefile window or command is"
                        " writing); nothing was changed, try again when it has finished."
                    ) from None
                if not told and on_wait is not None:
                    on_wait(BUSY_MESSAGE)
                    told = True
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextlib.contextmanager
def transaction(
    conn: Connection, *, on_wait: Callable[[str], None] | None = None, wait_s: float | None = None
) -> Iterator[Connection]:
    """One user action, one transaction. BEGIN IMMEDIATE takes the write lock up
    front so two writers queue instead of failing half-way."""
    begin_immediate(conn, on_wait=on_wait, wait_s=wait_s)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
