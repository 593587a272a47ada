"""Phone-message imports: messages/s and peak memory, each next to a baseline run here.

    python bench/bench_chats.py [--sms 100000] [--whatsapp 40000]

1. SMS Backup & Restore XML with N messages (nine in ten with the client, one in ten
   with someone else, an emoji in each written as a surrogate pair): `casefile`'s import
   (parse, repair, thread entries, encrypted write) vs the stdlib expat parser alone
   reading the same file with empty handlers.
2. A WhatsApp .txt with N messages (two senders, a multi-line message every tenth):
   import vs reading the lines and matching the line pattern only.

Each run is a child process, so its peak memory (ru_maxrss) is its own; the ratio
of peak memory import/baseline shows what the vault side adds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")

PASSPHRASE = "benchmark passphrase"


def _write_whatsapp(path: Path, n: int) -> None:
    from tests.helpers.chats import wa_line

    start = datetime(2025, 1, 13, 8, 0)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            who = "Gerald Whitmore" if i % 2 else "Sam"
            text = f"message {i} about the kitchen tiles"
            if i % 10 == 0:
                text += "\nand a second line 😡"
            out.write(wa_line("android_uk", start + timedelta(minutes=3 * i), who, text) + "\n")


def child(kind: str, path: str) -> None:
    """Run one measurement in this process and print it as JSON."""
    start = time.perf_counter()
    count = 0
    if kind == "sms-baseline":
        from xml.parsers import expat

        parser = expat.ParserCreate()

        def on_start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal count
            count += tag == "sms"

        parser.StartElementHandler = on_start
        with open(path, "rb") as stream:
            while chunk := stream.read(1024 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    elif kind == "wa-baseline":
        from app.ingest.whatsapp import _LINE

        with open(path, encoding="utf-8") as stream:
            count = sum(1 for line in stream if _LINE.match(line))
    else:
        from app.ingest.chats import ChatOptions
        from app.ingest.importer import import_path
        from app.vault import Vault

        work = Path(tempfile.mkdtemp(prefix="casefile-bench-chats-"))
        vault, _ = Vault.create(work / "v", PASSPHRASE)
        client_id = vault.clients.add("Gerald Whitmore", phones=["+1 (555) 010-7788"]).id
        start = time.perf_counter()
        result = import_path(vault, client_id, Path(path), chat=ChatOptions(zone="Europe/London", date_order="dmy"))
        if result.status != "imported":
            raise SystemExit(result.line())
        with vault.db.read() as conn:
            rows = conn.execute(
                "SELECT metadata FROM attachments WHERE media_type = 'application/vnd.casefile.thread+json'"
            ).fetchall()
        count = sum(len(json.loads(r[0])["thread"]["keys"]) for r in rows)
        vault.lock()
        import shutil

        shutil.rmtree(work)
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "messages": count, "peak_mb": peak_kb / 1024}))


def _run(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sms", type=int, default=100_000)
    parser.add_argument("--whatsapp", type=int, default=40_000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from tests.helpers.chats import write_sms_stream

    with tempfile.TemporaryDirectory(prefix="casefile-bench-chats-") as tmp:
        work = Path(tmp)
        sms = work / "sms-backup.xml"
        write_sms_stream(sms, args.sms)
        size_mb = sms.stat().st_size / 1024 / 1024
        # The baseline reads the same messages with the emoji as one valid reference
        # (the app's surrogate pairs are invalid XML, which expat alone would refuse).
        valid = work / "sms-valid.xml"
        with sms.open("rb") as src, valid.open("wb") as dst:
            for line in src:
                dst.write(line.replace(b"&#55357;&#56832;", b"&#128512;"))
        base, imp = _run("sms-baseline", valid), _run("sms-import", sms)
        print(f"SMS XML, {args.sms} messages ({size_mb:.1f} MB), {imp['messages']} in the client's conversation:")
        print(
            f"  expat alone      {base['messages'] / base['seconds']:>9.0f} messages/s   peak {base['peak_mb']:.0f} MB"
        )
        print(f"  casefile import  {imp['messages'] / imp['seconds']:>9.0f} messages/s   peak {imp['peak_mb']:.0f} MB")
        print(
            f"  ratio import/expat: time {imp['seconds'] / base['seconds']:.1f}x, memory {imp['peak_mb'] / base['peak_mb']:.1f}x"
        )
        wa = work / "WhatsApp Chat with Gerald Whitmore.txt"
        _write_whatsapp(wa, args.whatsapp)
        base, imp = _run("wa-baseline", wa), _run("wa-import", wa)
        print(f"WhatsApp .txt, {args.whatsapp} messages ({wa.stat().st_size / 1024 / 1024:.1f} MB):")
        print(
            f"  lines + regex    {base['messages'] / base['seconds']:>9.0f} messages/s   peak {base['peak_mb']:.0f} MB"
        )
        print(f"  casefile import  {imp['messages'] / imp['seconds']:>9.0f} messages/s   peak {imp['peak_mb']:.0f} MB")
        print(
            f"  ratio import/regex: time {imp['seconds'] / base['seconds']:.1f}x, memory {imp['peak_mb'] / base['peak_mb']:.1f}x"
        )


if __name__ == "__main__":
    main()
