"""Kill-at-random-instants trials, shared by the test suite (50) and bench/torture.py (500)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("crash_child.py")
PASSPHRASES = ("first passphrase A", "second passphrase B")

# ``stop(trial)`` is asked before each trial; True ends the run early (bench/torture.py's
# deadline and progress lines). The tests pass none and run every trial.
Stop = Callable[[int], bool] | None


@dataclass
class Outcome:
    committed: list[tuple[int, str]] = field(default_factory=list)
    passphrases: set[str] = field(default_factory=set)


def run_and_kill(args: list[str], *, min_delay: float, max_delay: float, rng: random.Random) -> list[str]:
    env = dict(os.environ, CASEFILE_KDF_PROFILE="minimum")
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    # The random instant is counted from when the child has opened the vault ("R"), so a
    # slow start on a loaded machine cannot turn a trial into a kill before any work.
    # Read that line byte by byte from the pipe itself: a buffered readline could swallow
    # later lines that communicate() (which reads the raw pipe) would then never see.
    assert proc.stdout is not None
    first = b""
    while not first.endswith(b"\n"):
        byte = os.read(proc.stdout.fileno(), 1)
        if not byte:
            break
        first += byte
    time.sleep(rng.uniform(min_delay, max_delay))
    proc.send_signal(signal.SIGKILL)
    raw_out, raw_err = proc.communicate()
    out, err = (first + raw_out).decode(), raw_err.decode(errors="replace")
    assert proc.returncode == -signal.SIGKILL, f"child ended by itself ({proc.returncode}): {err[-2000:]}"
    return out.splitlines()


def write_trials(vault_path: Path, passphrase: str, trials: int, seed: int = 1, stop: Stop = None) -> int:
    """Kill a writing child ``trials`` times; after each, check every reported commit survived."""
    from app.vault import Vault

    rng = random.Random(seed)
    committed: dict[int, str] = {}
    for trial in range(trials):
        if stop is not None and stop(trial):
            break
        lines = run_and_kill(["write", str(vault_path), passphrase], min_delay=0.25, max_delay=0.7, rng=rng)
        for line in lines:
            if line.startswith("C "):
                _, entry_id, sha = line.split()
                committed[int(entry_id)] = sha
        with Vault.open(vault_path, passphrase) as vault:
            report = vault.verify()
            assert report.ok, f"trial {trial}: {report.problems}"
            for entry_id, sha in committed.items():
                entry = vault.entries.get(entry_id)
                if sha != "-":
                    assert sha in {a.sha256 for a in vault.attachments.for_entry(entry.id)}, f"trial {trial}"
    return len(committed)


def passwd_trials(vault_path: Path, recovery_key: str, trials: int, seed: int = 2, stop: Stop = None) -> None:
    """Kill a child that keeps changing the passphrase; the vault must always open."""
    from app.errors import WrongPassphrase
    from app.vault import Vault

    rng = random.Random(seed)
    current = PASSPHRASES[0]
    for trial in range(trials):
        if stop is not None and stop(trial):
            break
        other = PASSPHRASES[1] if current == PASSPHRASES[0] else PASSPHRASES[0]
        lines = run_and_kill(["passwd", str(vault_path), current, other], min_delay=0.15, max_delay=0.5, rng=rng)
        events = [(line[0], line[2:]) for line in lines if line[:2] in ("P ", "D ")]
        done = [value for kind, value in events if kind == "D"]
        settled = done[-1] if done else current
        # A change still in flight when the child died may or may not have landed;
        # one reported as done must have.
        allowed = [settled] + ([events[-1][1]] if events and events[-1][0] == "P" else [])
        opened = None
        for candidate in allowed:
            try:
                with Vault.open(vault_path, candidate) as vault:
                    assert vault.verify().ok, f"trial {trial}"
                opened = candidate
                break
            except WrongPassphrase:
                continue
        assert opened is not None, f"trial {trial}: neither {allowed} opens the vault (a committed change was lost)"
        with Vault.open_with_recovery_key(vault_path, recovery_key) as vault:
            assert vault.head().count > 0
        current = opened


def backup_trials(vault_path: Path, passphrase: str, dest: Path, trials: int, seed: int = 3, stop: Stop = None) -> int:
    """Kill a child making rotated automatic backups; after each kill every backup in
    ``dest`` verifies, the last one reported is there, and nothing else looks like one.
    Returns how many backups were reported written."""
    from datetime import UTC, datetime, timedelta

    from app.vault import Vault
    from app.vault.backups import AUTO_RE, PARTIAL_RE, check_backup, list_backups

    rng = random.Random(seed)
    written = 0
    for trial in range(trials):
        if stop is not None and stop(trial):
            break
        first_day = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=40 * trial)
        lines = run_and_kill(
            ["backup", str(vault_path), passphrase, str(dest), first_day.isoformat()],
            min_delay=0.05,
            max_delay=1.2,
            rng=rng,
        )
        reported = [line[2:] for line in lines if line.startswith("B ")]
        written += len(reported)
        with Vault.open(vault_path, passphrase) as vault:
            assert vault.verify().ok, f"trial {trial}: the vault no longer verifies"
            vault_id = vault.vault_id
        names = sorted(p.name for p in dest.iterdir())
        for name in names:
            assert AUTO_RE.match(name) or PARTIAL_RE.match(name), f"trial {trial}: unexpected {name} in {names}"
        # at most the one partial folder the killed child was writing (older ones were cleaned up)
        assert sum(1 for n in names if PARTIAL_RE.match(n)) <= 1, f"trial {trial}: {names}"
        if reported:
            assert (dest / reported[-1]).is_dir(), f"trial {trial}: the last reported backup {reported[-1]} is gone"
        for _, folder in list_backups(dest, vault_id):
            assert check_backup(folder, passphrase).report.ok, f"trial {trial}: {folder.name} does not verify"
    return written


def export_trials(
    vault_path: Path,
    passphrase: str,
    out: Path,
    trials: int,
    seed: int = 4,
    max_delay: float = 6.0,
    stop: Stop = None,
) -> int:
    """Kill a child exporting dossiers; after each kill the vault verifies, every PDF and ZIP
    under its final name is whole, and what a kill left behind is a private ``.partial``."""
    import stat
    import zipfile

    import pikepdf

    from app.dossier.partials import PARTIAL_SUFFIXES
    from app.vault import Vault

    rng = random.Random(seed)
    exported = 0
    checked: set[str] = set()
    for trial in range(trials):
        if stop is not None and stop(trial):
            break
        lines = run_and_kill(
            ["export", str(vault_path), passphrase, str(out)], min_delay=0.1, max_delay=max_delay, rng=rng
        )
        exported += sum(1 for line in lines if line.startswith("E "))
        with Vault.open(vault_path, passphrase) as vault:
            assert vault.verify().ok, f"trial {trial}: the vault no longer verifies"
        for path in sorted(out.iterdir()):
            if path.name.endswith(PARTIAL_SUFFIXES):
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"trial {trial}: {path.name} is readable by others"
            elif path.name not in checked:
                if path.suffix == ".pdf":
                    with pikepdf.open(path) as pdf:
                        assert len(pdf.pages) > 0, f"trial {trial}: {path.name}"
                else:
                    with zipfile.ZipFile(path) as bundle:
                        assert bundle.testzip() is None, f"trial {trial}: {path.name} is damaged"
                checked.add(path.name)
    return exported


def watch_trials(vault_path: Path, passphrase: str, root: Path, trials: int, seed: int = 5, stop: Stop = None) -> int:
    """Kill a child importing from the Inbox; after each kill every file that reached the
    Inbox is stored in the vault or still in the Inbox (never lost), and the vault verifies."""
    import hashlib

    from app.vault import Vault

    rng = random.Random(seed)
    dropped: set[str] = set()
    for trial in range(trials):
        if stop is not None and stop(trial):
            break
        lines = run_and_kill(["watch", str(vault_path), passphrase, str(root)], min_delay=0.1, max_delay=1.5, rng=rng)
        dropped |= {line[2:] for line in lines if line.startswith("D ")}
        with Vault.open(vault_path, passphrase) as vault:
            assert vault.verify().ok, f"trial {trial}: the vault no longer verifies"
            stored = {str(r[0]) for r in vault.db.all("SELECT sha256 FROM blobs")}
        waiting = {
            hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file() and not p.is_symlink()
        }
        lost = dropped - stored - waiting
        assert not lost, f"trial {trial}: {len(lost)} dropped files are neither in the vault nor in the Inbox"
    return len(dropped)
