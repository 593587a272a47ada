"""Several Casefile processes on one vault at once: writers wait, nothing typed is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import CORPUS, PASSPHRASE
from tests.helpers.cli import ROOT, CliRunner

LOGS = 200
BIG_MB = 120


def test_an_import_200_logs_and_watch_at_once_lose_nothing(cli: CliRunner, tmp_path: Path) -> None:
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    big = tmp_path / "site-video.bin"
    with big.open("wb") as out:
        for _ in range(BIG_MB):
            out.write(os.urandom(1024 * 1024))
    inbox = tmp_path / "Inbox"
    (inbox / "Gerald Whitmore").mkdir(parents=True)

    env = cli.env()
    watch = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "watch", "--inbox", str(inbox), "--settle", "0.3"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    importer = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "import", "Gerald Whitmore", str(big)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    emails = sorted((CORPUS / "email" / "eml").glob("*.eml"))[:10]
    assert emails

    def log(i: int):  # type: ignore[no-untyped-def]
        if i % 20 == 0:  # meanwhile files land in the watched Inbox
            source = emails[(i // 20) % len(emails)]
            shutil.copy(source, inbox / "Gerald Whitmore" / f"{i:03d}-{source.name}")
        return cli("log", "Gerald Whitmore", "--kind", "call", "--title", f"call {i:03d}", "--body", "typed")

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(log, range(LOGS)))
        import_out, import_err = importer.communicate(timeout=120)
        deadline = time.monotonic() + 60
        while any((inbox / "Gerald Whitmore").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        watch.terminate()
        watch_out, watch_err = watch.communicate(timeout=30)
        importer.kill()

    failed = [(r.code, r.err) for r in results if r.code != 0]
    assert not failed, failed[:3]
    assert importer.returncode == 0, import_err
    assert "1 imported" in import_out, import_out
    every_stderr = "".join(r.err for r in results) + import_err + watch_err
    assert "database is locked" not in every_stderr.lower()
    assert "Traceback" not in every_stderr
    assert not any((inbox / "Gerald Whitmore").iterdir()), watch_out + watch_err

    entries = cli.ok("timeline", "Gerald Whitmore", "--json").json()
    titles = {e["title"] for e in entries}
    assert {f"call {i:03d}" for i in range(LOGS)} <= titles
    taken = [p for p in (inbox / "Imported").rglob("*") if p.is_file()]
    assert len(taken) == LOGS // 20, watch_out + watch_err
    assert not (inbox / "Failed").exists() or not any((inbox / "Failed").iterdir())
    verified = cli("verify")
    assert verified.code == 0, verified.out + verified.err
    assert PASSPHRASE not in every_stderr
