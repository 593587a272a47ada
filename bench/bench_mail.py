"""Mail: IMAP fetch, DKIM cost, PST and mbox imports. ``python bench/bench_mail.py [--messages 2000] [--mbox-mb 300]``.

Printed, each against a baseline measured in the same run:
- IMAP: Casefile's fetch of N messages from a local Dovecot (search, BODY.PEEK, parse, DKIM
  'none', one transaction per 10 messages with their ledger events) vs a bare imaplib loop that
  fetches the same messages and does nothing with them: messages/s and the ratio.
- DKIM: verifying one signed message (dkimpy, key from an in-memory resolver) vs parsing it
  with the email reader: ms per message and the ratio.
- PST: the 17-message sample imported repeatedly (no writer of PST files exists in Python to
  make a 10 000-message one): messages/s, and peak memory of the importing process.
- mbox: a generated mailbox of --mbox-mb MB (messages with 1 MB bodies) imported in a child
  process: peak RSS vs the file's size (flat memory means the RSS does not grow with the file).
"""

from __future__ import annotations

import argparse
import imaplib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")

from app.vault import Vault  # noqa: E402

PASS = "benchmark passphrase"
PST = ROOT / "tests" / "data" / "corpus" / "email" / "pst" / "support.pst"


def bench_imap(folder: Path, count: int) -> None:
    from app.mail.accounts import MailAccounts
    from app.mail.imap import fetch_client_mail
    from tests.helpers.dovecot import PASSWORD, USER, Dovecot
    from tests.test_mail_imap import sent_message

    server = Dovecot()
    for n in range(count):
        server.seed("INBOX", sent_message(n), seen=True)
    server.start()
    try:
        conn = server.client()  # warm Dovecot's index so neither side pays for building it
        conn.select("INBOX", readonly=True)
        conn.logout()
        started = time.perf_counter()
        conn = imaplib.IMAP4("127.0.0.1", server.port)
        conn.login(USER, PASSWORD)
        conn.select("INBOX", readonly=True)
        _typ, data = conn.uid("SEARCH", "FROM", '"owner@example.test"')
        uids = data[0].split()
        for start in range(0, len(uids), 50):
            conn.uid("FETCH", b",".join(uids[start : start + 50]).decode(), "(UID INTERNALDATE BODY.PEEK[])")
        conn.logout()
        bare = time.perf_counter() - started
        vault, _ = Vault.create(folder / "imap-vault", PASS)
        client = vault.clients.add("Doug Sauder", emails=["dwsauder@example.com"])
        MailAccounts(vault.db).add(
            "local", password=PASSWORD, username=USER, host="127.0.0.1", port=server.port, tls="none"
        )
        started = time.perf_counter()
        report = fetch_client_mail(vault, client.id)
        ours = time.perf_counter() - started
        assert report.imported == count, report
        vault.lock()
    finally:
        server.cleanup()
    print(
        f"IMAP fetch of {count} messages: Casefile {count / ours:,.0f} msg/s ({ours:.1f} s), "
        f"bare imaplib {count / bare:,.0f} msg/s ({bare:.2f} s): ratio {bare / ours:.2f}x of bare"
    )


def bench_dkim(rounds: int = 200) -> None:
    from app.ingest.email import message_item
    from app.mail.dkim import check
    from app.records.times import now_utc
    from tests.test_invariant import _dkim_key
    from tests.test_mail_dkim import message, resolver, signed

    private, record = _dkim_key()
    raw = signed(private, message(body="A body of a few lines.\n" * 40))
    lookup = resolver({"s1._domainkey.example.com": record})
    assert check(raw, lookup)["status"] == "pass"
    started = time.perf_counter()
    for _ in range(rounds):
        message_item(raw, "m.eml", now_utc())
    parse = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        check(raw, lookup)
    verify = (time.perf_counter() - started) / rounds
    print(
        f"DKIM verification: {verify * 1000:.2f} ms per message (RSA-1024, key from memory; DNS not counted), "
        f"parsing the same message {parse * 1000:.2f} ms: DKIM costs {verify / parse:.1f}x a parse"
    )


def bench_pst(folder: Path, repeats: int) -> None:
    code = f"""
import os, sys, time, resource
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from app.vault import Vault
from app.ingest.importer import import_path
v, _ = Vault.create(Path({str(folder / "pst-vault")!r}), {PASS!r})
started = time.perf_counter(); n = 0
for i in range({repeats}):
    c = v.clients.add(f"Client {{i}}")
    n += len(import_path(v, c.id, Path({str(PST)!r})).entry_ids)
took = time.perf_counter() - started
print(n, took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    n, took, rss = int(out[0]), float(out[1]), int(out[2])
    print(f"PST import: {n} messages in {took:.1f} s = {n / took:,.0f} msg/s; peak RSS {rss / 1024:.0f} MB")


def make_mbox(path: Path, megabytes: int) -> int:
    body = ("x" * 76 + "\n").encode() * (1024 * 1024 // 77)
    count = 0
    with path.open("wb") as out:
        while out.tell() < megabytes * 1024 * 1024:
            out.write(
                f"From gerald@example.com Mon Mar 03 14:03:00 2025\nFrom: gerald@example.com\n"
                f"To: owner@example.test\nSubject: Part {count}\nMessage-ID: <p{count}@example.com>\n"
                f"X-Gmail-Labels: Clients\n\n".encode()
            )
            out.write(body + f"{count}\n\n".encode())
            count += 1
    return count


def bench_mbox(folder: Path, megabytes: int) -> None:
    results = []
    for size in (max(megabytes // 10, 10), megabytes):
        path = folder / f"takeout-{size}.mbox"
        count = make_mbox(path, size)
        code = f"""
import os, sys, time, resource
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from app.vault import Vault
from app.ingest.importer import import_path
v, _ = Vault.create(Path({str(folder / f"mbox-vault-{size}")!r}), {PASS!r})
c = v.clients.add("Gerald")
started = time.perf_counter()
r = import_path(v, c.id, Path({str(path)!r}))
assert len(r.entry_ids) == {count}, r.line()
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        results.append((size, count, float(out[0]), int(out[1]) / 1024))
        path.unlink()
    (small, _n1, _t1, rss_small), (big, n2, t2, rss_big) = results
    print(
        f"mbox streamed: {big} MB ({n2} messages) in {t2:.1f} s = {big / t2:.0f} MB/s, peak RSS {rss_big:.0f} MB "
        f"vs {rss_small:.0f} MB for {small} MB: RSS ratio {rss_big / rss_small:.2f}x for {big / small:.0f}x the file"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--pst-repeats", type=int, default=30)
    parser.add_argument("--mbox-mb", type=int, default=300)
    args = parser.parse_args()
    print(f"(peak RSS of this process at start: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    with tempfile.TemporaryDirectory(prefix="cf-bench-mail-") as tmp:
        folder = Path(tmp)
        bench_dkim()
        bench_pst(folder, args.pst_repeats)
        bench_imap(folder, args.messages)
        bench_mbox(folder, args.mbox_mb)


if __name__ == "__main__":
    main()
