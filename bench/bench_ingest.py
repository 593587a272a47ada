"""Ingest throughput, each figure next to a baseline measured in the same run.

    python bench/bench_ingest.py [--mb 320] [--photos 12] [--heic 10] [--emails 1000]

1. Non-image files (random bytes, 16 MB each): import MB/s vs `cp` + `sha256sum`
   of the same files (both read every byte; the import also encrypts and writes).
2. 12 MP JPEGs, imported with both thumbnails: photos/s vs Pillow decoding alone.
3. HEIC photos (the corpus iPhone photo, each copy made unique by a 'free' box):
   photos/s vs pi-heif decoding alone.
4. 1000 small .eml files: messages/s.

Every import goes into a fresh vault (floor Argon2 parameters: opening is not
what is measured). Files live in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")

from app.ingest.importer import import_paths  # noqa: E402
from app.vault import Vault  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
PASSPHRASE = "benchmark passphrase"


def _fresh_vault(work: Path, name: str) -> tuple[Vault, int]:
    vault, _ = Vault.create(work / name, PASSPHRASE)
    return vault, vault.clients.add("Bench").id


def _timed_import(work: Path, name: str, files: list[Path]) -> float:
    vault, client_id = _fresh_vault(work, name)
    try:
        start = time.perf_counter()
        results = import_paths(vault, client_id, files)
        elapsed = time.perf_counter() - start
    finally:
        vault.lock()
    bad = [r.line() for r in results if r.status != "imported"]
    if bad:
        raise SystemExit(f"benchmark import failed: {bad[:3]}")
    return elapsed


def bench_files(work: Path, total_mb: int) -> dict[str, float]:
    folder = work / "files"
    folder.mkdir()
    files = []
    for i in range(max(1, total_mb // 16)):
        path = folder / f"scan-{i:03d}.bin"
        path.write_bytes(os.urandom(16 * 1024 * 1024))
        files.append(path)
    mb = sum(p.stat().st_size for p in files) / 1024 / 1024
    copy_dir = work / "copy"
    copy_dir.mkdir()
    start = time.perf_counter()
    subprocess.run(["cp", *map(str, files), str(copy_dir)], check=True)
    subprocess.run(["sha256sum", *map(str, files)], check=True, stdout=subprocess.DEVNULL)
    baseline = time.perf_counter() - start
    shutil.rmtree(copy_dir)
    elapsed = _timed_import(work, "v-files", files)
    return {"MB": mb, "import MB/s": mb / elapsed, "cp+sha256sum MB/s": mb / baseline, "ratio": baseline / elapsed}


def _jpeg_12mp(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(400):  # some detail, so it compresses like a photo rather than a flat card
        x, y = rng.randrange(4000), rng.randrange(3000)
        draw.ellipse(
            (x, y, x + rng.randrange(20, 300), y + rng.randrange(20, 300)),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _decode_alone(files: list[Path]) -> float:
    from PIL import Image

    from app.ingest.images import _register_heif

    _register_heif()
    start = time.perf_counter()
    for path in files:
        with Image.open(path) as image:
            image.load()
    return time.perf_counter() - start


def bench_photos(work: Path, count: int) -> dict[str, float]:
    folder = work / "photos"
    folder.mkdir()
    files = []
    for i in range(count):
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(_jpeg_12mp(i))
        files.append(path)
    decode = _decode_alone(files)
    elapsed = _timed_import(work, "v-photos", files)
    return {"photos": count, "import/s": count / elapsed, "Pillow decode/s": count / decode, "ratio": decode / elapsed}


def bench_heic(work: Path, count: int) -> dict[str, float]:
    folder = work / "heic"
    folder.mkdir()
    original = (CORPUS / "images" / "heic" / "IMG_5195.HEIC").read_bytes()
    files = []
    for i in range(count):
        path = folder / f"IMG_{i:04d}.HEIC"
        payload = f"copy {i}".encode()
        path.write_bytes(original + struct.pack(">I", 8 + len(payload)) + b"free" + payload)
        files.append(path)
    decode = _decode_alone(files)
    elapsed = _timed_import(work, "v-heic", files)
    return {"photos": count, "import/s": count / elapsed, "pi-heif decode/s": count / decode, "ratio": decode / elapsed}


def bench_emails(work: Path, count: int) -> dict[str, float]:
    folder = work / "mail"
    folder.mkdir()
    files = []
    for i in range(count):
        path = folder / f"{i:05d}.eml"
        path.write_text(
            f"From: Gerald Whitmore <gerald@example.com>\nTo: Owner <owner@example.com>\n"
            f"Subject: Re: invoice {i}\nDate: Mon, 3 Mar 2025 09:{i % 60:02d}:00 -0500\n"
            f"Message-ID: <{i}@example.com>\nIn-Reply-To: <{i - 1}@example.com>\n\n"
            f"I will not pay invoice {i} until the tiles are redone.\n" * 1
        )
        files.append(path)
    elapsed = _timed_import(work, "v-mail", files)
    return {"emails": count, "import/s": count / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=320)
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--heic", type=int, default=10)
    parser.add_argument("--emails", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casefile-bench-") as tmp:
        work = Path(tmp)
        for label, run in (
            ("non-image files", lambda: bench_files(work, args.mb)),
            ("12 MP JPEG with thumbnails", lambda: bench_photos(work, args.photos)),
            ("HEIC with thumbnails", lambda: bench_heic(work, args.heic)),
            (".eml files", lambda: bench_emails(work, args.emails)),
        ):
            figures = run()
            print(f"{label:28} " + "  ".join(f"{k} {v:.2f}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
