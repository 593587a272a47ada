"""A vault written at any earlier schema version opens, upgrades and verifies."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import ledger
from app.records.clients import client_state
from app.records.entries import entry_state, revision_state
from app.vault import Vault, keys
from app.vault.schema import MIGRATIONS, SCHEMA_VERSION
from app.vault.store import DATABASE_NAME, KEY_FILE_NAME, migrate, schema_version, transaction
from tests.conftest import PASSPHRASE
from tests.helpers.keyfiles import version_1_bytes

T = "2026-03-08T19:05:00.000000Z"


def _vault_at_version(folder: Path, version: int) -> None:
    """Build a vault folder whose database stops at ``version``, with one recorded call."""
    folder.mkdir(mode=0o700)
    data_key = keys.new_data_key()
    key_file = keys.KeyFile(vault_id="test-vault", slots=[])
    key_file.set_passphrase(data_key, PASSPHRASE, keys.minimum_params())
    key_file.set_recovery(data_key, keys.new_recovery_key())
    import sqlcipher3

    conn = sqlcipher3.connect(str(folder / DATABASE_NAME), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn, target=version)
    if version >= 1:
        with transaction(conn):
            conn.execute("INSERT INTO meta(key, value) VALUES ('vault_id', 'test-vault')")
            conn.execute("INSERT INTO clients(name, created_at, updated_at) VALUES ('Gerald Whitmore', ?, ?)", (T, T))
            ledger.record(conn, "client.add", "client:1", client_state(conn, 1))
            conn.execute(
                "INSERT INTO entries(client_id, recorded_at, current_rev, kind, occurred_utc, title)"
                " VALUES (1, ?, 1, 'call', ?, 'Angry call')",
                (T, T),
            )
            ledger.record(conn, "entry.create", "entry:1", entry_state((1, 1, T)))
            conn.execute(
                "INSERT INTO revisions(entry_id, rev, recorded_at, kind, occurred_utc, occurred_offset, title, body)"
                " VALUES (1, 1, ?, 'call', ?, -300, 'Angry call', 'He threatened to sue')",
                (T, T),
            )
            row = conn.execute("SELECT * FROM revisions WHERE id = 1").fetchone()
            ledger.record(conn, "entry.revision", "revision:1", revision_state(row))
            if version >= 2:  # the code of that version indexed each entry as it was written
                conn.execute(MIGRATIONS[1][1])
    assert schema_version(conn) == version
    conn.close()
    # A vault this old has a key file of the first format too (no checksums, no MAC).
    (folder / KEY_FILE_NAME).write_bytes(version_1_bytes(key_file))


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_upgrade_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    folder = tmp_path / f"v{version}"
    _vault_at_version(folder, version)
    with Vault.open(folder, PASSPHRASE) as vault:
        assert schema_version(vault.db.conn) == SCHEMA_VERSION
        assert [c.name for c in vault.clients.list()] == ["Gerald Whitmore"]
        assert [h.entry_id for h in vault.search("sue")] == [1]  # the index was built from old rows
        report = vault.verify()
        assert report.ok, report.problems
        vault.entries.revise(
            1,
            vault.entries.get(1).fields.__class__(
                **{**vault.entries.get(1).fields.__dict__, "body": "He threatened to sue us"}
            ),
        )
        assert vault.entries.get(1).rev == 2
    # The key file was upgraded at that writable unlock: it now has its MAC, and still opens.
    assert b'"mac": ' in (folder / KEY_FILE_NAME).read_bytes()
    with Vault.open(folder, PASSPHRASE) as vault:
        assert vault.notices == [] and vault.verify().ok


def test_a_newer_vault_is_refused_clearly(tmp_path: Path) -> None:
    from app.errors import CorruptVault

    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    vault.db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    vault.lock()
    with pytest.raises(CorruptVault, match="newer Casefile"):
        Vault.open(tmp_path / "v", PASSPHRASE)


def test_fresh_vault_is_at_the_latest_version(vault: Vault) -> None:
    assert schema_version(vault.db.conn) == SCHEMA_VERSION


def test_a_version_1_key_file_opens_and_gets_its_mac(tmp_path: Path) -> None:
    from app.errors import WrongPassphrase

    vault, recovery_key = Vault.create(tmp_path / "v", PASSPHRASE)
    key_file = keys.KeyFile.load(tmp_path / "v" / KEY_FILE_NAME)
    vault.lock()
    old = version_1_bytes(key_file)
    (tmp_path / "v" / KEY_FILE_NAME).write_bytes(old)
    with pytest.raises(WrongPassphrase):  # version 1 has no checksums: nothing to tell it by
        Vault.open(tmp_path / "v", "not the passphrase")
    assert (tmp_path / "v" / KEY_FILE_NAME).read_bytes() == old  # a failed unlock wrote nothing
    with Vault.open(tmp_path / "v", PASSPHRASE) as vault:
        assert vault.notices == []
    upgraded = keys.KeyFile.load(tmp_path / "v" / KEY_FILE_NAME)
    assert upgraded.version == keys.KEY_FILE_VERSION and upgraded.slots == key_file.slots  # slots untouched
    with Vault.open_with_recovery_key(tmp_path / "v", recovery_key) as vault:  # the recovery slot still opens
        assert vault.verify().ok
