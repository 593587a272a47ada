"""The Vault: create, unlock, lock, rekey, back up and restore; the record's front door.

A vault is a folder::

    vault.db    SQLCipher 4 database, encrypted with the random data key
    vault.key   the data key, wrapped by the passphrase and by the recovery key

Everything that reads or writes records goes through the repositories a Vault
hands out (``vault.clients``, ``vault.entries`` …); the GUI and the CLI never see
SQL.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app import ledger
from app.errors import (
    CasefileError,
    CorruptVault,
    InvalidInput,
    VaultExists,
    VaultNotFound,
)
from app.records.attachments import Attachments
from app.records.clients import Clients
from app.records.drafts import Drafts
from app.records.entries import Entries
from app.records.models import SearchHit
from app.records.reminders import Reminders
from app.records.settings import Settings
from app.records.times import now_utc, utc_text
from app.vault import keys, seen
from app.vault.db import Database
from app.vault.store import (
    DATABASE_NAME,
    KEY_FILE_NAME,
    Connection,
    DatabaseError,
    open_database,
    transaction,
)

ChangeCallback = Callable[[str, Any], None]
MIN_PASSPHRASE_LENGTH = 8


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InvalidInput(f"The passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters.")
    if len(passphrase) > 4096:
        raise InvalidInput("The passphrase is too long (at most 4096 characters).")
    # One that cannot be typed at a prompt (NUL, ESC, a lone surrogate) would lock its owner out.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF for ch in passphrase):
        raise InvalidInput("The passphrase must not contain control characters or bytes that are not text.")
    return passphrase


def _prepare_empty_folder(path: Path) -> None:
    if path.exists():
        if not path.is_dir():
            raise VaultExists(f"{path} exists and is not a folder.")
        if any(path.iterdir()):
            raise VaultExists(f"{path} is not empty; choose a new folder for the vault.")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


class Vault:
    """An unlocked vault. ``lock()`` closes it; the object is then unusable."""

    def __init__(
        self, path: Path, db: Database, key_file: keys.KeyFile, data_key: bytes, on_change: ChangeCallback | None = None
    ) -> None:
        self.path = path
        self._db = db
        self._key_file = key_file
        self._data_key = bytearray(data_key)
        self._behind: str | None = None
        self._seen_at = time.monotonic()
        self._seen_head: ledger.Head | None = None
        self._read_only = False  # opened by ``open_read_only`` (an export's child process)
        self.notices: list[str] = []  # one-line warnings from the unlock (a damaged key file slot…)
        db.after_commit = self._after_commit
        notify = on_change or (lambda *_: None)
        self.clients = Clients(db, notify)
        self.entries = Entries(db, notify)
        self.attachments = Attachments(db, notify)
        self.reminders = Reminders(db, notify)
        self.drafts = Drafts(db)
        self.settings = Settings(db, notify)
        from app.evidence.anchors import Anchors
        from app.evidence.signing import VaultSigning

        self.signing = VaultSigning(db)  # the Ed25519 key: public key, fingerprint, sign()
        self.anchors = Anchors(self)  # RFC 3161 anchors: anchored(), pending(), anchor_seal()

    # -- lifecycle ---------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        kdf: keys.Argon2Params | None = None,
        on_change: ChangeCallback | None = None,
    ) -> tuple[Vault, str]:
        """Create a vault in an empty or new folder. Returns the vault and its recovery key,
        which is shown once and never stored in the clear."""
        check_new_passphrase(passphrase)
        path = Path(path)
        _prepare_empty_folder(path)
        data_key = keys.new_data_key()
        recovery_key = keys.new_recovery_key()
        key_file = keys.KeyFile(vault_id=str(uuid.uuid4()), slots=[])
        key_file.set_passphrase(data_key, passphrase, kdf or keys.calibrate())
        key_file.set_recovery(data_key, recovery_key)
        conn = open_database(path / DATABASE_NAME, data_key, create=True)
        with transaction(conn):
            now = utc_text(now_utc())
            conn.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)", [("vault_id", key_file.vault_id), ("created_at", now)]
            )
            ledger.append(conn, "vault.create", f"vault:{key_file.vault_id}", {"vault_id": key_file.vault_id}, at=now)
            from app.evidence.signing import create_key

            create_key(conn)
        # The key file comes last: until it exists the folder is not a vault.
        key_file.save(path / KEY_FILE_NAME, data_key)
        vault = cls(path, Database(conn, path / DATABASE_NAME, data_key), key_file, data_key, on_change)
        vault._remember_seen()
        return vault, recovery_key

    @classmethod
    def open(
        cls, path: Path, passphrase: str, *, on_change: ChangeCallback | None = None, check_seen: bool = True
    ) -> Vault:
        """Unlock with the passphrase. ``check_seen=False`` (``casefile verify``) opens a
        vault whose ledger is behind what this computer last saw, so that verify can report
        it; the record of the last state seen is then left as it is (the evidence) until the loss
        is accepted (``accept_as_found``) or the vault restored."""
        key_file = cls._load_key_file(path)
        data_key = key_file.unwrap_with_passphrase(passphrase)
        return cls._open_with_key(Path(path), key_file, data_key, on_change, check_seen=check_seen)

    @classmethod
    def open_with_recovery_key(cls, path: Path, recovery_key: str, *, on_change: ChangeCallback | None = None) -> Vault:
        key_file = cls._load_key_file(path)
        return cls._open_with_key(Path(path), key_file, key_file.unwrap_with_recovery_key(recovery_key), on_change)

    @classmethod
    def open_read_only(cls, path: Path, data_key: bytes | bytearray) -> Vault:
        """Open an already unlocked vault for reading only, with its raw data key (an
        export's child process: app/dossier/child.py). Every connection is ``query_only``:
        nothing is migrated, checkpointed or written, ``vault.seen`` included; the vault id
        must still match the key file. ``lock()`` closes it and wipes the key as usual."""
        from app.vault.store import open_reader

        path = Path(path)
        key_file = cls._load_key_file(path)
        conn = open_reader(path / DATABASE_NAME, data_key)  # type: ignore[arg-type]
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
            if row is None or row[0] != key_file.vault_id:
                raise CorruptVault("The key file belongs to a different vault than this database.")
        except BaseException:
            conn.close()
            raise
        # Both copy the key into bytearrays of their own (wiped at lock); no bytes copy is made.
        vault = cls(path, Database(conn, path / DATABASE_NAME, data_key), key_file, data_key)  # type: ignore[arg-type]
        vault._read_only = True
        return vault

    @classmethod
    def open_with_data_key(cls, path: Path, data_key: bytes | bytearray) -> Vault:
        """Open an already unlocked vault for reading and writing, with its raw data key (the
        watched Inbox's child process: app/ingest/inbox_child.py). The same checks as an
        unlock (the key file's vault id, the ledger against what this computer last saw); the
        notices an unlock shows were shown by the window that sent the key."""
        path = Path(path)
        # The key stays a bytearray (no bytes copy to outlive the wipes at lock), as in open_read_only.
        return cls._open_with_key(path, cls._load_key_file(path), data_key, None)  # type: ignore[arg-type]

    def send_data_key(self, send: Callable[[bytearray], Any]) -> None:
        """Hand the raw data key to ``send`` (a pipe's ``send_bytes``) without another copy
        in this process: only for an export's child process, never for argv, env or a file."""
        self._require_open()
        send(self._data_key)

    @staticmethod
    def _load_key_file(path: Path) -> keys.KeyFile:
        path = Path(path)
        if not path.is_dir():
            raise VaultNotFound(f"There is no vault at {path}.")
        if not (path / KEY_FILE_NAME).exists() and not (path / DATABASE_NAME).exists():
            raise VaultNotFound(f"{path} is not a Casefile vault (no {KEY_FILE_NAME} or {DATABASE_NAME}).")
        return keys.KeyFile.load(path / KEY_FILE_NAME)

    @classmethod
    def _open_with_key(
        cls,
        path: Path,
        key_file: keys.KeyFile,
        data_key: bytes,
        on_change: ChangeCallback | None,
        *,
        check_seen: bool = True,
    ) -> Vault:
        behind: list[str] = []
        notices: list[str] = []
        known: list[ledger.Head] = []

        def check(conn: Connection) -> None:
            # Before any write (migrations, the WAL, the records below): a database that
            # belongs elsewhere or lost events must come out of the open as it went in.
            row = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
            if row is None or row[0] != key_file.vault_id:
                raise CorruptVault("The key file belongs to a different vault than this database.")
            last = seen.read(path, data_key, key_file.vault_id)
            if isinstance(last, seen.Seen):
                known.append(ledger.Head(last.count, last.head))
            if isinstance(last, str):
                notices.append(f"{last}; a new record of the last state seen was started.")
            elif last is not None and (trouble := seen.problem(conn, last)):
                if check_seen:
                    raise seen.RolledBack(trouble)
                behind.append(trouble)

        conn = open_database(path / DATABASE_NAME, data_key, before_migrate=check)
        vault = cls(path, Database(conn, path / DATABASE_NAME, data_key), key_file, data_key, on_change)
        vault.notices = notices
        vault._behind = behind[0] if behind else None
        vault._seen_head = known[0] if known else None
        if vault._behind is None:
            problem = key_file.integrity_problem(data_key)
            if problem:
                vault.notices.append(problem)
            elif key_file.version < keys.KEY_FILE_VERSION:
                vault._upgrade_key_file()
            vault._remember_seen()
        from app.vault.cloud import warning_once

        if cloud := warning_once(path):
            vault.notices.append(cloud)
        return vault

    def _upgrade_key_file(self) -> None:
        """A version 1 key file gets its MAC and slot checksums (the slots stay as they are),
        unless another process changed the file since it was read."""
        path = self.path / KEY_FILE_NAME
        try:
            if path.read_bytes() == self._key_file.raw:
                self._key_file.save(path, bytes(self._data_key))
        except OSError:
            pass  # a read-only folder: it stays version 1, still readable

    # -- what this computer last saw (app/vault/seen.py) -------------------------

    def _remember_seen(self, conn: Connection | None = None) -> None:
        """Write the ledger's head to vault.seen (never ahead of a durable commit)."""
        if self._behind is not None or self._read_only or not self._db.is_open:
            return
        if conn is None:
            with self._db.read() as reader:
                head = ledger.head(reader)
        else:
            head = ledger.head(conn)
        if head == self._seen_head:
            return  # unchanged: opening and locking an untouched vault write nothing
        try:
            seen.write(
                self.path, seen.Seen(self.vault_id, head.count, head.hash, utc_text(now_utc())), bytes(self._data_key)
            )
        except OSError:
            return  # a full disk or a read-only folder must not fail the commit that came first
        self._seen_at = time.monotonic()
        self._seen_head = head

    def _after_commit(self, conn: Connection) -> None:
        if time.monotonic() - self._seen_at >= seen.INTERVAL_S:
            # The commit has happened: nothing here may make it look as if it had failed.
            with contextlib.suppress(CasefileError, OSError, DatabaseError):
                self._remember_seen(conn)

    @property
    def behind(self) -> str | None:
        """The sentence when the ledger is behind what this computer last saw (opened with
        ``check_seen=False``), else None."""
        return self._behind

    def accept_as_found(self) -> ledger.Event:
        """Accept a record that is behind what this computer last saw (no backup holds the
        lost events): the ledger itself says so, then the record of the last state seen
        starts again from here. One transaction, one event on ``vault:ID``."""
        if self._behind is None:
            raise InvalidInput("The record is not behind what this computer last saw; there is nothing to accept.")
        last = seen.read(self.path, bytes(self._data_key), self.vault_id)
        lost = {"seen_count": last.count, "seen_head": last.head} if isinstance(last, seen.Seen) else {}
        with self._db.write() as conn:
            found = ledger.head(conn)
            event = ledger.append(
                conn, "vault.loss_accepted", f"vault:{self.vault_id}", {**lost, "found_count": found.count}
            )
        self._behind = None
        self._remember_seen()
        return event

    def idle(self) -> None:
        """The app went idle: move committed pages into vault.db, note the head."""
        if self._behind is None:
            self._db.checkpoint()
            self._remember_seen()

    def lock(self) -> None:
        """Close the database and forget the key. Safe to call twice."""
        if self._db.is_open and self._behind is None and not self._read_only:
            # Committed data reaches vault.db now, not at some later checkpoint; a failure
            # here (disk full, another process reading) must not keep the vault open.
            with contextlib.suppress(CasefileError, OSError, DatabaseError):
                self.idle()
        self._db.close()
        for i in range(len(self._data_key)):
            self._data_key[i] = 0

    close = lock

    @property
    def is_open(self) -> bool:
        return self._db.is_open

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()

    def _require_open(self) -> None:
        _ = self._db.conn  # raises VaultLocked once the vault is locked

    @property
    def vault_id(self) -> str:
        return self._key_file.vault_id

    # -- keys --------------------------------------------------------------

    def change_passphrase(self, new_passphrase: str, *, kdf: keys.Argon2Params | None = None) -> None:
        """Rewrap the data key under a new passphrase: constant time at any vault size."""
        check_new_passphrase(new_passphrase)
        self._require_open()
        self._key_file.set_passphrase(bytes(self._data_key), new_passphrase, kdf or keys.calibrate())
        self._key_file.save(self.path / KEY_FILE_NAME, bytes(self._data_key))
        with self._db.write() as conn:
            ledger.append(conn, "vault.passphrase_changed", f"vault:{self.vault_id}", {})

    def new_recovery_key(self) -> str:
        """Replace the recovery key (the old one stops working). Returns the new one."""
        self._require_open()
        recovery_key = keys.new_recovery_key()
        self._key_file.set_recovery(bytes(self._data_key), recovery_key)
        self._key_file.save(self.path / KEY_FILE_NAME, bytes(self._data_key))
        with self._db.write() as conn:
            ledger.append(conn, "vault.recovery_key_replaced", f"vault:{self.vault_id}", {})
        return recovery_key

    # -- the record as a whole -----------------------------------------------

    def search(self, text: str, *, client_id: int | None = None, limit: int = 50, offset: int = 0) -> list[SearchHit]:
        from app.search import search

        with self._db.read() as conn:
            return search(conn, text, client_id=client_id, limit=limit, offset=offset)

    def search_pages(
        self,
        text: str,
        *,
        limit: int = 200,
        page: int = 25,
        cancelled: Callable[[], bool] | None = None,
    ) -> Iterator[list[SearchHit]]:
        """The same ranked hits as ``search``, ``page`` at a time from one read (for a
        window that shows the first ones at once); stops with SearchCancelled when
        ``cancelled()`` turns true."""
        from app.search import iter_search

        with self._db.read() as conn:
            yield from iter_search(conn, text, limit=limit, page=page, cancelled=cancelled)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read made on this thread inside the block sees the vault as of one moment
        (one read transaction on this thread's read connection): a client's entry count and
        its newest ids read apart could straddle a commit made in between."""
        with self._db.read():
            yield

    def data_version(self) -> int:
        """A number that changes when another connection (another Casefile process, or this
        process's writer) commits: one tiny read on the calling thread's read connection,
        cheap enough to poll from the GUI's timer."""
        return self._db.data_version

    def head(self) -> ledger.Head:
        with self._db.read() as conn:
            return ledger.head(conn)

    def seal(self) -> str:
        return ledger.format_seal(self.head())

    def verify(self, *, seal: str | None = None, progress: Callable[[str], None] | None = None):  # type: ignore[no-untyped-def]
        from app.verify import verify

        parsed = ledger.parse_seal(seal) if seal else None
        with self._db.fresh_read() as conn:
            report = verify(conn, seal=parsed, progress=progress)
            # The vault folder's own checks come first: they say what to do now.
            report.problems[:0] = self._folder_problems(conn)
        return report

    def _folder_problems(self, conn: Connection) -> list[str]:
        """What the database alone cannot show: a ledger behind what this computer last saw,
        a key file that is not as Casefile wrote it."""
        problems = []
        if self._behind is not None:
            problems.append(self._behind)
        else:
            last = seen.read(self.path, bytes(self._data_key), self.vault_id)
            if isinstance(last, seen.Seen) and (trouble := seen.problem(conn, last)):
                problems.append(trouble)
        try:
            on_disk = keys.KeyFile.load(self.path / KEY_FILE_NAME)
            trouble = on_disk.integrity_problem(bytes(self._data_key))
            if on_disk.vault_id != self.vault_id:
                trouble = "The key file in the vault folder belongs to another vault."
        except CasefileError as error:
            trouble = str(error)
        if trouble:
            problems.append(trouble)
        return problems

    def record_event(self, action: str, subject: str, payload: dict[str, Any]) -> ledger.Event:
        """Append a ledger event that changes no row (e.g. an export)."""
        with self._db.write() as conn:
            return ledger.append(conn, action, subject, payload)

    def events(self, after: int = 0) -> list[ledger.Event]:
        with self._db.read() as conn:
            return list(ledger.events(conn, after=after))

    @property
    def db(self) -> Database:
        """For the core's own modules (ingest, dossier); the GUI must not use it."""
        return self._db

    # -- backup and restore ------------------------------------------------

    def backup(self, dest: Path) -> Path:
        """An encrypted copy (SQLite backup API + key file), assembled under a temporary
        name, verified, then renamed into place (app/vault/backups.py)."""
        from app.vault.backups import write_backup

        self._require_open()
        return write_backup(self._db, self.path, self._key_file, bytes(self._data_key), Path(dest))

    @staticmethod
    def restore(src: Path, dest: Path, passphrase: str) -> Path:
        """Restore a backup folder to ``dest`` (a new or empty folder), verified. The backup
        is opened read-only and immutable: restoring never changes it (app/vault/backups.py)."""
        from app.vault.backups import restore_backup

        return restore_backup(Path(src), Path(dest), passphrase)
