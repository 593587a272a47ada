"""Every CLI command against hostile arguments: a sentence, never "unexpected error".

The commands run in this process (``run_cli``), as ``main.py`` would run them, against
one real vault; each case asserts the exit code, exactly one line on stderr and no
"unexpected error", and at the end ``verify`` still passes. A shell cannot pass NUL
or bytes that are not UTF-8 in argv the way these cases do; they are refused up front,
and the same values inside files are read by the commands themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli.main import EXIT_VERIFY_FAILED, run_cli
from tests.conftest import PASSPHRASE

MB = "x" * 1_000_000
NUL = "a\x00b"
SURROGATE = "caf\udce9"  # what Python makes of the byte 0xE9 in argv
RTL = "\u202eevil\u202c"
BAD_DATES = ("9999-12-31T23:59-00:01", "0001-01-01T00:00+00:01", "0999-12-31T23:59Z", "2201-01-01", "2026-02-30")
BAD_NUMBERS = ("1" + "0" * 30, "-5", "1e400", "nan", "99999999999999999999")
BAD_AMOUNTS = ("1e400", "1" + "0" * 20, "nan", "-1e20", "1e999999999", "12,34,5x")
REFUSE, ACCEPT = "refuse", "accept"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from app.vault import Vault

    root = tmp_path_factory.mktemp("hostile-cli")
    vault, _ = Vault.create(root / "vault", PASSPHRASE)
    client = vault.clients.add("Acme Plumbing")
    from app.records.models import EntryFields
    from app.records.times import now_utc

    vault.entries.log(client.id, EntryFields(kind="call", occurred_at=now_utc(), title="first call"))
    vault.lock()
    (root / "pw").write_text(PASSPHRASE + "\n")
    (root / "bad-utf8.txt").write_bytes(b"caf\xe9 \xc3\x28 not utf-8\n")
    (root / "nul.txt").write_bytes(b"some\x00thing with a NUL\n")
    (root / "big.txt").write_text("y" * 1_000_000)
    (root / "folder").mkdir()
    os.mkfifo(root / "fifo")
    (root / "not-a-vault").mkdir()
    (root / "not-a-vault" / "vault.key").write_text("{}")
    return {
        "root": root,
        "vault": root / "vault",
        "pw": root / "pw",
        "bad": root / "bad-utf8.txt",
        "nul": root / "nul.txt",
        "big": root / "big.txt",
        "dir": root / "folder",
        "fifo": root / "fifo",
        "missing": root / "missing.txt",
        "notvault": root / "not-a-vault",
    }


def _cases(w: dict[str, Path]) -> list[tuple[str, list[str]]]:
    f = {k: str(v) for k, v in w.items()}
    bad_files = (f["bad"], f["nul"], f["dir"], f["fifo"], f["missing"])
    c: list[tuple[str, list[str]]] = []
    add = c.append
    # argv that no shell can produce, on any command
    for value in (NUL, SURROGATE):
        add((REFUSE, ["client", "add", value]))
        add((REFUSE, ["log", "Acme", "--kind", "note", "--title", value]))
    # vault commands
    add((REFUSE, ["init"]))  # the vault exists
    add((REFUSE, ["init", "--vault", MB]))
    add((REFUSE, ["demo"]))
    for path in (f["bad"], f["nul"], f["dir"], f["fifo"], f["missing"], f["big"]):
        add((REFUSE, ["unlock", "--passphrase-file", path]))
    add((REFUSE, ["unlock", "--vault", MB]))
    add((REFUSE, ["unlock", "--vault", f["notvault"]]))
    add((REFUSE, ["unlock", "--vault", f["dir"]]))
    for seal in ("CF1-99999999999999999999-" + "a" * 64, "CF1-\u00b2-abcdef0123456789", MB, "", "CF1--"):
        add((REFUSE, ["verify", "--seal", seal]))
    add((REFUSE, ["seal", "--vault", f["missing"]]))
    for path in bad_files:
        add((REFUSE, ["passwd", "--new-passphrase-file", path]))
        add((REFUSE, ["recovery", "--recovery-key-file", path, "--new-passphrase-file", f["pw"]]))
    add((REFUSE, ["recovery", "--recovery-key-file", f["big"], "--new-passphrase-file", f["pw"]]))
    for dest in ("", f["pw"], f["root"], MB):
        add((REFUSE, ["backup", dest]))
    for src in (f["missing"], f["dir"], f["notvault"], MB):
        add((REFUSE, ["restore", src]))
    # clients
    for name in ("", "   ", MB):
        add((REFUSE, ["client", "add", name]))
    add((REFUSE, ["client", "add", "Someone", "--status", "bogus"]))
    add((REFUSE, ["client", "add", "Someone", "--email", MB]))
    add((ACCEPT, ["client", "add", f"Mall\u043ery {RTL} \u0301"]))
    add((REFUSE, ["client", "list", MB]))
    for who in ("", MB, "99999999999999999999", "-1", "0", "Nobody"):
        add((REFUSE, ["client", "show", who]))
    # entries
    log = ["log", "Acme", "--kind", "call", "--title", "t"]
    for when in BAD_DATES:
        add((REFUSE, [*log, "--when", when]))
        add((REFUSE, ["edit", "1", "--when", when]))
    for number in BAD_NUMBERS:
        add((REFUSE, [*log, "--duration", number]))
        add((REFUSE, [*log, "--time-spent", number]))
    for amount in BAD_AMOUNTS:
        add((REFUSE, [*log, "--amount", amount]))
    for tz in (MB, "../../../etc/passwd", "Not/A_Zone", "EST5EDT,M3.2.0,M11.1.0"):
        add((REFUSE, [*log, "--when", "2026-03-08T14:05", "--tz", tz]))
    add((REFUSE, [*log, "--currency", MB]))
    add((REFUSE, ["log", "Acme", "--kind", "bogus", "--title", "t"]))
    add((REFUSE, ["log", "Acme", "--kind", "call", "--title", ""]))
    add((REFUSE, ["log", "Acme", "--kind", "call", "--title", MB]))
    add((REFUSE, ["log", MB, "--kind", "call", "--title", "t"]))
    for path in bad_files:
        add((REFUSE, [*log, "--body-file", path]))
    add((ACCEPT, ["log", "Acme", "--kind", "note", "--title", f"odd {RTL} \u0301", "--body", "\x1b]52;c;aGk=\x07"]))
    add((ACCEPT, [*log, "--body", MB, "--amount", "-120.50", "--duration", "0"]))
    for entry in ("99999999999999999999", "0", "-1", MB, ""):
        add((REFUSE, ["edit", entry, "--title", "x"]))
        add((REFUSE, ["show", entry]))
        add((REFUSE, ["retract", entry, "--reason", "x"]))
    add((REFUSE, ["edit", "1"]))  # nothing to change
    add((REFUSE, ["retract", "1", "--reason", ""]))
    for path in (f["dir"], f["fifo"], f["missing"]):
        add((REFUSE, ["attach", "1", path]))
    add((REFUSE, ["timeline", MB]))
    add((ACCEPT, ["timeline", "Acme", "--kind", MB]))
    for query in ('"', "AND", "*", MB, "NEAR(", ""):
        add((REFUSE, ["search", query]))
    for limit in (*BAD_NUMBERS, "0"):
        add((REFUSE, ["search", "call", "--limit", limit]))
    # parting ways
    add((REFUSE, ["status", "Acme", "bogus", "--reason", "x"]))
    add((REFUSE, ["status", "Acme", "watch", "--reason", MB]))
    add((REFUSE, ["checklist", "Acme", "--done", "bogus"]))
    for when in BAD_DATES:
        add((REFUSE, ["checklist", "Acme", "--done", "terms", "--notice-end", when]))
        add((REFUSE, ["pattern", "Acme", "--as-of", when]))
        add((REFUSE, ["reminders", "--as-of", when]))
        add((REFUSE, ["followup", "Acme", "--log", "called", "--date", when]))
        add((REFUSE, ["letter", "Acme", "--template", "standard", "--record", "--date", when]))
    add((REFUSE, ["checklist", "Acme", "--done", "terms", "--entry", "99999999999999999999"]))
    add((REFUSE, ["followup", "Acme", "--log", "called", "--duration", "1" + "0" * 30]))
    add((REFUSE, ["letter", "Acme", "--template", "bogus"]))
    for path in bad_files:
        # a NUL in a draft is only shown, escaped; any bytes are a (non-matching) message
        add((ACCEPT if path == f["nul"] else REFUSE, ["letter", "Acme", "--draft", path]))
        add((ACCEPT if path in (f["bad"], f["nul"]) else REFUSE, ["do-not-serve", "--eml", path]))
    add((REFUSE, ["letter", "Acme", "--template", "standard", "--out", f["dir"]]))
    add((REFUSE, ["template", "bogus", "Acme"]))
    add((REFUSE, ["referrals", "--remove", MB]))
    add((REFUSE, ["referrals", "--add", ""]))
    add((REFUSE, ["do-not-serve"]))
    add((ACCEPT, ["do-not-serve", "--name", MB]))
    # import, Inbox, triage
    for path in (f["fifo"], f["dir"] + "/nothing", f["missing"]):
        add((REFUSE, ["import", "Acme", path]))
    add((REFUSE, ["import", "Nobody", f["bad"]]))
    for settle in ("nan", "inf", "-1", "1e400", MB):
        add((REFUSE, ["watch", "--once", "--settle", settle]))
    add((REFUSE, ["watch", "--once", "--settle", "0", "--inbox", f["pw"]]))
    for item in (*BAD_NUMBERS, "0", "1"):
        add((REFUSE, ["triage", "assign", item, "Acme"]))
    for client in ("", MB, NUL, SURROGATE, RTL, "Nobody", *BAD_NUMBERS):
        add((REFUSE, ["inbox-folder", client]))
    add((REFUSE, ["inbox-folder"]))
    add((REFUSE, ["inbox-folder", "Acme", "--list"]))
    add((ACCEPT, ["inbox-folder", "--list"]))
    add((ACCEPT, ["inbox-folder", "Acme", "--neutral"]))
    add((REFUSE, ["unlock", "--accept-loss"]))  # nothing was lost
    add((REFUSE, ["recovery", "--reset", "--recovery-key-file", f["pw"]]))
    # export and bundles
    export = ["export", "Acme", "--out", f["root"] + "/out"]
    add((REFUSE, ["export", "Acme", "--out", f["pw"]]))
    for when in BAD_DATES:
        add((REFUSE, [*export, "--from", when]))
        add((REFUSE, [*export, "--to", when]))
    add((REFUSE, [*export, "--kinds", "bogus"]))
    add((REFUSE, [*export, "--bates-prefix", MB]))
    for path in (f["missing"], f["bad"], f["dir"], f["fifo"], f["big"]):
        add((REFUSE, ["verify-bundle", path]))
    return c


def test_every_command_answers_hostile_arguments_in_one_line(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(world["root"])
    monkeypatch.setenv("CASEFILE_VAULT", str(world["vault"]))
    monkeypatch.setenv("CASEFILE_PASSPHRASE_FILE", str(world["pw"]))
    monkeypatch.setenv("TZ", "EST5EDT,M3.2.0,M11.1.0")
    monkeypatch.delenv("CASEFILE_DEBUG", raising=False)
    failures = []
    for expect, argv in _cases(world):
        try:
            code = run_cli(argv)
        except SystemExit as stop:  # argparse
            code = int(stop.code or 0)
        out, err = capsys.readouterr()
        lines = err.splitlines()
        shown = " ".join(a if len(a) < 60 else a[:20] + "…" for a in argv).encode("unicode_escape").decode()
        if "unexpected error" in err or "Traceback" in err:
            failures.append(f"{shown}: {lines[0][:300] if lines else err[:300]}")
        elif expect == REFUSE and (code not in (1, 2, EXIT_VERIFY_FAILED) or len(lines) != 1):
            failures.append(f"{shown}: exit {code}, stderr {len(lines)} lines: {err[:200]!r} out {out[:100]!r}")
        elif expect == ACCEPT and code != 0:
            failures.append(f"{shown}: refused ({code}): {err[:200]!r}")
        elif "\x1b" in out or "\x1b" in err:
            failures.append(f"{shown}: a control character reached the terminal")
    assert not failures, "\n".join(failures)
    assert run_cli(["verify"]) == 0
    out, _err = capsys.readouterr()
    assert out.startswith("OK: the record is intact")


def test_record_text_cannot_drive_the_terminal_but_json_stays_exact(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    monkeypatch.setenv("CASEFILE_VAULT", str(world["vault"]))
    monkeypatch.setenv("CASEFILE_PASSPHRASE_FILE", str(world["pw"]))
    body = "clear \x1b[2J\x1b[3J then clipboard \x1b]52;c;aGk=\x07 and \x9b31m C1\r\nnext line\tTab"
    assert run_cli(["log", "Acme", "--kind", "note", "--title", "ctl \x1b[31mred", "--body", body, "--json"]) == 0
    entry_id = json.loads(capsys.readouterr().out)["id"]
    for argv in (["show", str(entry_id)], ["timeline", "Acme"], ["search", "clipboard"]):
        assert run_cli(argv) == 0
        out = capsys.readouterr().out
        assert not any(ch in out for ch in "\x1b\x07\x9b\r"), argv
        assert "\\x1b" in out
    assert run_cli(["show", str(entry_id)]) == 0
    shown = capsys.readouterr().out
    assert "next line\tTab" in shown and "\\x1b]52;c;aGk=\\x07" in shown
    assert run_cli(["show", str(entry_id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["body"] == body  # --json is exact


def test_a_posix_tz_rule_gives_summer_and_winter_offsets(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    monkeypatch.setenv("CASEFILE_VAULT", str(world["vault"]))
    monkeypatch.setenv("CASEFILE_PASSPHRASE_FILE", str(world["pw"]))
    for tz, july, january in (
        ("EST5EDT,M3.2.0,M11.1.0", "-04:00", "-05:00"),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "+02:00", "+01:00"),
        ("<+0330>-3:30", "+03:30", "+03:30"),
        ("Europe/Berlin", "+02:00", "+01:00"),
    ):
        monkeypatch.setenv("TZ", tz)
        for when, offset in (("2026-07-01T10:00", july), ("2026-01-15T10:00", january)):
            assert run_cli(["log", "Acme", "--kind", "call", "--title", "tz", "--when", when, "--json"]) == 0
            assert json.loads(capsys.readouterr().out)["occurred_at"] == f"{when}:00{offset}", tz
