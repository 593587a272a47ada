"""The watched Inbox folder: drop a file in, find it on the client's timeline.

Layout (created on start, every folder mode 0700)::

    Casefile Inbox/
        <a folder per chosen client>/   files here go to that client (app/ingest/inbox_folders.py:
                                        only clients the owner chose, one-to-one, maybe neutral names)
        (files in the root)        go to triage, waiting for a client
        Imported/<date>/…          originals, moved here after a verified import
        Failed/…                   files that could not be imported, each with a .reason.txt

Crash safety comes from the order of steps, not from bookkeeping: a file is
imported (one committed transaction), its stored copy is read back and hashed,
the original is hashed again, and only then is it moved (an atomic rename) or
deleted. Killed before the commit: nothing was stored and the file is still
there. Killed after it: the next pass finds the same bytes already stored
(SHA-256), verifies them and moves the file; nothing is imported twice.

Watchdog events only wake the worker; every pass rescans the folder, so missed
or repeated events change nothing. Results leave through ``on_result`` (called
on the worker thread; the GUI re-emits it as a Qt signal).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import CasefileError, CorruptVault, DiskFull, InvalidInput, VaultBusy, VaultLocked
from app.ingest import triage
from app.ingest.importer import REFUSED, ImportResult, file_sha256, import_source, stored_copy_matches
from app.ingest.parsed import Source

DEFAULT_INBOX = Path("~") / "Casefile Inbox"
IMPORTED_DIR = "Imported"
FAILED_DIR = "Failed"
# Browsers and office apps write under these names and rename when done.
PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".download", ".opdownload", ".tmp", ".reason.txt")
PARTIAL_PREFIXES = ("~$", ".")
SYSTEM_FILES = ("thumbs.db", "desktop.ini", "icon\r")  # written by file managers, never evidence


def inbox_settings(vault: Any) -> tuple[Path, bool]:
    """The Inbox folder and whether originals are deleted after a verified import."""
    folder = vault.settings.get("inbox_folder").strip()
    after = vault.settings.get("inbox_after_import").strip().lower()
    if after not in ("move", "delete"):
        raise InvalidInput(f"The setting inbox_after_import is {after!r}; it must be 'move' or 'delete'.")
    return (Path(folder) if folder else DEFAULT_INBOX).expanduser(), after == "delete"


def client_folder_name(name: str, client_id: int) -> str:
    """A folder name every file system accepts, from a client's name (see inbox_folders)."""
    from app.ingest.inbox_folders import folder_name

    return folder_name(name, client_id)


def is_partial(path: Path) -> bool:
    """Files to leave alone: downloads in progress, office lock files, file-manager litter."""
    name = path.name
    lower = name.lower()
    return name.startswith(PARTIAL_PREFIXES) or lower.endswith(PARTIAL_SUFFIXES) or lower in SYSTEM_FILES


