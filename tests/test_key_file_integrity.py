"""The whole key file is authenticated: a damaged byte anywhere is told from a wrong
passphrase, and a damaged recovery slot is found at the next verify, not on the day the
recovery key is needed."""

from __future__ import annotations

import functools
import random
from pathlib import Path

import pytest

from app.errors import CasefileError, KeyFileError, WrongPassphrase
from app.vault import Vault, keys
from tests.conftest import PASSPHRASE
from tests.helpers.cli import CliRunner

FLIPS = 200


@pytest.fixture
def locked(vault_path: Path) -> tuple[Path, str]:
    vault, recovery_key = Vault.create(vault_path, PASSPHRASE)
    vault.clients.add("Gerald Whitmore")
    vault.lock()
    return vault_path, recovery_key


def _recovery_span(data: bytes) -> range:
    """The bytes of the recovery slot's object in the file (as written: one slot per object)."""
    at = data.index(b'"type": "recovery"')
    start = data.rindex(b"{", 0, at)
    return range(start, data.index(b"}", at) + 1)


def test_200_single_byte_flips_are_never_a_wrong_passphrase(
    locked: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = locked
    key = path / "vault.key"
    original = key.read_bytes()
    # The real Argon2id, each distinct (passphrase, parameters) derived once: most flips
    # leave the parameters as they are, and 200 derivations would cost half a minute.
    monkeypatch.setattr(keys, "derive_passphrase_key", functools.cache(keys.derive_passphrase_key))
    recovery = _recovery_span(original)
    rng = random.Random(16)
    positions = sorted(rng.sample(range(len(original)), FLIPS))
    outcomes: dict[str, int] = {}
    for position in positions:
        damaged = bytearray(original)
        damaged[position] ^= rng.randrange(1, 256)
        key.write_bytes(bytes(damaged))
        try:
            vault = Vault.open(path, PASSPHRASE)
        except CasefileError as error:
            assert not isinstance(error, WrongPassphrase), f"byte {position}: {error}"
            assert "\n" not in str(error) and str(error).endswith("."), f"byte {position}: {error}"
            outcomes["refused at unlock"] = outcomes.get("refused at unlock", 0) + 1
            continue
        try:
            report = vault.verify()
            assert not report.ok, f"byte {position} ({chr(original[position])!r}) went unnoticed"
            assert "key file" in report.first_break, report.problems
            assert vault.notices == [report.first_break]  # said at the unlock too
            if position in recovery:
                assert report.first_break.startswith("The recovery slot of the key file is damaged: run")
            outcomes["verify failure"] = outcomes.get("verify failure", 0) + 1
        finally:
            vault.lock()
        assert key.read_bytes() == bytes(damaged)  # a damaged key file is never rewritten behind the owner
    key.write_bytes(original)
    assert sum(outcomes.values()) == FLIPS and len(outcomes) == 2, outcomes
    with Vault.open(path, PASSPHRASE) as vault:
        assert vault.verify().ok


def test_a_damaged_recovery_slot_is_reported_and_reset(
    locked: tuple[Path, str], cli: CliRunner, tmp_path: Path
) -> None:
    path, old_recovery_key = locked
    key = path / "vault.key"
    data = bytearray(key.read_bytes())
    at = data.index(b'"wrapped": "', _recovery_span(bytes(data)).start) + 14
    data[at] = ord("A") if data[at] != ord("A") else ord("B")
    key.write_bytes(bytes(data))
    result = cli("verify")
    assert result.code == 3
    assert result.err.splitlines()[-1] == (
        "casefile: verification failed: The recovery slot of the key file is damaged: run `casefile recovery"
        " --reset` now (with your passphrase; it shows a new recovery key)."
    )
    with pytest.raises(KeyFileError, match="recovery slot is damaged"):  # not "wrong recovery key"
        Vault.open_with_recovery_key(path, old_recovery_key)
    result = cli("recovery", "--reset")
    assert result.code == 0, result.err
    new_key = next(line.strip() for line in result.out.splitlines() if line.startswith("    "))
    assert cli("verify").code == 0
    with Vault.open_with_recovery_key(path, new_key) as vault:
        assert vault.verify().ok


def test_a_wrong_passphrase_on_an_intact_key_file_is_still_wrong_passphrase(locked: tuple[Path, str]) -> None:
    path, _ = locked
    with pytest.raises(WrongPassphrase):
        Vault.open(path, "not the passphrase at all")


def test_an_edited_but_well_formed_key_file_fails_its_mac(locked: tuple[Path, str]) -> None:
    """Whitespace or an extra field changes no slot, but the file is not as Casefile wrote it."""
    path, _ = locked
    key = path / "vault.key"
    key.write_bytes(key.read_bytes().replace(b'"format"', b'"note": "hello",\n  "format"', 1))
    with Vault.open(path, PASSPHRASE) as vault:
        assert vault.verify().first_break.startswith("The key file fails its authentication code")
