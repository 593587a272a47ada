"""Kill -9 torture: ``python bench/torture.py [--trials 500] [--only write,export,…] [--until HH:MM]``.

The same trials as tests/test_crash_safety.py and tests/test_backups.py, many more of them,
each a child killed at a random instant:

- write: entries and attachments; every reported commit must survive;
- passwd: the passphrase changing; the vault must open with the old or new one, and the
  recovery key;
- export: dossier exports; every PDF and ZIP under its final name must be whole, and what
  a kill left is a 0600 ``.partial`` (removed by a later export);
- watch: files dropped into a client's Inbox folder and imported; none may be lost
  (each is stored in the vault or still in the Inbox);
- backup: rotated automatic backups; every backup under its name verifies, the last one
  reported is there, nothing else looks like a backup.

After every kill the vault must open and verify. The tally is printed per operation, with
the number of kills that actually ran: ``--until`` (a UTC time) ends each operation's run at
that instant, so a long run that must stop by a deadline still says exactly what it did.
Progress goes to stderr every ``--every`` trials. Several operations can run side by side
as separate processes (``--only export`` in one, ``--only watch`` in another).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["CASEFILE_KDF_PROFILE"] = "minimum"

from app.vault import Vault
from tests.helpers.crash import (
    PASSPHRASES,
    backup_trials,
    export_trials,
    passwd_trials,
    watch_trials,
    write_trials,
)

OPERATIONS = ("write", "passwd", "export", "watch", "backup")


def _story(path: Path, attachments_mb: int = 0) -> str:
    import io

    from app.records.models import EntryFields
    from app.records.times import now_utc

    vault, recovery_key = Vault.create(path, PASSPHRASES[0])
    client = vault.clients.add("Torture")
    for n in range(5):
        entry = vault.entries.log(client.id, EntryFields("call", now_utc(), f"Call {n}", "He would not pay. " * 20))
    for n in range(attachments_mb):
        vault.attachments.add_stream(entry.id, io.BytesIO(os.urandom(1_000_000)), f"scan{n}.bin")
    vault.lock()
    return recovery_key


def run(op: str, tmp: Path, trials: int, seed: int, stop: Callable[[int], bool]) -> str:
    path = tmp / op
    if op == "write":
        _story(path)
        committed = write_trials(path, PASSPHRASES[0], trials, seed=seed, stop=stop)
        return f"{committed} committed entries all present"
    if op == "passwd":
        recovery_key = _story(path)
        passwd_trials(path, recovery_key, trials, seed=seed, stop=stop)
        return "vault always opened with the right passphrase and the recovery key"
    if op == "export":
        _story(path)
        (tmp / "out").mkdir()
        exported = export_trials(path, PASSPHRASES[0], tmp / "out", trials, seed=seed, stop=stop)
        return f"{exported} exports finished, every final file whole, partials 0600"
    if op == "watch":
        _story(path)
        dropped = watch_trials(path, PASSPHRASES[0], tmp / "inbox", trials, seed=seed, stop=stop)
        return f"{dropped} files dropped, none lost"
    _story(path, attachments_mb=4)
    (tmp / "usb").mkdir()
    written = backup_trials(path, PASSPHRASES[0], tmp / "usb", trials, seed=seed, stop=stop)
    return f"{written} backups written, every remaining one verifies, no half backup under a backup's name"


def _deadline(text: str | None) -> float | None:
    """``HH:MM`` (UTC, today) as a time.time() instant."""
    if not text:
        return None
    hour, minute = (int(part) for part in text.split(":"))
    return datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--only", default=",".join(OPERATIONS), help="comma-separated: " + ", ".join(OPERATIONS))
    parser.add_argument("--until", help="UTC HH:MM: stop each operation's trials at that time and report how many ran")
    parser.add_argument("--every", type=int, default=25, help="a progress line on stderr every N trials")
    args = parser.parse_args()
    chosen = [op.strip() for op in args.only.split(",") if op.strip()]
    unknown = set(chosen) - set(OPERATIONS)
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}")
    deadline = _deadline(args.until)
    tally = []
    total = 0
    for op in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            ran = [0]

            def stop(trial: int, op: str = op, start: float = start, ran: list[int] = ran) -> bool:
                if trial and trial % args.every == 0:
                    print(
                        f"  {op}: {trial} kills so far ({time.perf_counter() - start:.0f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
                if deadline is not None and time.time() >= deadline:
                    return True
                ran[0] = trial + 1
                return False

            what = run(op, Path(tmp), args.trials, seed=int(time.time()), stop=stop)
            cut = "" if ran[0] == args.trials else f" (of {args.trials}: stopped at the deadline)"
            line = (
                f"{op}: {ran[0]} kills{cut}, vault verified after each; {what}"
                f" ({time.perf_counter() - start:.0f} s, load {os.getloadavg()[0]:.1f})"
            )
            print(line, flush=True)
            tally.append(line)
            total += ran[0]
    print(f"tally: {len(chosen)} operation(s), {total} kills, all passed")


if __name__ == "__main__":
    main()
