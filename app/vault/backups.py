"""Backups: assembled under a temporary name, verified, then renamed into place; rotated.

A backup is a vault folder (``vault.db`` copied with the SQLite backup API, plus the key
file). It is written as ``.NAME.casefile-partial-PID`` next to its final name, with the key
file still called ``vault.key.partial``; only once the copy verifies is the key renamed
and the folder renamed to NAME (each rename fsynced with its directory). So a backup
killed at any instant leaves either nothing, or a hidden partial folder that is not a
vault and that the next backup into that folder removes — never a folder that looks like
a finished backup.

Automatic backups (``auto_backup``, the Settings → Backups tab, ``casefile backup --auto``)
go into the vault setting ``backup_folder`` under dated names
``casefile-backup-<vault id prefix>-<UTC time>``; rotation keeps the newest ``backup_keep``
(default 14) plus the newest of each month, never the copy it just wrote, and never touches
anything whose name it did not make (other vaults' backups, the owner's own files).

A backup is not a change of the record: it appends no ledger event. Its time is its
folder name, so the last verified backup is read from the destination itself.

``check_backup`` is the restore drill: it opens a backup immutable (no lock, no -wal or
-shm, nothing written), verifies it and reports its ledger head and last event.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import CasefileError, DiskFull, InvalidInput, VaultExists, VaultNotFound, disk_full_message
from app.vault.store import DATABASE_NAME, KEY_FILE_NAME, DatabaseError, is_disk_full, open_database

if TYPE_CHECKING:
    from collections.abc import Callable
    from sqlite3 import Connection

    from app import ledger
    from app.vault import keys
    from app.vault.db import Database
    from app.vault.vault import Vault
    from app.verify import VerifyReport

BACKUP_STEP_PAGES = 256  # 1 MiB of 4 KiB pages
KEY_PARTIAL_NAME = KEY_FILE_NAME + ".partial"
PARTIAL_RE = re.compile(r"^\.(?P<name>.+)\.casefile-partial-(?P<pid>\d+)$")
AUTO_PREFIX = "casefile-backup-"
AUTO_RE = re.compile(r"^casefile-backup-(?P<vault>[0-9a-f]{8})-(?P<stamp>\d{8}T\d{6}Z)$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
DEFAULT_KEEP = 14
MAX_KEEP = 1000
STALE_PARTIAL_WINDOWS = timedelta(hours=6)  # no pid check there (os.kill would terminate)
WARN_AFTER = timedelta(days=7)
DUE_AFTER = timedelta(days=1)


class BackupDestinationMissing(CasefileError):
    """The backup folder is not there (an unplugged drive, an unmounted share)."""


def _between_backup_steps(_status: int, _remaining: int, _total: int) -> None:
    pass


# -- one backup, atomically --------------------------------------------------------------


def partial_folder(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.casefile-partial-{os.getpid()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the partial folders that killed backups left in ``folder`` (only those: the
    name must match ours, it must be a real folder, and its writer must be gone)."""
    removed: list[Path] = []
    try:
        children = list(folder.iterdir())
    except OSError:
        return removed
    for child in children:
        match = PARTIAL_RE.match(child.name)
        if not match or child.is_symlink() or not child.is_dir():
            continue
        pid = int(match["pid"])
        if sys.platform == "win32":
            stale = time.time() - child.stat().st_mtime > STALE_PARTIAL_WINDOWS.total_seconds()
        else:
            stale = pid != os.getpid() and not _pid_alive(pid)
        if stale:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


def write_backup(db: Database, vault_path: Path, key_file: keys.KeyFile, data_key: bytes, dest: Path) -> Path:
    """Write a verified copy of the open vault to ``dest`` (new, or an empty folder)."""

    def copy(target: Connection) -> None:
        with db.read() as conn:
            # One read snapshot (writers go on meanwhile), copied 1 MiB per step; the
            # progress callback between steps lets other threads (the GUI) take the GIL.
            conn.execute("SELECT count(*) FROM meta").fetchone()
            conn.backup(target, pages=BACKUP_STEP_PAGES, progress=_between_backup_steps)

    need = (vault_path / DATABASE_NAME).stat().st_size
    return _assemble(copy, vault_path / KEY_FILE_NAME, key_file, data_key, Path(dest), need, "backup")