class Inbox:
    def __init__(
        self,
        vault: Any,
        root: Path,
        *,
        delete_imported: bool = False,
        settle_seconds: float = 2.0,
        rescan_seconds: float = 30.0,
        on_result: Callable[[ImportResult], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.vault = vault
        self.root = Path(root)
        self.delete_imported = delete_imported
        self.settle_seconds = settle_seconds
        self.rescan_seconds = rescan_seconds
        self._on_result = on_result or (lambda _r: None)
        self._on_error = on_error or (lambda _m: None)
        self._seen: dict[Path, tuple[tuple[int, int], float]] = {}
        self._why: dict[Path, str] = {}  # why a file in a client folder goes to triage
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: Any = None

    # -- folders -----------------------------------------------------------

    def prepare(self) -> None:
        """Create the Inbox, its Imported/Failed folders and the folders of the clients the
        owner chose (none until asked), each 0700: the names are visible outside the vault."""
        from app.ingest.inbox_folders import assigned

        for folder in (self.root, self.root / IMPORTED_DIR, self.root / FAILED_DIR):
            _private_folder(folder)
        for name in assigned(self.vault):
            _private_folder(self.root / name)

    def candidates(self) -> list[tuple[Path, int | None]]:
        """Files waiting in the Inbox, each with its client (None: triage)."""
        from app.ingest.inbox_folders import resolve

        found: list[tuple[Path, int | None]] = []
        clients = self.vault.clients.list()
        try:
            top = sorted(self.root.iterdir())
        except OSError:
            return []
        self._why = {}
        for entry in top:
            if entry.name in (IMPORTED_DIR, FAILED_DIR) or entry.name.startswith("."):
                continue
            if entry.is_dir() and not entry.is_symlink():
                client_id, why = resolve(self.vault, entry.name, clients)
                for folder, dirs, files in os.walk(entry):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    found.extend((Path(folder) / f, client_id) for f in sorted(files))
                    if why:
                        self._why.update((Path(folder) / f, why) for f in files)
            elif entry.is_file():
                found.append((entry, None))
        return [(p, c) for p, c in found if not is_partial(p)]

    # -- one pass ----------------------------------------------------------

    def poll(self) -> list[ImportResult]:
        """Import every file that has stopped changing. Returns what was done."""
        results = []
        now = time.monotonic()
        present = set()
        for path, client_id in self.candidates():
            present.add(path)
            if not self._settled(path, now):
                continue
            result = self.process(path, client_id)
            self._seen.pop(path, None)
            results.append(result)
            self._on_result(result)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return results

    def pending(self) -> int:
        return len(self.candidates())

    def drain(self, timeout: float | None = None) -> list[ImportResult]:
        """Poll until the Inbox is empty (or only unsettled files remain at the timeout)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        results = self.poll()
        while self.pending() and (deadline is None or time.monotonic() < deadline):
            time.sleep(min(0.2, self.settle_seconds / 2 or 0.05))
            results += self.poll()
        return results

    def _settled(self, path: Path, now: float) -> bool:
        """Same size and mtime for settle_seconds, and readable.

        The type is checked before any open: opening a FIFO blocks until someone
        writes to it, which would hang the watcher. A FIFO, a device or a dangling
        link counts as settled at once, so ``process`` refuses it with its reason."""
        import stat as stat_module

        try:
            stat = path.stat()
        except OSError:
            return path.is_symlink()  # a dangling link: refused, not waited for forever
        if not stat_module.S_ISREG(stat.st_mode):
            return True
        signature = (stat.st_size, stat.st_mtime_ns)
        previous = self._seen.get(path)
        if previous is None or previous[0] != signature:
            self._seen[path] = (signature, now)
            return self.settle_seconds <= 0 and stat.st_size > 0
        # An empty file is often a placeholder about to be written: wait longer.
        wait = self.settle_seconds * (5 if stat.st_size == 0 else 1)
        if now - previous[1] < wait:
            return False
        try:
            with path.open("rb"):
                return True
        except OSError:
            return False

    def process(self, path: Path, client_id: int | None) -> ImportResult:
        label = str(path.relative_to(self.root))
        try:
            src = Source.from_path(path)
            if client_id is None:
                result = triage.add(self.vault, src, label=label)
                why = self._why.get(path)
                if why and result.reason:
                    result = dataclasses.replace(result, reason=f"{result.reason.rstrip('.')}: {why}.")
            else:
                result = import_source(self.vault, client_id, src, source="inbox", label=label)
        except (VaultLocked, VaultBusy, CorruptVault, DiskFull):
            raise  # not the file's fault: it stays where it is, for the next pass
        except CasefileError as error:
            result = ImportResult(path=label, status=REFUSED, reason=" ".join(str(error).split()))
        if result.status == REFUSED:
            self._move_failed(path, result.reason)
            return result
        if not self._verified(path, result.sha256):
            return ImportResult(
                path=label,
                status=REFUSED,
                sha256=result.sha256,
                reason="the stored copy could not be verified; the original was left in the Inbox.",
            )
        if self.delete_imported:
            path.unlink()
        else:
            _move_unique(path, self.root / IMPORTED_DIR / date.today().isoformat() / path.relative_to(self.root))
        return result

    def _verified(self, path: Path, sha256: str | None) -> bool:
        if sha256 is None or not stored_copy_matches(self.vault, sha256):
            return False
        try:
            return file_sha256(Source.from_path(path)) == sha256  # the original did not change meanwhile
        except CasefileError:
            return False

    def _move_failed(self, path: Path, reason: str) -> None:
        set_aside(self.root, path, reason)

    # -- background --------------------------------------------------------

    def start(self) -> None:
        """Prepare the folders, import what is already there, then watch."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.prepare()
        wake = self._wake

        class _Wake(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                wake.set()

        self._observer = Observer()
        self._observer.schedule(_Wake(), str(self.root), recursive=True)
        self._observer.start()
        self._thread = threading.Thread(target=self._run, name="casefile-inbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last_prepare = 0.0
        said = ""  # the full disk last reported: said once, not at every pass
        while not self._stop.is_set():
            backoff = False
            try:
                if time.monotonic() - last_prepare > self.rescan_seconds:
                    self.prepare()  # new clients get their folder
                    last_prepare = time.monotonic()
                self.poll()
                said = ""
            except Exception as error:  # the watcher must survive anything and keep going
                if isinstance(error, DiskFull):
                    # The file stays in the Inbox; tried again after rescan_seconds (or
                    # when something changes there), not copied again four times a second.
                    message, backoff = f"Inbox: {' '.join(str(error).split())}", True
                else:
                    message = f"Inbox: {type(error).__name__}: {error}"
                if not backoff or message != said:
                    self._on_error(message)
                said = message if backoff else ""
            waiting = bool(self._seen) and not backoff
            self._wake.wait(timeout=min(0.25, self.settle_seconds / 2) if waiting else self.rescan_seconds)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=30)


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # a folder of someone else's (a share): left as it is
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)


def set_aside(root: Path, path: Path, reason: str) -> None:
    """Move a file of the Inbox ``root`` to its Failed folder, with a note of ``reason`` beside it."""
    target = _unique(root / FAILED_DIR / path.relative_to(root))
    target.parent.mkdir(parents=True, exist_ok=True)
    # The note first: killed in between, the file is simply tried again.
    target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    with contextlib.suppress(FileNotFoundError):
        os.rename(path, target)


def _unique(target: Path) -> Path:
    candidate, n = target, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".reason.txt").exists():
        n += 1
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
    return candidate


def _move_unique(path: Path, target: Path) -> None:
    target = _unique(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(path, target)
