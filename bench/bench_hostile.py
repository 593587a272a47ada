"""Hostile inputs: time and peak memory per class, against a plain email imported in the same run.

    python bench/bench_hostile.py

Each class is imported (or checked, for the bundle) in a fresh child process into a
fresh vault, so its peak RSS (VmHWM) is its own; the ratio columns compare with a
small ordinary .eml imported the same way. Target (issue 16): every input accepted
or refused in time linear in its size, peak memory < 300 MB above the idle process.
The inputs are generated here, in a temporary folder removed afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path.insert(0, {root!r})
    os.environ["CASEFILE_KDF_PROFILE"] = "minimum"
    from pathlib import Path
    def hwm():
        return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) // 1024
    from app.vault import Vault
    from app.ingest.importer import import_path
    from app.dossier.verify_bundle import verify_bundle
    vault, _ = Vault.create(Path({vault!r}), "bench passphrase")
    client = vault.clients.add("Bench")
    idle = hwm()
    start = time.perf_counter()
    if {path!r}.endswith(".zip"):
        report = verify_bundle(Path({path!r}))
        status = "refused: " + report.problems[0][:70] if report.problems else "ok"
    else:
        result = import_path(vault, client.id, Path({path!r}))
        status = result.status + (" (kept as a plain file)" if "plain file" in result.line() else "")
    print(json.dumps({{"seconds": time.perf_counter() - start, "idle_mb": idle, "peak_mb": hwm(), "status": status}}))
    """
)


def make_inputs(folder: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        files[name] = folder / name
        files[name].write_bytes(data)

    head = b"From: a@example.com\nDate: Mon, 1 Jan 2024 10:00:00 +0100\n"
    put("baseline.eml", head + b"To: b@example.com\nSubject: hello\n\nAn ordinary message.\n")
    put("to-100k.eml", head + b"To: " + b", ".join(b"u%d@example.com" % i for i in range(100_000)) + b"\n\nx\n")
    put("subject-16k-words.eml", head + b"Subject: " + b" ".join([b"=?utf-8?b?YWJj?="] * 16_000) + b"\n\nx\n")
    put("endless-header.eml", head + b"Subject: " + b"x" * 20_000_000)
    deep = b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000
    put("deep-html.eml", head + b"Subject: deep\nContent-Type: text/html\n\n" + deep)
    nested = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(10_000))
    put("mime-10k-deep.eml", head + b"Subject: nest\n" + nested + b"Content-Type: text/plain\n\nhi\n")
    sparse = folder / "sparse-150mb.eml"
    with sparse.open("wb") as handle:
        handle.write(head + b"Subject: sparse\n\n")
        handle.truncate(150 * 1024 * 1024)
    files[sparse.name] = sparse
    bomb = folder / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dossier.pdf", b"%PDF-1.4")
        with zf.open("natives/zeros.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(1024):  # 1 GB of zeros, ~1 MB compressed
                member.write(block)
    files[bomb.name] = bomb
    return files


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="casefile-bench-hostile-") as tmp:
        folder = Path(tmp)
        inputs = make_inputs(folder)
        rows = []
        for index, (name, path) in enumerate(inputs.items()):
            code = CHILD.format(root=str(ROOT), vault=str(folder / f"v{index}"), path=str(path))
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
            if out.returncode != 0:
                print(f"{name}: failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            rows.append((name, path.stat().st_size, json.loads(out.stdout)))
        base = rows[0][2]
        print(f"{'class':<24} {'size MB':>8} {'seconds':>8} {'x base':>7} {'peak MB':>8} {'above idle':>10}  result")
        for name, size, r in rows:
            ratio = r["seconds"] / max(base["seconds"], 1e-6)
            above = r["peak_mb"] - r["idle_mb"]
            print(
                f"{name:<24} {size / 1e6:>8.1f} {r['seconds']:>8.3f} {ratio:>7.1f}"
                f" {r['peak_mb']:>8} {above:>10}  {r['status']}"
            )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")
    sys.exit(main())
