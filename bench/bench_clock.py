"""The vault clock's cost per ledger event, next to a baseline measured in the same run.

    python bench/bench_clock.py [--events 20000] [--rounds 5]

Appends N events in one transaction twice per round: with the time given by the caller
(``at=``, the baseline: no clock check) and with the time read through the vault clock
(``app.clock``: one read of the previous event's time, the backwards/jump checks).
Prints µs per event for both and the ratio; the best round of each is reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")


def main() -> None:
    from app import ledger
    from app.records.times import now_utc, utc_text
    from app.vault import Vault

    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault, _ = Vault.create(Path(tmp) / "vault", "benchmark passphrase")

        def run(with_clock: bool) -> float:
            start = time.perf_counter()
            with vault.db.write() as conn:
                for i in range(args.events):
                    at = None if with_clock else utc_text(now_utc())
                    ledger.append(conn, "bench.event", "bench", {"i": i}, at=at)
            return (time.perf_counter() - start) / args.events

        baseline, clocked = [], []
        for _ in range(args.rounds):
            baseline.append(run(False))
            clocked.append(run(True))
        vault.lock()
    b, c = min(baseline), min(clocked)
    print(f"ledger.append, {args.events} events per round, best of {args.rounds}:")
    print(f"  time given by the caller (baseline): {b * 1e6:7.1f} µs/event")
    print(f"  time read through the vault clock:    {c * 1e6:7.1f} µs/event")
    print(f"  ratio clock/baseline: {c / b:.2f}x")


if __name__ == "__main__":
    main()
