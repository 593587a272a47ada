"""Backups that happen by themselves: atomic, verified, rotated, checked without touching."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.main import run_cli
from app.errors import CasefileError, InvalidInput, VaultExists
from app.vault import Vault
from app.vault import backups as backups_module
from app.vault.backups import (
    AUTO_RE,
    BackupDestinationMissing,
    auto_backup,
    auto_name,
    backup_status,
    check_backup,
    list_backups,
)
from tests.conftest import PASSPHRASE
from tests.helpers.disks import small_tmpfs

T0 = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def _snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every path under ``folder`` with its content hash, mtime and mode."""
    seen: dict[str, tuple[str, int, int]] = {}
    for path in sorted([folder, *folder.rglob("*")]):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        seen[str(path.relative_to(folder))] = (digest, info.st_mtime_ns, info.st_mode)
    return seen


def _cli(vault: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    os.environ["CASEFILE_VAULT"] = str(vault)
    os.environ["CASEFILE_PASSPHRASE_FILE"] = str(passphrase_file)
    code = run_cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def filled(vault: Vault) -> Vault:
    client = vault.clients.add("Gerald Whitmore")
    from app.records.models import EntryFields

    entry = vault.entries.log(client.id, EntryFields("call", T0, "Shouted at the crew", "He would not pay."))
    vault.attachments.add_stream(entry.id, io.BytesIO(os.urandom(200_000)), "photo.bin")
    return vault


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFILE_VAULT", "")
    monkeypatch.setenv("CASEFILE_PASSPHRASE_FILE", "")


# -- one backup: temporary name, verified, renamed -------------------------------------------


def test_a_backup_becomes_a_vault_only_after_it_verified(
    filled: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "usb" / "backup"
    during: list[list[str]] = []
    real_check = backups_module.check_copy

    def watching_check(folder: Path, *args: object, **kwargs: object) -> None:
        during.append(sorted(p.name for p in dest.parent.iterdir()) + sorted(p.name for p in folder.iterdir()))
        real_check(folder, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backups_module, "check_copy", watching_check)
    assert filled.backup(dest) == dest
    partial = f".backup.casefile-partial-{os.getpid()}"
    # While it was being checked: no folder named "backup", and the copy had no vault.key yet.
    assert during == [[partial, "vault.db", "vault.key.partial"]]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["backup"]
    assert sorted(p.name for p in dest.iterdir()) == ["vault.db", "vault.key"]
    with Vault.open(dest, PASSPHRASE) as copy:
        assert copy.verify().ok and copy.head() == filled.head()


def test_a_copy_that_fails_verification_leaves_nothing(
    filled: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.errors import VerificationFailed

    def failing_check(folder: Path, *args: object, **kwargs: object) -> None:
        raise VerificationFailed(f"The copy at {folder} failed verification: page 3")

    monkeypatch.setattr(backups_module, "check_copy", failing_check)
    with pytest.raises(VerificationFailed):
        filled.backup(tmp_path / "usb" / "backup")
    assert list((tmp_path / "usb").iterdir()) == []


def test_a_killed_backups_partial_folder_is_removed_by_the_next_and_nothing_else(filled: Vault, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = usb / f".casefile-backup-0000.casefile-partial-{dead.pid}"
    live = usb / f".casefile-backup-1111.casefile-partial-{os.getppid()}"  # a writer still running
    for folder in (stale, live):
        folder.mkdir()
        (folder / "vault.db").write_bytes(b"half")
    (usb / ".hidden-notes").mkdir()
    (usb / "my file.txt").write_text("mine")
    filled.backup(usb / "today")
    assert not stale.exists()
    assert live.exists() and (usb / ".hidden-notes").is_dir() and (usb / "my file.txt").read_text() == "mine"


def test_a_backup_never_writes_into_a_folder_that_holds_something(filled: Vault, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "a.txt").write_text("x")
    with pytest.raises(VaultExists):
        filled.backup(taken)
    assert [p.name for p in taken.iterdir()] == ["a.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert filled.backup(empty) == empty and (empty / "vault.key").is_file()


# -- the restore drill -----------------------------------------------------------------------


def test_restore_check_verifies_and_touches_nothing(
    filled: Vault, tmp_path: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = filled.backup(tmp_path / "backup")
    os.utime(backup / "vault.db", (1_700_000_000, 1_700_000_000))
    before = _snapshot(backup)
    code, out, err = _cli(tmp_path / "nowhere", passphrase_file, capsys, "restore", "--check", str(backup))
    assert code == 0, err
    head = filled.head()
    assert f"Chain head: {head.hash} ({head.count} events)" in out
    assert f"Seal: {filled.seal()}" in out and "Last event: 2" in out
    assert _snapshot(backup) == before  # same files, bytes, mtimes and modes: no -wal, no -shm
    assert not (tmp_path / "nowhere").exists()


def test_restore_check_of_a_damaged_backup_says_so_in_one_line_and_changes_nothing(
    filled: Vault, tmp_path: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = filled.backup(tmp_path / "backup")
    data = bytearray((backup / "vault.db").read_bytes())
    data[len(data) // 2] ^= 0x40
    (backup / "vault.db").write_bytes(bytes(data))
    before = _snapshot(backup)
    code, out, err = _cli(tmp_path / "nowhere", passphrase_file, capsys, "restore", "--check", str(backup))
    assert code in (1, 3) and len(err.splitlines()) == 1 and "unexpected" not in err, err
    assert "OK" not in out
    assert _snapshot(backup) == before
    code, _out, err = _cli(tmp_path / "nowhere", passphrase_file, capsys, "restore", "--check", str(tmp_path / "no"))
    assert code == 1 and len(err.splitlines()) == 1


def test_restore_reads_the_backup_immutable_and_changes_nothing_in_it(
    filled: Vault, tmp_path: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A restore opens its source as the drill does: no lock, no -wal/-shm, no record of the
    last state seen, no key-file upgrade; the backup is byte for byte what it was."""
    backup = filled.backup(tmp_path / "backup")
    os.utime(backup / "vault.db", (1_700_000_000, 1_700_000_000))
    os.utime(backup / "vault.key", (1_700_000_000, 1_700_000_000))
    before = _snapshot(backup)
    restored = Vault.restore(backup, tmp_path / "restored", PASSPHRASE)
    assert _snapshot(backup) == before
    code, out, err = _cli(tmp_path / "again", passphrase_file, capsys, "restore", str(backup))
    assert code == 0 and "verified" in out, err
    assert _snapshot(backup) == before  # same names (no vault.seen, -wal, -shm), bytes, mtimes, modes
    for copy in (restored, tmp_path / "again"):
        with Vault.open(copy, PASSPHRASE) as vault:
            assert vault.verify().ok and vault.head() == filled.head()


def test_restore_refuses_a_vault_in_use_and_a_damaged_backup_in_one_line(
    filled: Vault, vault_path: Path, tmp_path: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The open vault's commits are in its -wal, which an immutable open would not see.
    assert (vault_path / "vault.db-wal").stat().st_size > 0
    code, _out, err = _cli(tmp_path / "restored", passphrase_file, capsys, "restore", str(vault_path))
    assert code == 1 and len(err.splitlines()) == 1 and "in use" in err and "unexpected" not in err, err
    assert not (tmp_path / "restored").exists()
    backup = filled.backup(tmp_path / "backup")
    data = bytearray((backup / "vault.db").read_bytes())
    data[len(data) // 2] ^= 0x40
    (backup / "vault.db").write_bytes(bytes(data))
    before = _snapshot(backup)
    code, _out, err = _cli(tmp_path / "restored", passphrase_file, capsys, "restore", str(backup))
    assert code in (1, 3) and len(err.splitlines()) == 1 and "unexpected" not in err, err
    assert _snapshot(backup) == before
    assert not (tmp_path / "restored").exists() and not list(tmp_path.glob(".restored.casefile-partial-*"))


# -- rotation ---------------------------------------------------------------------------------


def test_rotation_keeps_the_last_n_and_one_per_month_and_only_its_own_names(filled: Vault, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    first = auto_backup(filled, usb, keep=5, now=T0).written
    assert AUTO_RE.match(first.name) and first.name.endswith("20260310T093000Z")
    # Ninety earlier days of backups (copies of a real one), then things that are not ours.
    for day in range(1, 91):
        shutil.copytree(first, usb / auto_name(filled.vault_id, T0 - timedelta(days=day)))
    other_vault = usb / "casefile-backup-0badc0de-20251201T000000Z"
    shutil.copytree(first, other_vault)
    outside = tmp_path / "elsewhere"
    shutil.copytree(first, outside)
    link = usb / auto_name(filled.vault_id, T0 - timedelta(days=400))
    link.symlink_to(outside)
    (usb / "casefile-backup-notes.txt").write_text("mine")

    result = auto_backup(filled, usb, keep=5, now=T0 + timedelta(days=1))
    stamps = [at for at, _ in list_backups(usb, filled.vault_id)]
    last_five = [T0 + timedelta(days=1) - timedelta(days=d) for d in range(4, -1, -1)]
    # newest of each earlier month: Dec 10 (the first day in range), Dec 31, Jan 31, Feb 28
    months = [datetime(2025, 12, 31, 9, 30, tzinfo=UTC), datetime(2026, 1, 31, 9, 30, tzinfo=UTC)]
    months.append(datetime(2026, 2, 28, 9, 30, tzinfo=UTC))
    assert stamps == months + last_five
    assert result.kept == 8 and len(result.removed) == 91 - 8 + 1
    assert other_vault.is_dir() and link.is_symlink() and (outside / "vault.db").is_file()
    assert (usb / "casefile-backup-notes.txt").read_text() == "mine"
    assert not [p for p in usb.iterdir() if p.name.startswith(".")]
    for _, folder in list_backups(usb, filled.vault_id)[-2:]:
        assert check_backup(folder, PASSPHRASE).report.ok


def test_rotation_never_removes_the_copy_it_just_wrote_even_if_the_clock_went_back(
    filled: Vault, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    future = auto_backup(filled, usb, keep=1, now=T0 + timedelta(days=30)).written
    result = auto_backup(filled, usb, keep=1, now=T0)
    assert result.written.is_dir() and future.is_dir()  # the newest by name, and the newest written
    again = auto_backup(filled, usb, keep=1, now=T0)  # the same second: a distinct name
    assert again.written != result.written and again.written.is_dir()


def test_backup_auto_from_the_cli_uses_the_vault_setting(
    filled: Vault, tmp_path: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    path = filled.path
    code, _out, err = _cli(path, passphrase_file, capsys, "backup", "--auto")
    assert code == 1 and err.startswith("casefile: No backup folder is set") and len(err.splitlines()) == 1
    filled.settings.set("backup_folder", str(usb))
    filled.settings.set("backup_keep", "2")
    for _ in range(3):
        code, out, err = _cli(path, passphrase_file, capsys, "backup", "--auto")
        assert code == 0 and out.startswith("Backup written and verified: "), err
    assert len(list_backups(usb, filled.vault_id)) == 2
    for bad in (["--keep", "0"], ["--keep", "many"], ["--keep", "10" * 30]):
        code, _out, err = _cli(path, passphrase_file, capsys, "backup", "--auto", *bad)
        assert code == 1 and len(err.splitlines()) == 1, err
        assert "between 1 and" in err or "whole number" in err, err
    code, _out, err = _cli(path, passphrase_file, capsys, "backup")
    assert code == 1 and "Say where the backup goes" in err
    assert filled.verify().ok


def test_a_missing_destination_is_one_line_creates_nothing_and_is_shown(
    filled: Vault, tmp_path: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = tmp_path / "unplugged" / "Backups"
    with pytest.raises(BackupDestinationMissing, match="is not there"):
        auto_backup(filled, gone)
    code, _out, err = _cli(filled.path, passphrase_file, capsys, "backup", "--auto", str(gone))
    assert code == 1 and len(err.splitlines()) == 1 and "is not there" in err
    assert not (tmp_path / "unplugged").exists()
    filled.settings.set("backup_folder", str(gone))
    status = backup_status(filled)
    assert status.missing and not status.due(T0)
    assert "is not there" in (status.warning(T0) or "")


def test_status_says_when_the_last_verified_backup_was_and_warns_after_a_week(filled: Vault, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    assert backup_status(filled).warning(T0) is None  # not set up: nothing to warn about
    filled.settings.set("backup_folder", str(usb))
    status = backup_status(filled)
    assert status.due(T0) and "No verified backup" in (status.warning(T0) or "")
    auto_backup(filled, now=T0)
    status = backup_status(filled)
    assert status.last == T0 and status.text().startswith("Last verified backup: ")
    assert not status.due(T0 + timedelta(hours=23)) and status.due(T0 + timedelta(days=1))
    assert status.warning(T0 + timedelta(days=7)) is None
    assert "8 days old" in (status.warning(T0 + timedelta(days=8)) or "")


def test_keep_setting_is_checked(filled: Vault) -> None:
    from app.vault.backups import configured_keep, parse_keep

    assert configured_keep(filled) == 14
    with pytest.raises(InvalidInput):
        parse_keep("-3")
    filled.settings.set("backup_keep", "nonsense")
    assert configured_keep(filled) == 14  # a bad stored value falls back, it never stops backups


# -- disk full at the destination, kill -9 ------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs (tests/helpers/disks.py)."""
    with small_tmpfs(tmp_path, 8) as mount:
        yield mount


def test_disk_full_at_the_destination_keeps_earlier_backups_and_says_so(
    filled: Vault, small_disk: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = auto_backup(filled, small_disk, now=T0).written
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * max(0, free - 100_000))
    code, _out, err = _cli(filled.path, passphrase_file, capsys, "backup", "--auto", str(small_disk))
    assert code == 1 and len(err.splitlines()) == 1, err
    assert err.startswith(f"casefile: Not enough disk space in {small_disk} to write the backup casefile-backup-")
    assert sorted(p.name for p in small_disk.iterdir()) == sorted([earlier.name, "filler"])
    assert check_backup(earlier, PASSPHRASE).report.ok and filled.verify().ok
    filler.unlink()
    code, _out, err = _cli(filled.path, passphrase_file, capsys, "backup", "--auto", str(small_disk))
    assert code == 0, err
    assert len(list_backups(small_disk, filled.vault_id)) == 2


def test_kill_during_automatic_backups_leaves_every_earlier_backup_verifying(filled: Vault, tmp_path: Path) -> None:
    from tests.helpers.crash import backup_trials

    first = filled.clients.list()[0]
    from app.records.models import EntryFields

    big = filled.entries.log(first.id, EntryFields("note", T0, "Scans", ""))
    for n in range(4):
        filled.attachments.add_stream(big.id, io.BytesIO(os.urandom(1_000_000)), f"scan{n}.bin")
    usb = tmp_path / "usb"
    usb.mkdir()
    # One backup before any kill: on a loaded machine a child may be killed before its
    # first backup ends (max 1.2 s), and "every earlier backup" must not be an empty set.
    auto_backup(filled, usb, keep=3, now=datetime(2025, 12, 1, tzinfo=UTC))
    path, vault_id = filled.path, filled.vault_id
    filled.lock()
    backup_trials(path, PASSPHRASE, usb, trials=3)  # checks every backup left after each kill
    assert list_backups(usb, vault_id)  # the earlier one, or newer ones that rotated it out
    with Vault.open(path, PASSPHRASE) as vault:
        auto_backup(vault, usb, keep=3)
        assert not [p for p in usb.iterdir() if p.name.startswith(".")]  # the next run cleaned up


def test_backup_errors_are_casefile_errors(filled: Vault, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CasefileError):
        filled.backup(blocker / "under")
