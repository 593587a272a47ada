"""The watched Inbox: every way a file arrives, crashes included, imports it exactly once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.ingest import triage
from app.ingest.importer import import_path
from app.ingest.inbox import Inbox, inbox_settings
from app.ingest.inbox_folders import add_client_folder
from app.vault import Vault
from tests.conftest import CORPUS, PASSPHRASE, ROOT


def _wait_for(condition, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _imported_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "Imported").rglob("*") if p.is_file())


def test_files_arriving_in_every_way_are_imported_once(vault, tmp_path: Path) -> None:
    client = vault.clients.add("Gerald Whitmore")
    add_client_folder(vault, client.id)  # the owner asked for its Inbox folder
    root = tmp_path / "Casefile Inbox"
    results = []
    lock = threading.Lock()

    def collect(result) -> None:  # type: ignore[no-untyped-def]
        with lock:
            results.append(result)

    inbox = Inbox(vault, root, settle_seconds=0.4, rescan_seconds=1, on_result=collect)
    inbox.start()
    try:
        folder = root / "Gerald Whitmore"
        assert folder.is_dir() and (root / "Imported").is_dir() and (root / "Failed").is_dir()
        # written in place, slowly (pauses shorter than the settle time)
        with (folder / "slow-notes.txt").open("w") as f:
            for i in range(8):
                f.write(f"line {i}\n")
                f.flush()
                time.sleep(0.1)
        # copied in slowly under a partial-download name, then renamed
        partial = folder / "photo.jpg.crdownload"
        data = (CORPUS / "images" / "jpeg" / "jolla.jpg").read_bytes()
        with partial.open("wb") as f:
            for start in range(0, len(data), len(data) // 4 + 1):
                f.write(data[start : start + len(data) // 4 + 1])
                f.flush()
                time.sleep(0.6)  # longer than the settle time: only the name keeps it waiting
        assert not any(r.path.endswith("crdownload") for r in results)
        partial.rename(folder / "photo.jpg")
        # moved in from elsewhere on the same disk
        outside = tmp_path / "outside.eml"
        shutil.copy(CORPUS / "email" / "eml" / "000.eml", outside)
        os.rename(outside, folder / "mail.eml")
        # many at once, and an office lock file that must be ignored
        for i in range(25):
            (folder / f"batch-{i:02d}.txt").write_text(f"batch file {i}")
        (folder / "~$report.docx").write_bytes(b"lock")
        (folder / "Thumbs.db").write_bytes(b"cache")
        _wait_for(lambda: len(results) >= 28)
    finally:
        inbox.stop()
    assert all(r.status == "imported" for r in results), [r.line() for r in results if r.status != "imported"]
    assert len(results) == 28
    assert vault.entries.count(client.id) == 28
    assert len(_imported_files(root)) == 28
    assert sorted(p.name for p in folder.iterdir()) == ["Thumbs.db", "~$report.docx"]
    notes = vault.entries.get(next(r for r in results if r.path.endswith("slow-notes.txt")).entry_ids[0])
    assert vault.attachments.for_entry(notes.id)[0].size == len("".join(f"line {i}\n" for i in range(8)))


def test_unsorted_files_wait_in_triage_and_failures_say_why(vault, tmp_path: Path) -> None:
    client = vault.clients.add("Gerald Whitmore")
    add_client_folder(vault, client.id)  # the owner asked for its Inbox folder
    root = tmp_path / "Inbox"
    inbox = Inbox(vault, root, settle_seconds=0)
    inbox.prepare()
    shutil.copy(CORPUS / "email" / "eml" / "008.eml", root / "unsorted.eml")
    (root / "Gerald Whitmore" / "cut.jpg").write_bytes((CORPUS / "images" / "jpeg" / "jolla.jpg").read_bytes()[:5000])
    (root / "Gerald Whitmore" / "empty.txt").write_bytes(b"")
    results = inbox.drain(timeout=10)
    # a truncated photo is still evidence: kept as a plain file, with the reason
    assert sorted(r.status for r in results) == ["imported", "refused", "triaged"]
    cut = next(r for r in results if r.path.endswith("cut.jpg"))
    assert "truncated" in vault.entries.get(cut.entry_ids[0]).fields.body
    reason = (root / "Failed" / "Gerald Whitmore" / "empty.txt.reason.txt").read_text()
    assert "empty" in reason and (root / "Failed" / "Gerald Whitmore" / "empty.txt").exists()
    [item] = triage.pending(vault)
    assert item.name == "unsorted.eml" and vault.entries.count() == 1
    assigned = triage.assign(vault, item.id, client.id)
    assert assigned.status == "imported" and assigned.attachments == 4
    assert vault.entries.get(assigned.entry_ids[0]).title == "Test message from Microsoft Outlook 00"
    assert triage.pending(vault) == []
    # the same bytes dropped again are recognised, not imported twice
    shutil.copy(CORPUS / "email" / "eml" / "008.eml", root / "again.eml")
    assert [r.status for r in inbox.drain(timeout=10)] == ["duplicate"]
    assert vault.entries.count() == 2
    assert vault.verify().ok


def test_killed_mid_import_and_restarted_imports_everything_exactly_once(cli, tmp_path: Path) -> None:
    vault, _ = Vault.create(cli.vault, PASSPHRASE)
    client = vault.clients.add("Gerald Whitmore")
    add_client_folder(vault, client.id)  # the owner asked for its Inbox folder
    vault.lock()
    root = tmp_path / "Inbox"
    folder = root / "Gerald Whitmore"
    folder.mkdir(parents=True)
    expected = {}
    for i in range(40):
        data = os.urandom(3 * 1024 * 1024) + f"file {i}".encode()
        (folder / f"scan-{i:02d}.bin").write_bytes(data)
        expected[f"scan-{i:02d}.bin"] = len(data)
    command = [sys.executable, str(ROOT / "main.py"), "watch", "--inbox", str(root), "--settle", "0.1"]
    # Start-up takes about 0.7 s; each run then imports ~20 files a second, so these
    # kills land mid-import (checked by hand: 15-25 files per run before the kill).
    for delay in (1.0, 1.3, 1.6, 2.0):
        proc = subprocess.Popen(command, env=cli.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    cli.ok("watch", "--inbox", str(root), "--settle", "0.1", "--once")
    vault = Vault.open(cli.vault, PASSPHRASE)
    try:
        assert vault.entries.count(client.id) == 40
        names = [row[0] for row in vault.db.all("SELECT name FROM attachments")]
        assert sorted(names) == sorted(expected)
        assert vault.db.scalar("SELECT count(*) FROM blobs") == 40
        assert vault.verify().ok
    finally:
        vault.lock()
    assert _imported_files(root) == sorted(expected)
    assert list(folder.iterdir()) == []


def test_settings_choose_the_folder_and_deleting_originals(vault, tmp_path: Path) -> None:
    client = vault.clients.add("Gerald Whitmore")
    add_client_folder(vault, client.id)  # the owner asked for its Inbox folder
    vault.settings.set("inbox_folder", str(tmp_path / "My Inbox"))
    vault.settings.set("inbox_after_import", "delete")
    root, delete = inbox_settings(vault)
    assert root == tmp_path / "My Inbox" and delete
    inbox = Inbox(vault, root, delete_imported=delete, settle_seconds=0)
    inbox.prepare()
    (root / "Gerald Whitmore" / "note.txt").write_text("called twice")
    [result] = inbox.drain(timeout=10)
    assert result.status == "imported" and vault.entries.count(client.id) == 1
    assert not (root / "Gerald Whitmore" / "note.txt").exists() and _imported_files(root) == []
    vault.settings.set("inbox_after_import", "shred")
    with pytest.raises(InvalidInput, match="must be 'move' or 'delete'"):
        inbox_settings(vault)


def test_a_crash_between_commit_and_move_is_finished_on_restart(vault, tmp_path: Path) -> None:
    """The window the kill test may or may not hit, made certain: stored but not moved."""
    client = vault.clients.add("Gerald Whitmore")
    add_client_folder(vault, client.id)  # the owner asked for its Inbox folder
    root = tmp_path / "Inbox"
    Inbox(vault, root).prepare()
    dropped = root / "Gerald Whitmore" / "photo.jpg"
    shutil.copy(CORPUS / "images" / "jpeg" / "Canon_40D.jpg", dropped)
    first = import_path(vault, client.id, dropped, source="inbox")  # committed; then the process "died"
    assert first.status == "imported" and dropped.exists()
    [again] = Inbox(vault, root, settle_seconds=0).drain(timeout=10)
    assert again.status == "duplicate" and again.entry_ids == first.entry_ids
    assert not dropped.exists() and _imported_files(root) == ["photo.jpg"]
    assert vault.entries.count() == 1


def test_a_locked_vault_leaves_files_where_they_are(vault, tmp_path: Path) -> None:
    add_client_folder(vault, vault.clients.add("Gerald Whitmore").id)
    root = tmp_path / "Inbox"
    errors: list[str] = []
    inbox = Inbox(vault, root, settle_seconds=0.1, rescan_seconds=0.2, on_error=errors.append)
    inbox.start()
    try:
        vault.lock()  # e.g. the app's auto-lock while the watcher runs
        (root / "Gerald Whitmore" / "note.txt").write_text("voicemail")
        (root / "loose.txt").write_text("unsorted")
        _wait_for(lambda: len(errors) >= 2)
    finally:
        inbox.stop()
    assert "locked" in errors[0]
    assert (root / "Gerald Whitmore" / "note.txt").exists() and (root / "loose.txt").exists()
    assert not any((root / "Failed").iterdir())
