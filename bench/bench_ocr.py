"""OCR of screenshots: character accuracy and ms per screenshot, next to the import itself.

    python bench/bench_ocr.py [--shots 6]

Screenshots are rendered here with Pillow from known text (tests/helpers/screens.py):
chat bubbles light and dark, four fonts, 26–36 px, and a photographed-letter page.
Accuracy = 1 − (Levenshtein distance / length of the true text), over the words the
screen shows (whitespace normalised). The baseline in the same run is importing the
same PNG (hash, thumbnails, encrypted write): OCR's share of the whole.
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

LINES = [
    (False, "The tiles are cracked again"),
    (True, "I can come on Thursday at 9"),
    (False, "Refund the 450 deposit or my lawyer calls"),
    (True, "Invoice 1057 is attached, as agreed"),
]


def distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=int, default=6)
    args = parser.parse_args()
    from PIL import Image

    from app.ingest.importer import import_path
    from app.ingest.ocr import OcrEngine
    from app.vault import Vault
    from tests.helpers.screens import FONTS, chat_screenshot, letter_photo

    cases = []
    for i in range(args.shots):
        font, size, dark = FONTS[i % len(FONTS)], 26 + 2 * (i % 6), i % 2 == 1
        lines = LINES[i % 2 :] + LINES[: i % 2]
        cases.append(
            (
                f"chat {font} {size}px {'dark' if dark else 'light'}",
                chat_screenshot(lines, dark=dark, font=font, size=size),
                " ".join(["Gerald Whitmore", *(t for _o, t in lines)]),
            )
        )
    letter = ["FINAL NOTICE", "Balance owed: 1,250.00", "Pay within 14 days or we go to court"]
    cases.append(("letter DejaVuSans 30px", letter_photo(letter, font=FONTS[0], size=30), " ".join(letter)))
    start = time.perf_counter()
    engine = OcrEngine()
    load_ms = (time.perf_counter() - start) * 1000
    import io

    total_err = total_len = 0
    ocr_ms: list[float] = []
    with tempfile.TemporaryDirectory(prefix="casefile-bench-ocr-") as tmp:
        vault, _ = Vault.create(Path(tmp) / "v", "benchmark passphrase")
        client_id = vault.clients.add("Bench").id
        import_ms: list[float] = []
        for index, (name, data, truth) in enumerate(cases):
            path = Path(tmp) / f"shot-{index}.png"
            path.write_bytes(data)
            t0 = time.perf_counter()
            assert import_path(vault, client_id, path).ok
            import_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            text = engine.read_image(Image.open(io.BytesIO(data)))
            ocr_ms.append((time.perf_counter() - t0) * 1000)
            got, want = " ".join(text.split()), " ".join(truth.split())
            err = distance(got, want)
            total_err += err
            total_len += len(want)
            print(f"  {name:<40} {1 - err / len(want):6.1%}  {ocr_ms[-1]:6.0f} ms")
        vault.lock()
    mean_ocr, mean_import = sum(ocr_ms) / len(ocr_ms), sum(import_ms) / len(import_ms)
    print(f"character accuracy {1 - total_err / total_len:.1%} over {len(cases)} screenshots ({total_len} characters)")
    print(
        f"OCR {mean_ocr:.0f} ms per screenshot (model load {load_ms:.0f} ms once); import alone {mean_import:.0f} ms;"
        f" OCR is {mean_ocr / (mean_ocr + mean_import):.0%} of import + OCR ({mean_ocr / mean_import:.1f}x the import)"
    )


if __name__ == "__main__":
    main()
