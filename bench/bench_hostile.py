"""Hostile inputs: time and peak memory per class, at two sizes, against a plain email.

    python bench/bench_hostile.py [--only to-100k,bundle-10gb-zeros,…] [--inputs DIR] [--repeat 3]

Every class of issue 16 is generated here at its full size and at a quarter of it
(a quarter of the addresses, of the nesting, of the bytes…). Each input is imported (a
bundle: checked by verify-bundle) in a fresh child process into a fresh vault. Columns:

- seconds (the best of ``--repeat`` children per size: the machine is shared), and
  "x base": against a small ordinary .eml imported the same way, same run;
- "cpu t/t¼": the full size's CPU time over the quarter size's (CPU time, not wall time:
  on a machine shared with other jobs the wall time of the same input varies 5x). Linear
  time gives at most ~4 (less when a fixed cost dominates); quadratic would give ~16;
- "above idle": peak RSS (VmHWM) during the import, the peak having been reset
  (/proc/self/clear_refs) once the vault was open, so the Argon2 buffer of the unlock does
  not hide what the import itself took. Target: < 300 MB for any input up to 2 GB.

The inputs are written to a temporary folder removed afterwards, or kept in ``--inputs DIR``
(so that several runs need not regenerate the 10 GB bundle's 40 MB of deflated zeros).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 300

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
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # the peak RSS starts again from the current RSS
    start_rss = hwm()
    start, cpu = time.perf_counter(), time.process_time()
    if {path!r}.endswith(".zip"):
        report = verify_bundle(Path({path!r}))
        status = "refused: " + report.problems[0][:80] if report.problems else "passed"
    else:
        result = import_path(vault, client.id, Path({path!r}))
        status = result.status + (" (kept as a plain file)" if "plain file" in result.line() else "")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({{"seconds": seconds, "cpu": cpu, "idle_mb": idle, "start_mb": start_rss, "peak_mb": hwm(), "status": status}}))
    """
)

HEAD = b"From: a@example.com\nDate: Mon, 1 Jan 2024 10:00:00 +0100\n"
MB = 1024 * 1024


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _sparse(path: Path, head: bytes, size: int) -> None:
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)


def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]], filler: int = 0) -> None:
    """A bundle with its PDF, ``filler`` ordinary small members, then the hostile ones."""
    import warnings

    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        zf.writestr("dossier.pdf", b"%PDF-1.4\n")
        for n in range(filler):
            zf.writestr(f"natives/{n:06d}.txt", b"an ordinary exhibit\n")
        for info, data in members:
            zf.writestr(info, data)


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o120777 << 16
    return info


