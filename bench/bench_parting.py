"""Parting-ways benchmark: pattern of a 10k-entry client, letter checks, do-not-serve matching.

Run: .venv/bin/python bench/bench_parting.py   (prints medians and ratios against a
baseline measured in the same run on the same data).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")

from app.parting.dns import match_person
from app.parting.letter_checks import check_letter
from app.parting.letters import render
from app.parting.pattern import client_pattern
from app.records.models import EntryFields
from app.vault import Vault

KINDS = ("call", "email", "incident", "complaint", "note", "invoice", "payment", "legal_threat", "meeting")


def median_ms(fn, repeat: int = 15) -> float:  # type: ignore[no-untyped-def]
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    from app.records.entries import insert_entry

    with tempfile.TemporaryDirectory() as tmp:
        vault, _ = Vault.create(Path(tmp) / "v", "bench-passphrase")
        client = vault.clients.add("Heavy Client")
        start = datetime(2024, 1, 1, tzinfo=UTC)
        with vault.db.write() as conn:
            for i in range(10_000):
                kind = KINDS[i % len(KINDS)]
                amount = 10_000 + i if kind in ("invoice", "payment") else None
                fields = EntryFields(
                    kind, start + timedelta(hours=2 * i), f"{kind} {i}", "body", duration_min=5, amount_cents=amount
                )
                insert_entry(conn, client.id, fields)
        for i in range(1_000):
            c = vault.clients.add(f"Client {i} Person", emails=[f"c{i}@example.com"], phones=[f"+1 312 555 {i:04d}"])
            if i % 20 == 0:
                vault.clients.set_status(c.id, "do_not_serve", "bench")
        now = start + timedelta(days=840)

        pattern = median_ms(lambda: client_pattern(vault, client.id, now=now))
        baseline = median_ms(
            lambda: vault.db.all(
                "SELECT r.kind, count(*), sum(r.duration_min) FROM entries e"
                " JOIN revisions r ON r.entry_id = e.id AND r.rev = e.current_rev"
                " WHERE e.client_id = ? GROUP BY r.kind",
                (client.id,),
            )
        )
        print(
            f"pattern of a 10,000-entry client: {pattern:.1f} ms (plain SQL group-by {baseline:.1f} ms, "
            f"{pattern / baseline:.1f}x)"
        )

        letter = render(vault, client.id, "after-conduct").body * 2
        check = median_ms(lambda: check_letter(letter), repeat=200)
        one_regex = re.compile(r"\bmight\b", re.IGNORECASE)
        base = median_ms(lambda: one_regex.findall(letter), repeat=200)
        print(
            f"letter checks on a {len(letter):,}-char letter: {check:.2f} ms per run "
            f"(one regex scan {base:.3f} ms, {check / base:.0f}x; budget per keystroke 16 ms)"
        )

        dns = median_ms(lambda: match_person(vault, name="Client 500 Person", emails=["c500@example.com"]))
        listing = median_ms(lambda: vault.clients.list())
        print(
            f"do-not-serve match among 1,001 clients (50 do-not-serve): {dns:.1f} ms "
            f"(listing the clients {listing:.1f} ms, {dns / listing:.1f}x)"
        )
        vault.lock()


if __name__ == "__main__":
    main()
