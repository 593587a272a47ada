"""Readers while a long write runs. Run on demand: ``python bench/bench_readers.py [--mb 300]``.

A worker imports one large file (one transaction, as atomicity demands) while a second
thread reads a client's entry count every 10 ms, as the GUI's read connection does.
Printed: the reader's p95 and max latency during the import against the same reads with
no background work (the baseline in the same run), and the import's MB/s. Then a
backup of the vault while another thread ticks every 2 ms: its max gap shows how long
the backup holds the GIL.

With one shared connection behind a lock (the first version) a read waited for the whole
import; with one writer and per-thread read connections (WAL snapshots) it does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.ingest.importer import import_path  # noqa: E402
from app.records.entries import insert_entry  # noqa: E402
from app.records.models import EntryFields  # noqa: E402
from app.records.times import now_utc  # noqa: E402
from app.vault import Vault, keys  # noqa: E402

PASS = "benchmark passphrase"


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def read_latencies(vault: Vault, client_id: int, stop: threading.Event, out: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        vault.entries.count(client_id)
        out.append((time.perf_counter() - start) * 1000)
        time.sleep(0.01)


def ticker_gaps(stop: threading.Event, out: list[float]) -> None:
    """A thread that wants the GIL every 2 ms: its gaps show C calls that hold the GIL."""
    last = time.perf_counter()
    while not stop.is_set():
        time.sleep(0.002)
        now = time.perf_counter()
        out.append((now - last) * 1000)
        last = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--entries", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cf-bench-readers-") as tmp:
        folder = Path(tmp)
        big = folder / "big.bin"
        with big.open("wb") as out:
            for _ in range(args.mb):
                out.write(os.urandom(1024 * 1024))
        vault, _ = Vault.create(folder / "vault", PASS, kdf=keys.minimum_params())
        client = vault.clients.add("Reader")
        with vault.db.write() as conn:
            for i in range(args.entries):
                insert_entry(conn, client.id, EntryFields("note", now_utc(), f"note {i}", body="text"))

        stop = threading.Event()
        baseline: list[float] = []
        reader = threading.Thread(target=read_latencies, args=(vault, client.id, stop, baseline))
        reader.start()
        time.sleep(2.0)
        stop.set()
        reader.join()

        stop = threading.Event()
        during: list[float] = []
        reader = threading.Thread(target=read_latencies, args=(vault, client.id, stop, during))
        reader.start()
        start = time.perf_counter()
        result = import_path(vault, client.id, big)
        import_s = time.perf_counter() - start
        stop.set()
        reader.join()
        assert result.status == "imported", result.line()

        stop = threading.Event()
        gaps: list[float] = []
        ticker = threading.Thread(target=ticker_gaps, args=(stop, gaps))
        ticker.start()
        start = time.perf_counter()
        vault.backup(folder / "backup")
        backup_s = time.perf_counter() - start
        stop.set()
        ticker.join()
        vault.lock()

    print(
        f"read during a {args.mb} MB import ({len(during)} reads): p95 {pct(during, 95):7.1f} ms"
        f"  max {max(during):7.1f} ms"
    )
    print(
        f"read with no background work ({len(baseline)} reads): p95 {pct(baseline, 95):7.1f} ms"
        f"  max {max(baseline):7.1f} ms   ratio of max {max(during) / max(baseline):.1f}x"
    )
    print(f"import {args.mb / import_s:.0f} MB/s ({import_s:.1f} s)")
    print(
        f"backup of the vault ({backup_s:.1f} s, copy + verify): another thread's max GIL gap {max(gaps):.1f} ms,"
        f" p99 {pct(gaps, 99):.1f} ms (it sleeps 2 ms between ticks)"
    )


if __name__ == "__main__":
    main()
