"""SIGKILL at random instants: every vault opens, verifies, and keeps every reported commit.

50 trials each here; bench/torture.py runs 500.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.vault import Vault
from tests.helpers.crash import PASSPHRASES, passwd_trials, write_trials

pytestmark = pytest.mark.slow


def test_killed_while_writing_entries_and_attachments(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASES[0])
    vault.clients.add("Gerald Whitmore")
    vault.lock()
    committed = write_trials(tmp_path / "v", PASSPHRASES[0], trials=50)
    assert committed > 50  # the child did real work between kills


def test_killed_while_changing_the_passphrase(tmp_path: Path) -> None:
    vault, recovery_key = Vault.create(tmp_path / "v", PASSPHRASES[0])
    vault.clients.add("Gerald Whitmore")
    vault.lock()
    passwd_trials(tmp_path / "v", recovery_key, trials=50)
