"""Lost commits are caught: a vanished WAL or an older vault.db copied over the current one
is refused at open (app/vault/seen.py), `verify` says so, and opening a damaged vault
writes nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from app.errors import CasefileError, CorruptVault
from app.records.models import EntryFields
from app.records.times import now_utc
from app.vault import Vault, seen
from tests.conftest import PASSPHRASE
from tests.helpers.cli import CliRunner


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _log(vault: Vault, client_id: int, n: int) -> None:
    for i in range(n):
        vault.entries.log(client_id, EntryFields("call", now_utc(), f"Call {i}", "He shouted."))


@pytest.fixture
def base(vault_path: Path) -> tuple[Path, int]:
    """A locked vault (checkpointed into vault.db) with one client and two calls."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    client = vault.clients.add("Gerald Whitmore")
    _log(vault, client.id, 2)
    vault.lock()
    return vault_path, client.id


def test_a_vanished_wal_is_refused_at_open_and_reported_by_verify(
    base: tuple[Path, int], tmp_path: Path, passphrase_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, client_id = base
    monkeypatch.setattr(seen, "INTERVAL_S", 0.0)  # the record follows every commit
    vault = Vault.open(path, PASSPHRASE)
    before = vault.head().count
    _log(vault, client_id, 5)
    after = vault.head().count
    # A crash now leaves the five calls in vault.db-wal only (committed, not checkpointed):
    # copy the folder as a kill -9 would leave it, then lose the WAL.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in ("vault.db", "vault.db-wal", "vault.key", "vault.seen"):
        shutil.copy2(path / name, crashed / name)
    vault.lock()
    (crashed / "vault.db-wal").unlink()
    files = _digest(crashed)
    with pytest.raises(seen.RolledBack) as info:
        Vault.open(crashed, PASSPHRASE)
    assert str(info.value).startswith(
        f"The record is older than the last one this computer saw: {before} events instead of {after}"
        " — it may have been rolled back or a file was lost"
    )
    assert str(info.value).endswith("restore from a backup.")
    assert _digest(crashed) == files  # the refused open wrote nothing (not even a WAL)
    cli = CliRunner(crashed, passphrase_file, tmp_path)
    result = cli("unlock")
    assert result.code == 1 and len(result.err.splitlines()) == 1 and "older than the last one" in result.err
    result = cli("verify")
    assert result.code == 3, result.err
    assert result.err.splitlines() == [f"casefile: verification failed: {info.value}"]
    assert _digest(crashed) == files


def test_an_older_vault_db_copied_over_is_refused_and_can_be_accepted(
    base: tuple[Path, int], tmp_path: Path, passphrase_file: Path
) -> None:
    path, client_id = base
    shutil.copy2(path / "vault.db", tmp_path / "old.db")
    with Vault.open(path, PASSPHRASE) as vault:
        _log(vault, client_id, 3)
        current = vault.head().count
    shutil.copy2(tmp_path / "old.db", path / "vault.db")
    files = _digest(path)
    with pytest.raises(CorruptVault, match=f"instead of {current}"):
        Vault.open(path, PASSPHRASE)
    assert _digest(path) == files
    # No backup holds the lost calls: the owner accepts the record as found, in the ledger.
    cli = CliRunner(path, passphrase_file, tmp_path)
    result = cli("unlock", "--accept-loss")
    assert result.code == 0, result.err
    assert "vault.loss_accepted" in result.err
    with Vault.open(path, PASSPHRASE) as vault:
        last = vault.events()[-1]
        assert last.action == "vault.loss_accepted" and last.payload["seen_count"] == current
        assert vault.verify().ok
    assert cli("unlock", "--accept-loss").code == 1  # nothing left to accept


def test_a_rewritten_head_is_refused(base: tuple[Path, int], tmp_path: Path) -> None:
    """Another vault.db of the same vault, with as many events but a different history."""
    path, client_id = base
    shutil.copytree(path, tmp_path / "fork")
    with Vault.open(tmp_path / "fork", PASSPHRASE) as fork:
        _log(fork, client_id, 2)
    with Vault.open(path, PASSPHRASE) as vault:
        vault.clients.add("Someone else")
        vault.clients.add("A third")
    shutil.copy2(tmp_path / "fork" / "vault.db", path / "vault.db")
    with pytest.raises(CorruptVault, match="no longer holds the state this computer last saw"):
        Vault.open(path, PASSPHRASE)


def test_lock_unlock_cycles_and_a_restore_pass(base: tuple[Path, int], tmp_path: Path) -> None:
    path, client_id = base
    for _ in range(3):
        with Vault.open(path, PASSPHRASE) as vault:
            _log(vault, client_id, 1)
            head = vault.head()
        record = seen.read(path, _data_key(path), vault.vault_id)
        assert isinstance(record, seen.Seen) and (record.count, record.head) == (head.count, head.hash)
    with Vault.open(path, PASSPHRASE) as vault:
        vault.backup(tmp_path / "backup")
        _log(vault, client_id, 4)  # after the backup: the restored copy is behind this
    assert not (tmp_path / "backup" / "vault.seen").exists()  # a backup carries no record of its own
    Vault.restore(tmp_path / "backup", tmp_path / "restored", PASSPHRASE)
    with Vault.open(tmp_path / "restored", PASSPHRASE) as restored:
        assert restored.verify().ok and restored.notices == []
        restored_head = restored.head()
    record = seen.read(tmp_path / "restored", _data_key(path), restored.vault_id)
    assert isinstance(record, seen.Seen) and record.count == restored_head.count


def test_lock_checkpoints_the_wal_even_with_another_process_open(base: tuple[Path, int]) -> None:
    path, client_id = base
    other = Vault.open(path, PASSPHRASE)  # keeps the database open: closing alone would not checkpoint
    try:
        vault = Vault.open(path, PASSPHRASE)
        _log(vault, client_id, 20)
        assert (path / "vault.db-wal").stat().st_size > 0
        vault.lock()
        assert (path / "vault.db-wal").stat().st_size == 0  # TRUNCATE: everything is in vault.db
        assert other.entries.count() == 22
    finally:
        other.lock()


def test_a_damaged_record_of_the_last_state_is_a_notice_and_starts_again(
    base: tuple[Path, int], cli: CliRunner
) -> None:
    path, _ = base
    (path / "vault.seen").write_text('{"format": "casefile-seen", "version": 1, "count": 99}')
    result = cli("unlock")
    assert result.code == 0
    assert (
        result.err.startswith("casefile: warning: vault.seen is damaged; a new record") and result.err.count("\n") == 1
    )
    assert cli("unlock").err == ""  # the new record is whole
    assert cli("verify").code == 0


def _data_key(path: Path) -> bytes:
    from app.vault.keys import KeyFile

    return KeyFile.load(path / "vault.key").unwrap_with_passphrase(PASSPHRASE)


# -- opening never writes -----------------------------------------------------------


def _damage_first_page(path: Path) -> None:
    data = bytearray((path / "vault.db").read_bytes())
    data[100] ^= 0x55
    (path / "vault.db").write_bytes(bytes(data))


def _other_key_file(path: Path) -> None:
    other, _ = Vault.create(path.parent / "other", PASSPHRASE)
    other.lock()
    shutil.copy2(path.parent / "other" / "vault.key", path / "vault.key")


def _newer_schema(path: Path) -> None:
    with Vault.open(path, PASSPHRASE) as vault:
        vault.db.conn.execute("PRAGMA user_version = 9999")


FAILED_OPENS = {
    "empty database": lambda p: (p / "vault.db").write_bytes(b""),
    "one byte": lambda p: (p / "vault.db").write_bytes(b"\x00"),
    "damaged first page": _damage_first_page,
    "zeros": lambda p: (p / "vault.db").write_bytes(b"\x00" * 16384),
    "key file of another vault": _other_key_file,
    "damaged key file": lambda p: (p / "vault.key").write_bytes(b'{"format": "casefile-keyfile"'),
    "schema from a newer Casefile": _newer_schema,
}


@pytest.mark.parametrize("damage", FAILED_OPENS.values(), ids=FAILED_OPENS.keys())
def test_a_failed_open_leaves_every_file_byte_identical(base: tuple[Path, int], damage) -> None:  # type: ignore[no-untyped-def]
    path, _ = base
    damage(path)
    files = _digest(path)
    with pytest.raises(CasefileError) as info:
        Vault.open(path, PASSPHRASE)
    assert "\n" not in str(info.value)
    assert _digest(path) == files  # no file changed, none added (no -wal, no -shm, no vault.seen)