def restore_backup(src: Path, dest: Path, passphrase: str) -> Path:
    """Copy the backup ``src`` to ``dest`` (new, or an empty folder) as a verified vault.

    The backup is opened read-only and immutable, as by ``check_backup``: no lock, no
    -wal/-shm, no migration, no record of the last state seen, no key-file upgrade — a
    restore never changes the copy it reads (the copy in ``dest`` is migrated, if it must
    be, when it is checked). The same sentence as a backup when the disk is full.
    """
    from app.errors import VerificationFailed

    src, dest = Path(src), Path(dest)
    key_file, data_key, conn = _open_backup(src, passphrase)
    try:
        report = _verify_backup(conn, src, key_file)
        if not report.ok:
            raise VerificationFailed(f"The backup at {src} fails verification: {report.first_break}")
        if problem := key_file.integrity_problem(data_key):
            raise VerificationFailed(f"The backup at {src} fails verification: {problem}")

        def copy(target: Connection) -> None:
            conn.backup(target, pages=BACKUP_STEP_PAGES, progress=_between_backup_steps)

        need = (src / DATABASE_NAME).stat().st_size
        return _assemble(copy, src / KEY_FILE_NAME, key_file, data_key, dest, need, "restore", source=src)
    finally:
        conn.close()


def _assemble(
    copy: Callable[[Connection], None],
    key_src: Path,
    key_file: keys.KeyFile,
    data_key: bytes,
    dest: Path,
    need: int,
    what: str,
    *,
    source: Path | None = None,
) -> Path:
    """Build ``dest`` under a hidden partial name (``copy`` fills its database), verify it,
    then rename it into place. ``what`` is "backup" or "restore" (for the sentences)."""
    from app.vault.fsutil import fsync_dir

    if dest.exists() or dest.is_symlink():
        if not dest.is_dir() or dest.is_symlink():
            raise VaultExists(f"{dest} exists and is not a folder.")
        if any(dest.iterdir()):
            into = "for the backup" if what == "backup" else "to restore into"
            raise VaultExists(f"{dest} is not empty; choose a new folder {into}.")
    tmp = partial_folder(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        remove_stale_partials(dest.parent)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(mode=0o700)
        os.chmod(tmp, 0o700)  # whatever the umask
        target = open_database(tmp / DATABASE_NAME, data_key, create=True)
        try:
            copy(target)
            # Checkpoint through a statement (which lets go of the GIL): closing the
            # connection would do it while holding the GIL, stalling the GUI.
            target.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            target.close()
        _copy_private(key_src, tmp / KEY_PARTIAL_NAME)
        for child in tmp.iterdir():
            _fsync_file(child)
        check_copy(tmp, data_key, key_file, key_name=KEY_PARTIAL_NAME)
        # Only now does it become a vault, then a backup under its real name.
        os.replace(tmp / KEY_PARTIAL_NAME, tmp / KEY_FILE_NAME)
        fsync_dir(tmp)
        if dest.is_dir():
            dest.rmdir()  # the empty folder the caller chose
        os.rename(tmp, dest)
        fsync_dir(dest.parent)
    except (OSError, DatabaseError, DiskFull) as error:
        shutil.rmtree(tmp, ignore_errors=True)
        action = f"write the backup {dest.name}" if source is None else f"restore the backup {source.name}"
        if isinstance(error, DiskFull) or is_disk_full(error):
            raise DiskFull(disk_full_message(dest.parent, action, need)) from None
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        done = "written" if what == "backup" else "restored"
        raise CasefileError(f"The backup could not be {done} ({reason}); nothing was kept.") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _copy_private(src: Path, dst: Path) -> None:
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, src.open("rb") as source:
        shutil.copyfileobj(source, out)
    os.chmod(dst, 0o600)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def check_copy(folder: Path, data_key: bytes, key_file: keys.KeyFile, *, key_name: str = KEY_FILE_NAME) -> None:
    from app.errors import VerificationFailed
    from app.vault import keys
    from app.verify import verify

    conn = open_database(folder / DATABASE_NAME, data_key)
    try:
        report = verify(conn)
    finally:
        conn.close()
    if not report.ok:
        raise VerificationFailed(f"The copy at {folder} failed verification: {report.first_break}")
    if keys.KeyFile.load(folder / key_name).vault_id != key_file.vault_id:
        raise VerificationFailed("The copied key file does not match the vault.")


# -- the restore drill ---------------------------------------------------------------------


@dataclass(frozen=True)
class BackupCheck:
    folder: Path
    report: VerifyReport
    head: ledger.Head
    last_event_at: str  # the ledger's last event time (UTC text), "" for an empty ledger
    vault_id: str


def check_backup(folder: Path, passphrase: str) -> BackupCheck:
    """Open a backup read-only and immutable, verify it, and say what state it holds.

    Nothing in ``folder`` is created or changed: no lock, no -wal/-shm, no migration.
    """
    folder = Path(folder)
    key_file, _data_key, conn = _open_backup(folder, passphrase)
    try:
        report = _verify_backup(conn, folder, key_file)
        try:
            row = conn.execute("SELECT at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        except DatabaseError as error:
            from app.vault.store import corrupt_error

            raise corrupt_error(error) from None
    finally:
        conn.close()
    return BackupCheck(folder, report, report.head, str(row[0]) if row else "", key_file.vault_id)


def _open_backup(folder: Path, passphrase: str) -> tuple[keys.KeyFile, bytes, Connection]:
    """The key file, the data key and an immutable read-only connection to a backup
    (nothing in ``folder`` is created or changed)."""
    from app.vault import keys

    if not folder.is_dir():
        raise VaultNotFound(f"There is no backup at {folder}.")
    if not (folder / KEY_FILE_NAME).is_file() or not (folder / DATABASE_NAME).exists():
        raise VaultNotFound(f"{folder} is not a Casefile backup (no {KEY_FILE_NAME} and {DATABASE_NAME}).")
    wal = folder / (DATABASE_NAME + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        # An immutable open would not see what that log holds: this is an open vault, not a backup.
        raise InvalidInput(
            f"{folder} is a vault in use (it has a {wal.name}), not a backup: close Casefile there, or make a backup"
            " of it with `casefile backup`."
        )
    key_file = keys.KeyFile.load(folder / KEY_FILE_NAME)
    data_key = key_file.unwrap_with_passphrase(passphrase)
    return key_file, data_key, open_database(folder / DATABASE_NAME, data_key, readonly=True, immutable=True)


def _verify_backup(conn: Connection, folder: Path, key_file: keys.KeyFile) -> VerifyReport:
    from app.errors import CorruptVault
    from app.verify import verify

    try:
        report = verify(conn)
        stored_id = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
    except DatabaseError as error:
        from app.vault.store import corrupt_error

        raise corrupt_error(error) from None
    if stored_id is None or stored_id[0] != key_file.vault_id:
        raise CorruptVault(f"The key file in {folder} belongs to a different vault than its database.")
    return report


# -- automatic, rotated backups -------------------------------------------------------------


@dataclass(frozen=True)
class AutoBackup:
    written: Path
    removed: list[Path] = field(default_factory=list)
    kept: int = 0

    def line(self) -> str:
        gone = f", removed {len(self.removed)} older" if self.removed else ""
        return f"Backup written and verified: {self.written} ({self.kept} kept{gone})."


def auto_name(vault_id: str, at: datetime) -> str:
    return f"{AUTO_PREFIX}{vault_id.replace('-', '')[:8].lower()}-{at.astimezone(UTC).strftime(STAMP_FORMAT)}"


def list_backups(dest: Path, vault_id: str) -> list[tuple[datetime, Path]]:
    """This vault's finished automatic backups in ``dest``, oldest first (by their names)."""
    prefix = vault_id.replace("-", "")[:8].lower()
    found: list[tuple[datetime, Path]] = []
    try:
        children = list(Path(dest).iterdir())
    except OSError:
        return found
    for child in children:
        match = AUTO_RE.match(child.name)
        if not match or match["vault"] != prefix or child.is_symlink() or not child.is_dir():
            continue
        try:
            at = datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append((at, child))
    found.sort()
    return found


def to_keep(backups: list[tuple[datetime, Path]], keep: int) -> set[Path]:
    """The newest ``keep`` plus the newest of each calendar month (UTC)."""
    kept = {path for _, path in backups[-keep:]} if keep > 0 else set()
    newest_of_month: dict[str, Path] = {}
    for at, path in backups:  # oldest first: the last one seen in a month wins
        newest_of_month[at.strftime("%Y-%m")] = path
    return kept | set(newest_of_month.values())


def rotate(dest: Path, vault_id: str, keep: int, *, newest: Path | None = None) -> list[Path]:
    """Remove this vault's automatic backups beyond the retention; never ``newest``."""
    backups = list_backups(dest, vault_id)
    keeping = to_keep(backups, keep)
    if newest is not None:
        keeping.add(newest)
    elif backups:
        keeping.add(backups[-1][1])
    removed = []
    for _, path in backups:
        if path not in keeping:
            # Renamed out of the pattern first (one atomic step), then deleted: a kill
            # mid-delete leaves a hidden partial folder the next run removes, never a
            # half-deleted folder under a backup's name.
            doomed = partial_folder(path)
            try:
                os.rename(path, doomed)
            except OSError:
                continue
            shutil.rmtree(doomed, ignore_errors=True)
            removed.append(path)
    return removed


def configured_folder(vault: Vault) -> Path | None:
    value = vault.settings.get("backup_folder").strip()
    return Path(value).expanduser() if value else None


def configured_keep(vault: Vault) -> int:
    try:
        return parse_keep(vault.settings.get("backup_keep"))
    except InvalidInput:
        return DEFAULT_KEEP


def parse_keep(value: str | int) -> int:
    try:
        keep = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"The number of backups to keep must be a whole number, not {str(value)[:40]!r}.") from None
    if not 1 <= keep <= MAX_KEEP:
        raise InvalidInput(f"The number of backups to keep must be between 1 and {MAX_KEEP}.")
    return keep


def auto_backup(
    vault: Vault, dest: Path | None = None, *, keep: int | None = None, now: datetime | None = None
) -> AutoBackup:
    """Write today's verified backup under a dated name into ``dest`` (default: the vault's
    backup folder), then rotate. The destination must exist: an unplugged drive's mount
    point is not a place to write a backup."""
    from app.records.times import now_utc

    folder = Path(dest).expanduser() if dest is not None else configured_folder(vault)
    if folder is None:
        raise InvalidInput(
            "No backup folder is set: choose one in Settings → Backups, or give it: casefile backup --auto FOLDER."
        )
    if not folder.is_dir():
        raise BackupDestinationMissing(
            f"The backup folder {folder} is not there (is the drive connected?); no backup was made."
        )
    keep = configured_keep(vault) if keep is None else parse_keep(keep)
    at = (now or now_utc()).astimezone(UTC).replace(microsecond=0)
    while (folder / auto_name(vault.vault_id, at)).exists():
        at += timedelta(seconds=1)
    written = vault.backup(folder / auto_name(vault.vault_id, at))
    removed = rotate(folder, vault.vault_id, keep, newest=written)
    return AutoBackup(written, removed, len(list_backups(folder, vault.vault_id)))


# -- status: when was the last one, and should the owner be told ------------------------------


@dataclass(frozen=True)
class BackupStatus:
    folder: Path | None
    last: datetime | None
    missing: bool  # a folder is set but is not there

    def due(self, now: datetime) -> bool:
        """An automatic backup should run (a folder is set and reachable, the last is a day old)."""
        return self.folder is not None and not self.missing and (self.last is None or now - self.last >= DUE_AFTER)

    def warning(self, now: datetime) -> str | None:
        """The status bar's warning, or None when all is well (or backups are not set up)."""
        if self.folder is None:
            return None
        if self.missing:
            return f"The backup folder {self.folder} is not there (is the drive connected?); no backup can be made."
        if self.last is None:
            return f"No verified backup in {self.folder} yet."
        if now - self.last > WARN_AFTER:
            return f"The last verified backup is {(now - self.last).days} days old ({self.folder})."
        return None

    def text(self) -> str:
        if self.folder is None:
            return "Automatic backups are off: choose a folder."
        if self.last is None:
            return "No verified backup yet." if not self.missing else "Backup folder missing"
        local = self.last.astimezone()
        return f"Last verified backup: {local:%Y-%m-%d %H:%M}"


def backup_status(vault: Vault, folder: Path | None = None) -> BackupStatus:
    """The backups in ``folder`` (default: the vault's backup folder setting)."""
    folder = Path(folder) if folder is not None else configured_folder(vault)
    if folder is None:
        return BackupStatus(None, None, False)
    if not folder.is_dir():
        return BackupStatus(folder, None, True)
    backups = list_backups(folder, vault.vault_id)
    return BackupStatus(folder, backups[-1][0] if backups else None, False)


def backup_if_due(vault: Vault, now: datetime | None = None) -> tuple[BackupStatus, AutoBackup | None]:
    """The app's daily round (runs on a worker): back up when the last is a day old."""
    from app.records.times import now_utc

    now = now or now_utc()
    status = backup_status(vault)
    if not status.due(now):
        return status, None
    assert status.folder is not None
    result = auto_backup(vault, status.folder, now=now)
    return backup_status(vault), result
