"""The watched Inbox as the app runs it: in a child process with its own writer connection."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

from app.ingest.importer import IMPORTED
from app.ingest.inbox_child import InboxProcess
from app.ingest.inbox_folders import add_client_folder
from tests.conftest import CORPUS
from tests.helpers.processes import gone


class _Collected:
    def __init__(self) -> None:
        self.results: list[Any] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def result(self, result: Any) -> None:
        with self._lock:
            self.results.append(result)

    def error(self, line: str) -> None:
        with self._lock:
            self.errors.append(line)


def _wait_for(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _drop(path: Path, data: bytes) -> None:
    """A file that appears whole (written beside, then renamed in), as a browser's download does."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.rename(partial, path)


def _watching(vault: Any, tmp_path: Path) -> tuple[Any, str, Path, _Collected, InboxProcess]:
    """A client with an Inbox folder, and the Inbox started on it (stop it when done)."""
    client = vault.clients.add("Gerald Whitmore")
    folder = add_client_folder(vault, client.id)
    root = tmp_path / "Casefile Inbox"
    seen = _Collected()
    inbox = InboxProcess(vault, root, settle_seconds=0.2, on_result=seen.result, on_error=seen.error)
    inbox.start()
    return client, folder, root, seen, inbox


def test_the_child_imports_what_is_dropped_and_this_process_reads_it(vault: Any, tmp_path: Path) -> None:
    client, folder, root, seen, inbox = _watching(vault, tmp_path)
    try:
        assert (root / folder).is_dir() and (root / "Failed").is_dir()  # made here, at once
        _wait_for(inbox.ready.is_set)
        pid = inbox.pid
        assert pid is not None and pid != os.getpid()
        _drop(root / folder / "mail.eml", (CORPUS / "email" / "eml" / "000.eml").read_bytes())
        _drop(root / folder / "site.jpg", (CORPUS / "images" / "jpeg" / "jolla.jpg").read_bytes())
        _wait_for(lambda: len(seen.results) == 2)
    finally:
        inbox.stop()
    assert [r.status for r in seen.results] == [IMPORTED, IMPORTED], [r.line() for r in seen.results]
    assert seen.errors == []
    assert gone(pid), "the child outlived its stop"
    # committed by the child, read through this process's own connections
    kinds = sorted(e.kind for e in vault.entries.timeline(client.id))
    assert kinds == ["email", "photo"]
    assert sorted(p.name for p in (root / "Imported").rglob("*") if p.is_file()) == ["mail.eml", "site.jpg"]
    assert vault.verify().ok


def test_a_reader_that_dies_on_a_file_sets_it_aside_and_the_inbox_goes_on(vault: Any, tmp_path: Path) -> None:
    """Killed mid-import (as a crash in a C library or the kernel's OOM killer would): nothing
    of the file is stored, the file goes to Failed with a note, a new child takes the next one."""
    client, folder, root, seen, inbox = _watching(vault, tmp_path)
    try:
        _wait_for(inbox.ready.is_set)
        first = inbox.pid
        _drop(root / folder / "huge.bin", os.urandom(96 * 1024 * 1024))
        _wait_for(lambda: inbox.current is not None)
        assert first is not None and inbox.current is not None and inbox.current.name == "huge.bin"
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: (root / "Failed" / folder / "huge.bin").exists() and inbox.ready.is_set())
        assert inbox.pid != first and gone(first)
        note = (root / "Failed" / folder / "huge.bin.reason.txt").read_text(encoding="utf-8")
        assert "stopped while reading huge.bin (signal 9)" in note and "Nothing of it was stored" in note
        assert any("huge.bin stopped its reader (signal 9)" in line for line in seen.errors), seen.errors
        shutil.copy(CORPUS / "images" / "jpeg" / "jolla.jpg", root / folder / "after.jpg")
        _wait_for(lambda: len(seen.results) == 1)
    finally:
        inbox.stop()
    assert seen.results[0].status == IMPORTED and seen.results[0].path.endswith("after.jpg")
    assert [e.title for e in vault.entries.timeline(client.id)] == ["Photo: after.jpg"]  # the killed import rolled back
    assert vault.verify().ok


def test_casefile_watch_can_read_in_a_child_as_the_app_does(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`casefile watch --separate-process`: the app's Inbox from a terminal (and the frozen
    bundle's smoke test): a dropped e-mail is imported by the child, SIGTERM stops both as
    Ctrl+C does, and the record verifies."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import CORPUS
    from tests.helpers.cli import ROOT

    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    inbox = tmp_path / "Inbox"
    (inbox / "Gerald Whitmore").mkdir(parents=True)
    argv = [sys.executable, str(ROOT / "main.py"), "watch", "--separate-process", "--inbox", str(inbox), "--settle", "0.2"]
    watch = subprocess.Popen(argv, env=cli.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        email = sorted((CORPUS / "email" / "eml").glob("*.eml"))[0]
        (inbox / "Gerald Whitmore" / email.name).write_bytes(email.read_bytes())
        deadline = time.monotonic() + 60
        while not list((inbox / "Imported").rglob(email.name)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list((inbox / "Imported").rglob(email.name)), "the child did not import the dropped file"
    finally:
        watch.send_signal(signal.SIGTERM)  # a service manager's stop, handled as Ctrl+C
        out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    assert "imported" in out and email.name in out
    assert "Traceback" not in err
    assert [e["kind"] for e in cli.ok("timeline", "Gerald Whitmore", "--json").json()] == ["email"]
    cli.ok("verify")
    assert cli("watch", "--separate-process", "--once").code == 2  # one or the other
