"""Evidence benchmarks (issue 10 §3-4), each against a baseline measured in the same run.

sign      what signing and checking add to a dossier export (500 entries + photos + PDFs):
          the PAdES signature, the manifest's ledger hashes and Ed25519 signature, and
          verify-bundle's signature + PDF-index checks, as a share of the export itself
          (target < 5 %); with --tsa, also the cost of anchoring against a local TSA
verify    `casefile verify` of a large vault (entries, ledger events, attachment bytes, a few
          RFC 3161 anchors) vs `sha256sum` over the same attachment bytes plus a plain SQLite
          scan of the same events; time and peak memory

  .venv/bin/python bench/bench_evidence.py [--entries 500] [--photos 100] [--pdfs 10]
                                           [--verify-entries 100000] [--verify-mb 512] [--tsa]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")
os.environ.setdefault("CASEFILE_TSA_LOOPBACK_ONLY", "1")  # a benchmark never asks a public TSA

from bench_dossier import PeakRss, build_vault, rss_mb  # noqa: E402


def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def bench_sign(root: Path, entries: int, photos: int, pdfs: int, use_tsa: bool) -> None:
    from app.dossier.bundle import manifest
    from app.dossier.export import build_dossier_pdf, save_dossier
    from app.dossier.select import DossierOptions
    from app.dossier.verify_bundle import verify_bundle
    from app.evidence.manifest import add_ledger_hashes, check_pdf_index, check_signature
    from app.evidence.pdfsign import sign_pdf

    vault, client_id, _texts = build_vault(root / "vault", entries, photos, pdfs)
    vault.settings.set("anchor_after_export", "off")  # type: ignore[attr-defined]
    options = DossierOptions(client_id)  # type: ignore[arg-type]
    save_dossier(vault, build_dossier_pdf(vault, options), root / "warm-up")  # type: ignore[arg-type]
    began = time.perf_counter()
    built = build_dossier_pdf(vault, options)  # type: ignore[arg-type]
    result = save_dossier(vault, built, root / "out")  # type: ignore[arg-type]
    export = time.perf_counter() - began
    business = built.layout.selection.business_name

    fields = iter(range(100))  # the PDF is signed already: each timing adds another signature field
    sign = timed(lambda: sign_pdf(built.pdf, vault, business, field_name=f"Bench{next(fields)}"))
    record = manifest(built.layout, result.pdf_path.name, result.pdf_sha256)
    hashes = timed(lambda: add_ledger_hashes(built.layout, json.loads(json.dumps(record))))
    manifest_bytes = json.dumps(record, indent=2).encode()
    sig = timed(lambda: vault.signing.sign(manifest_bytes))  # type: ignore[attr-defined]
    with zipfile.ZipFile(result.zip_path) as zf:
        names = zf.namelist()
        pdf_bytes = zf.read(result.pdf_path.name)
        stated = json.loads(zf.read("manifest.json"))
        check = timed(lambda: check_signature(zf, names))
    index = timed(lambda: check_pdf_index(pdf_bytes, stated))
    whole_check = timed(lambda: verify_bundle(result.zip_path), repeat=1)
    added = sign + hashes + sig + check + index
    base = export - sign - hashes - sig
    print(f"export of {result.pages} pages, {result.exhibits} exhibits: {export:.2f} s (signing included)")
    print(
        f"  PAdES signature {sign * 1000:.0f} ms, manifest ledger hashes {hashes * 1000:.0f} ms, "
        f"Ed25519 {sig * 1000:.2f} ms; verify-bundle signature {check * 1000:.1f} ms, PDF index {index * 1000:.0f} ms"
    )
    print(
        f"signing + checking add {added:.3f} s to an export of {base:.2f} s without them: "
        f"{100 * added / base:.1f} % (target < 5 %); the whole verify-bundle takes {whole_check:.2f} s"
    )
    if use_tsa:
        from tests.helpers.tsa import LocalTsa

        tsa = LocalTsa()
        try:
            vault.anchors.set_tsa_urls([tsa.url])  # type: ignore[attr-defined]
            vault.settings.set("anchor_after_export", "on")  # type: ignore[attr-defined]
            began = time.perf_counter()
            save_dossier(vault, build_dossier_pdf(vault, options), root / "out-tsa")  # type: ignore[arg-type]
            with_tsa = time.perf_counter() - began
        finally:
            tsa.close()
        print(
            f"with a local TSA (B-T signature + PDF and manifest tokens): {with_tsa:.2f} s, "
            f"{with_tsa / export:.2f}x the export without anchoring"
        )
    vault.lock()  # type: ignore[attr-defined]


def bench_verify(root: Path, entries: int, megabytes: int) -> None:
    from app.records.entries import insert_entry
    from app.records.models import EntryFields
    from app.records.times import parse_when
    from app.vault import Vault
    from tests.helpers.tsa import LocalTsa

    vault, _ = Vault.create(root / "big", "bench passphrase 1234")
    client = vault.clients.add("Bench Client")
    when, _ = parse_when("2026-03-08T10:00+00:00")
    began = time.perf_counter()
    for offset in range(0, entries, 5000):
        with vault.db.write() as conn:
            for i in range(offset, min(entries, offset + 5000)):
                insert_entry(conn, client.id, EntryFields("call", when, f"Call {i}", "He called again about it. " * 8))
    entry = vault.entries.log(client.id, EntryFields("document", when, "Files"))
    natives = root / "natives"
    natives.mkdir()
    chunk = 32
    for i in range(max(1, megabytes // chunk)):
        data = os.urandom(chunk * 1024 * 1024)
        (natives / f"file-{i}.bin").write_bytes(data)
        vault.attachments.add_stream(entry.id, io.BytesIO(data), f"file-{i}.bin")
        del data
    tsa = LocalTsa()
    try:
        for _ in range(5):
            vault.anchors.anchor_seal([tsa.url])
            vault.clients.add("Another")  # the record moves on between anchors
    finally:
        tsa.close()
    events = vault.head().count
    print(f"setup: {entries:,} entries, {events:,} ledger events, {megabytes} MB of attachments, 5 anchors "
          f"in {time.perf_counter() - began:.0f} s")  # fmt: skip
    # baseline 2: a plain SQLite copy of the same events, scanned row by row
    plain = sqlite3.connect(root / "plain.db")
    plain.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, at, action, subject, payload, prev_hash, hash)")
    with vault.db.read() as conn:
        for offset in range(0, events, 20000):
            rows = conn.execute("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT 20000", (offset,)).fetchall()
            plain.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?)", rows)
    plain.commit()
    plain.close()
    vault.lock()
    subprocess.run(["sync"], check=False)

    def scan() -> None:
        db = sqlite3.connect(root / "plain.db")
        for _row in db.execute("SELECT * FROM events"):
            pass
        db.close()

    scan_time = timed(scan, repeat=1)
    files = sorted(str(p) for p in natives.iterdir())
    sums_time = timed(lambda: subprocess.run(["sha256sum", *files], check=True, capture_output=True), repeat=1)
    with Vault.open(root / "big", "bench passphrase 1234") as vault:
        gc.collect()
        before = rss_mb()
        watcher = PeakRss()
        watcher.start()
        began = time.perf_counter()
        report = vault.verify()
        elapsed = time.perf_counter() - began
        watcher.running = False
        watcher.join()
    assert report.ok, report.problems
    assert len(report.anchored) == 5
    baseline = sums_time + scan_time
    print(
        f"sha256sum over the same {megabytes} MB: {sums_time:.2f} s; plain SQLite scan of {events:,} events: {scan_time:.2f} s"
    )
    print(
        f"casefile verify: {elapsed:.2f} s = {elapsed / baseline:.2f}x (sha256sum + plain scan); "
        f"memory {before:.0f} MB before, {watcher.peak:.0f} MB peak ({watcher.peak - before:+.0f} MB)"
    )
    shutil.rmtree(natives)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--pdfs", type=int, default=10)
    parser.add_argument("--verify-entries", type=int, default=100_000)
    parser.add_argument("--verify-mb", type=int, default=512)
    parser.add_argument("--tsa", action="store_true", help="also export with a local TSA (openssl ts)")
    parser.add_argument("--only", choices=("sign", "verify"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.only in (None, "sign"):
            bench_sign(root, args.entries, args.photos, args.pdfs, args.tsa)
        if args.only in (None, "verify"):
            bench_verify(root, args.verify_entries, args.verify_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
