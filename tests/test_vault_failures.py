"""Everything that can be wrong when opening a vault gives one clear line and changes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest

from app.errors import CorruptVault, KeyFileError, VaultNotFound, WrongPassphrase, WrongRecoveryKey
from app.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.cli import CliRunner


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def filled(vault_path: Path) -> Path:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    client = vault.clients.add("Gerald Whitmore")
    from app.records.models import EntryFields
    from app.records.times import now_utc

    for i in range(300):  # enough rows that the database spans many pages
        vault.entries.log(client.id, EntryFields("call", now_utc(), f"Call {i}", "words " * 50))
    vault.lock()
    return vault_path


def test_wrong_passphrase_is_quick_clear_and_changes_nothing(cli: CliRunner, filled: Path, tmp_path: Path) -> None:
    before = _digest(filled)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    start = time.perf_counter()
    result = cli("unlock", CASEFILE_PASSPHRASE_FILE=str(wrong))
    elapsed = time.perf_counter() - start
    assert result.code == 1
    assert result.err == "casefile: Wrong passphrase.\n"
    assert elapsed < 1.5
    assert _digest(filled) == before


def test_wrong_passphrase_with_calibrated_kdf_answers_within_1_5_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEFILE_KDF_PROFILE")
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)  # calibrated to ~0.3 s on this machine
    vault.lock()
    start = time.perf_counter()
    with pytest.raises(WrongPassphrase):
        Vault.open(tmp_path / "v", "wrong passphrase")
    assert time.perf_counter() - start < 1.5


def test_wrong_recovery_key(filled: Path) -> None:
    with pytest.raises(WrongRecoveryKey, match="Wrong recovery key"):
        Vault.open_with_recovery_key(filled, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    with pytest.raises(WrongRecoveryKey, match="not a recovery key"):
        Vault.open_with_recovery_key(filled, "hello")


def test_missing_key_file(filled: Path, cli: CliRunner) -> None:
    (filled / "vault.key").unlink()
    before = _digest(filled)
    result = cli("unlock")
    assert result.code == 1 and "key file vault.key is missing" in result.err
    assert len(result.err.splitlines()) == 1
    assert _digest(filled) == before


def test_no_vault_here(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFound):
        Vault.open(tmp_path / "nowhere", PASSPHRASE)
    (tmp_path / "empty").mkdir()
    with pytest.raises(VaultNotFound, match="not a Casefile vault"):
        Vault.open(tmp_path / "empty", PASSPHRASE)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: b"",
        lambda d: d[: len(d) // 2],
        lambda d: b"{not json",
        lambda d: d.replace(b'"wrapped": "', b'"wrapped": "AAAA', 1),
    ],
    ids=["empty", "truncated", "garbage", "wrapped-key-edited"],
)
def test_damaged_key_file(filled: Path, damage) -> None:  # type: ignore[no-untyped-def]
    key = filled / "vault.key"
    key.write_bytes(damage(key.read_bytes()))
    before = _digest(filled)
    with pytest.raises((KeyFileError, WrongPassphrase)) as info:
        Vault.open(filled, PASSPHRASE)
    assert "\n" not in str(info.value)
    assert _digest(filled) == before


def _edit_kdf(key: Path, **changes: object) -> None:
    doc = json.loads(key.read_text())
    for slot in doc["slots"]:
        if slot["type"] == "passphrase":
            slot["kdf"].update(changes)
    key.write_text(json.dumps(doc))


def test_downgraded_kdf_parameters_are_refused(filled: Path) -> None:
    _edit_kdf(filled / "vault.key", memory_kib=8 * 1024)
    with pytest.raises(KeyFileError, match="weaker key-derivation settings"):
        Vault.open(filled, PASSPHRASE)


def test_kdf_parameters_are_authenticated(filled: Path) -> None:
    # Raising the cost is not a downgrade, but the parameters are associated data:
    # any edit breaks the AEAD tag, so the key file cannot be silently re-targeted; the
    # slot's checksum then says it was changed (not that the passphrase is wrong).
    doc = json.loads((filled / "vault.key").read_text())
    slot = next(s for s in doc["slots"] if s["type"] == "passphrase")
    _edit_kdf(filled / "vault.key", time_cost=slot["kdf"]["time_cost"] + 1)
    with pytest.raises(KeyFileError, match="passphrase slot is damaged"):
        Vault.open(filled, PASSPHRASE)


def test_swapped_key_file_is_detected(filled: Path, tmp_path: Path) -> None:
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE)
    other.lock()
    shutil.copyfile(tmp_path / "other" / "vault.key", filled / "vault.key")
    before = _digest(filled)
    with pytest.raises(CorruptVault, match=r"does not match its key file|different vault"):
        Vault.open(filled, PASSPHRASE)
    assert _digest(filled) == before


def test_one_flipped_byte_in_the_database_is_reported(filled: Path, cli: CliRunner) -> None:
    db = filled / "vault.db"
    data = bytearray(db.read_bytes())
    data[len(data) // 2] ^= 0x01
    db.write_bytes(bytes(data))
    before = _digest(filled)
    result = cli("verify")
    assert result.code == 3
    assert result.err.startswith("casefile: verification failed: ")
    assert "damaged" in result.err or "page check failed" in result.err.lower()
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert _digest(filled) == before


def test_flipped_byte_in_the_first_page_stops_the_open(filled: Path) -> None:
    db = filled / "vault.db"
    data = bytearray(db.read_bytes())
    data[100] ^= 0x40
    db.write_bytes(bytes(data))
    with pytest.raises(CorruptVault, match="damaged or does not match"):
        Vault.open(filled, PASSPHRASE)


def test_truncated_database_is_reported(filled: Path, cli: CliRunner) -> None:
    db = filled / "vault.db"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    before = _digest(filled)
    result = cli("verify")
    assert result.code in (1, 3)
    assert "damaged" in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert _digest(filled) == before


def test_missing_database_is_reported(filled: Path) -> None:
    (filled / "vault.db").unlink()
    with pytest.raises(CorruptVault, match=r"vault\.db is missing"):
        Vault.open(filled, PASSPHRASE)


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.docx").write_text("precious")
    from app.errors import VaultExists

    with pytest.raises(VaultExists, match="not empty"):
        Vault.create(tmp_path / "busy", PASSPHRASE)
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["thesis.docx"]


def test_short_passphrase_is_refused(tmp_path: Path) -> None:
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput, match="at least 8 characters"):
        Vault.create(tmp_path / "v", "short")
    assert not (tmp_path / "v").exists()


def test_locked_vault_refuses_work(vault: Vault) -> None:
    from app.errors import VaultLocked

    vault.lock()
    with pytest.raises(VaultLocked):
        vault.clients.list()
