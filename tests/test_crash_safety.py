"""SIGKILL at random instants: every vault opens, verifies, and keeps every reported commit.

50 trials each here for writes and passwd, a handful for export and the Inbox (each child
starts a whole export or import stack); bench/torture.py runs 500 of each, and backup too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.vault import Vault
from tests.helpers.crash import PASSPHRASES, export_trials, passwd_trials, watch_trials, write_trials

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


def _with_a_story(path: Path) -> None:
    from app.records.models import EntryFields
    from app.records.times import now_utc

    vault, _ = Vault.create(path, PASSPHRASES[0])
    client = vault.clients.add("Gerald Whitmore")
    for n in range(5):
        vault.entries.log(client.id, EntryFields("call", now_utc(), f"Call {n}", "He would not pay. " * 20))
    vault.lock()


def test_killed_while_exporting_leaves_whole_files_or_private_partials(tmp_path: Path) -> None:
    _with_a_story(tmp_path / "v")
    (tmp_path / "out").mkdir()
    export_trials(tmp_path / "v", PASSPHRASES[0], tmp_path / "out", trials=2)


def test_killed_while_watching_the_inbox_loses_no_file(tmp_path: Path) -> None:
    _with_a_story(tmp_path / "v")
    assert watch_trials(tmp_path / "v", PASSPHRASES[0], tmp_path / "inbox", trials=2) > 0