def _zeros_bundle(path: Path, gigabytes: float) -> None:
    """A real ZIP holding ``gigabytes`` of zeros in one member (deflate level 1, ~40 MB per 10 GB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("dossier.pdf", b"%PDF-1.4\n")
        zf.writestr("manifest.json", json.dumps({"files": [{"name": "natives/zeros.bin", "size": 1000}]}))
        block = b"\x00" * (4 * MB)
        with zf.open("natives/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(int(gigabytes * 1024 / 4)):
                member.write(block)


def _manifest_bundle(path: Path, megabytes: float) -> None:
    """A bundle whose manifest.json is ``megabytes`` of valid JSON (hex names: no bomb ratio)."""
    count = int(megabytes * MB / 100)
    names = os.urandom(count * 32).hex()
    text = (
        "[" + ",".join(f'{{"name":"natives/{names[i * 64 : i * 64 + 64]}","size":1,"x":1}}' for i in range(count)) + "]"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("dossier.pdf", b"%PDF-1.4\n")
        zf.writestr("manifest.json", text)


# name -> (what it is, maker(path, scale)); scale is 1 (full) or 0.25 (a quarter)
Maker = Callable[[Path, float], None]
CLASSES: dict[str, tuple[str, str, Maker]] = {
    "baseline": (
        "ordinary .eml (baseline)",
        "eml",
        lambda p, s: _write(p, HEAD + b"To: b@example.com\nSubject: hi\n\nHello.\n"),
    ),
    "to-100k": (
        "To: with 100 000 addresses",
        "eml",
        lambda p, s: _write(
            p, HEAD + b"To: " + b", ".join(b"u%d@example.com" % i for i in range(int(100_000 * s))) + b"\n\nx\n"
        ),
    ),
    "words-16k": (
        "Subject of 16 000 encoded words",
        "eml",
        lambda p, s: _write(p, HEAD + b"Subject: " + b" ".join([b"=?utf-8?b?YWJj?="] * int(16_000 * s)) + b"\n\nx\n"),
    ),
    "endless-header": (
        "header that never ends (20 MB)",
        "eml",
        lambda p, s: _write(p, HEAD + b"Subject: " + b"x" * int(20_000_000 * s)),
    ),
    "deep-html": (
        "HTML body nested 100 000 deep",
        "eml",
        lambda p, s: _write(
            p,
            HEAD
            + b"Subject: deep\nContent-Type: text/html\n\n"
            + b"<div>" * int(100_000 * s)
            + b"deep"
            + b"</div>" * int(100_000 * s),
        ),
    ),
    "mime-10k-deep": (
        "MIME nested 10 000 deep",
        "eml",
        lambda p, s: _write(
            p,
            HEAD
            + b"Subject: nest\n"
            + b"".join(
                b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(int(10_000 * s))
            )
            + b"Content-Type: text/plain\n\nhi\n",
        ),
    ),
    "sparse-150mb-eml": (
        "sparse .eml, 150 MB",
        "eml",
        lambda p, s: _sparse(p, HEAD + b"Subject: sparse\n\n", int(150 * MB * s)),
    ),
    "sparse-500mb-mbox": (
        "sparse .mbox, 500 MB",
        "mbox",
        lambda p, s: _sparse(
            p, b"From a@example.com Mon Jan  1 10:00:00 2024\n" + HEAD + b"Subject: m\n\n", int(500 * MB * s)
        ),
    ),
    "bundle-manifest-100mb": ("bundle: 100 MB manifest.json", "zip", lambda p, s: _manifest_bundle(p, 100 * s)),
    "bundle-10gb-zeros": ("bundle: 10 GB zero-filled exhibit", "zip", lambda p, s: _zeros_bundle(p, 10 * s)),
    "bundle-zip-slip": (
        "bundle: zip-slip names, 20 000 members",
        "zip",
        lambda p, s: _zip(
            p,
            [("../../etc/evil", b"x"), ("/abs/evil", b"x"), ("natives\\evil.txt", b"x"), ("C:evil.txt", b"x")],
            int(20_000 * s),
        ),
    ),
    "bundle-duplicates": (
        "bundle: duplicate member names, 20 000 members",
        "zip",
        lambda p, s: _zip(p, [("natives/000001.txt", b"y")], int(20_000 * s)),
    ),
    "bundle-symlink": (
        "bundle: symlink entry, 20 000 members",
        "zip",
        lambda p, s: _zip(p, [(_link("natives/link"), b"/etc/passwd")], int(20_000 * s)),
    ),
    "bundle-no-pdf": (
        "bundle without its PDF, 20 000 members",
        "zip",
        lambda p, s: _make_no_pdf(p, int(20_000 * s)),
    ),
}


def _make_no_pdf(path: Path, filler: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", "{}")
        for n in range(filler):
            zf.writestr(f"natives/{n:06d}.txt", b"an ordinary exhibit\n")


def _run_child(folder: Path, tag: str, path: Path) -> dict[str, object]:
    code = CHILD.format(root=str(ROOT), vault=str(folder / f"vault-{tag}"), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    result: dict[str, object] = json.loads(out.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated class names: " + ", ".join(CLASSES))
    parser.add_argument("--inputs", type=Path, help="keep (and reuse) the generated inputs in this folder")
    parser.add_argument("--repeat", type=int, default=3, help="children per size; the best time, the highest peak")
    args = parser.parse_args()
    chosen = [c for c in args.only.split(",") if c] or list(CLASSES)
    if "baseline" not in chosen:
        chosen.insert(0, "baseline")
    with tempfile.TemporaryDirectory(prefix="casefile-bench-hostile-") as tmp:
        work = Path(tmp)
        inputs = args.inputs or work / "inputs"
        inputs.mkdir(parents=True, exist_ok=True)
        print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
        header = (
            f"{'class':<22} {'size MB':>9} {'seconds':>8} {'x base':>7} {'cpu t/t¼':>8}"
            f" {'peak MB':>8} {'above idle':>10}  result"
        )
        print(header, flush=True)
        base = None
        failed = 0
        for name in chosen:
            _what, suffix, make = CLASSES[name]
            timings = {}
            for scale in (0.25, 1.0):
                path = inputs / f"{name}-{int(scale * 100)}.{suffix}"
                if not path.exists():
                    make(path, scale)
                runs = [_run_child(work, f"{name}-{scale}-{n}", path) for n in range(max(1, args.repeat))]
                best = min(runs, key=lambda r: float(r.get("cpu", float("inf"))))  # type: ignore[arg-type]
                if "error" not in best:
                    best = dict(best, peak_mb=max(int(r["peak_mb"]) for r in runs))  # type: ignore[call-overload]
                    best["start_mb"] = min(int(r["start_mb"]) for r in runs)  # type: ignore[call-overload]
                timings[scale] = (path.stat().st_size, best)
            size, full = timings[1.0]
            quarter = timings[0.25][1]
            if "error" in full or "error" in quarter:
                print(f"{name:<22} failed: {full.get('error') or quarter.get('error')}", flush=True)
                failed += 1
                continue
            seconds = float(full["seconds"])  # type: ignore[arg-type]
            if base is None:
                base = seconds
            growth = float(full["cpu"]) / max(float(quarter["cpu"]), 1e-3)  # type: ignore[arg-type]
            above = int(full["peak_mb"]) - int(full["start_mb"])  # type: ignore[call-overload]
            flag = "" if above < TARGET_MB and growth < 8 else "  ** over target"
            print(
                f"{name:<22} {size / 1e6:>9.1f} {seconds:>8.3f} {seconds / max(base, 1e-6):>7.1f} {growth:>8.1f}"
                f" {full['peak_mb']:>8} {above:>10}  {full['status']}{flag}",
                flush=True,
            )
        print(f"load average at end: {os.getloadavg()[0]:.1f}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")
    sys.exit(main())
