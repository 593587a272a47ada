"""The command line, used as a person at a terminal or a script would use it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import PASSPHRASE
from tests.helpers.cli import CliRunner


def _init(cli: CliRunner) -> str:
    out = cli.ok("init").out
    assert "Created a vault" in out
    key_line = next(line.strip() for line in out.splitlines() if line.count("-") == 7)
    return key_line


def test_a_day_of_record_keeping_round_trips(cli: CliRunner, tmp_path: Path) -> None:
    _init(cli)
    added = cli.ok(
        "client", "add", "Gerald Whitmore", "--email", "g@example.net", "--phone", "+1 312 555 0147", "--json"
    ).json()
    assert added["name"] == "Gerald Whitmore" and added["emails"] == ["g@example.net"]
    cli.ok("client", "add", "Maple Street Bakery")

    listed = cli.ok("client", "list", "--json").json()
    assert [c["name"] for c in listed] == ["Gerald Whitmore", "Maple Street Bakery"]

    logged = cli.ok(
        "log",
        "Gerald",
        "--kind",
        "call",
        "--title",
        "Angry call about the invoice",
        "--body",
        "He said he would sue.",
        "--when",
        "2026-03-08T14:05-05:00",
        "--duration",
        "15",
        "--participant",
        "Gerald Whitmore",
        "--tag",
        "payment",
        "--json",
    ).json()
    assert logged["occurred_at"] == "2026-03-08T14:05:00-05:00"
    entry_id = str(logged["id"])

    body_file = tmp_path / "body.txt"
    body_file.write_text("Second call. Calmer.\nAgreed to pay by Friday.", encoding="utf-8")
    cli.ok(
        "log", "Maple", "--kind", "note", "--title", "Quote sent", "--body-file", str(body_file), "--when", "2026-03-09"
    )

    edited = cli.ok(
        "edit", entry_id, "--body", "He said he would sue us for $30,000.", "--note", "exact amount", "--json"
    ).json()
    assert edited["revision"] == 2

    shown = cli.ok("show", entry_id, "--json").json()
    assert [r["body"] for r in shown["revisions"]] == ["He said he would sue.", "He said he would sue us for $30,000."]
    assert shown["revisions"][1]["note"] == "exact amount"
    assert shown["duration_min"] == 15 and shown["tags"] == ["payment"]

    evidence = tmp_path / "photo of damage.jpg"
    evidence.write_bytes(b"\xff\xd8\xff" + b"pretend jpeg" * 100)
    attached = cli.ok("attach", entry_id, str(evidence), "--json").json()
    assert attached[0]["name"] == "photo of damage.jpg" and attached[0]["size"] == evidence.stat().st_size
    shown = cli.ok("show", entry_id, "--json").json()
    assert shown["attachment_list"][0]["sha256"] == attached[0]["sha256"]

    timeline = cli.ok("timeline", "Gerald", "--json").json()
    assert [e["title"] for e in timeline] == ["Angry call about the invoice"]
    assert timeline[0]["attachments"] == 1

    hits = cli.ok("search", "sue", "--json").json()
    assert [h["entry_id"] for h in hits] == [int(entry_id)]
    assert "[sue]" in hits[0]["snippet"]
    assert cli("search", "nothing-like-this").code == 1

    cli.ok("retract", entry_id, "--reason", "Logged under the wrong client")
    shown = cli.ok("show", entry_id, "--json").json()
    assert shown["retracted"]["reason"] == "Logged under the wrong client"
    text = cli.ok("timeline", "Gerald").out
    assert "[RETRACTED]" in text

    verified = cli.ok("verify")
    assert verified.out.startswith("OK: the record is intact")
    counted = verified.out.splitlines()[0]
    assert "_" not in counted and "1 entries" not in counted  # words, not table names


def test_human_output_is_readable(cli: CliRunner) -> None:
    _init(cli)
    cli.ok("client", "add", "Dale Corbin", "--status", "do-not-serve")
    listing = cli.ok("client", "list").out
    assert "Dale Corbin" in listing and "DO NOT SERVE" in listing
    shown = cli.ok("client", "show", "dale").out
    assert "Do not serve" in shown
    # counted nouns agree, as in the app: "0 entries", "1 entry", never "1 entries"
    assert "0 entries" in listing
    cli.ok("log", "dale", "--kind", "note", "--title", "Left a voicemail", "--body", "Asked for the key back.")
    assert "1 entry" in cli.ok("client", "list").out and "1 entries" not in cli.ok("client", "list").out
    assert cli.ok("timeline", "dale").out.startswith("Dale Corbin: 1 entry\n")


def test_seal_proves_a_state_and_catches_a_rollback(cli: CliRunner, tmp_path: Path) -> None:
    _init(cli)
    cli.ok("client", "add", "Gerald Whitmore")
    backup = tmp_path / "before"
    cli.ok("backup", str(backup))
    cli.ok("log", "Gerald", "--kind", "incident", "--title", "Shouted at the crew", "--when", "2026-08-14T19:45-05:00")
    seal = cli.ok("seal").out.strip()
    assert seal.startswith("CF1-")
    assert "still contains the sealed state" in cli.ok("verify", "--seal", seal).out

    # The owner (or someone else) puts the old file back: the seal catches it.
    restored = tmp_path / "rolled-back"
    cli.ok("restore", str(backup), CASEFILE_VAULT=str(restored))
    result = cli("verify", "--seal", seal, CASEFILE_VAULT=str(restored))
    assert result.code == 3
    assert "rolled back or replaced" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_passwd_and_recovery(cli: CliRunner, tmp_path: Path) -> None:
    recovery_key = _init(cli)
    new = tmp_path / "new.txt"
    new.write_text("a brand new passphrase\n")
    assert "Passphrase changed" in cli.ok("passwd", "--new-passphrase-file", str(new)).out
    assert cli("unlock").code == 1  # the old passphrase no longer opens it
    cli.ok("unlock", CASEFILE_PASSPHRASE_FILE=str(new))

    key_file = tmp_path / "recovery.txt"
    key_file.write_text(recovery_key.lower().replace("-", " ") + "\n")
    third = tmp_path / "third.txt"
    third.write_text("forgot the other one\n")
    out = cli.ok("recovery", "--recovery-key-file", str(key_file), "--new-passphrase-file", str(third)).out
    assert "reset with the recovery key" in out
    cli.ok("unlock", CASEFILE_PASSPHRASE_FILE=str(third))


def test_passphrase_can_come_from_stdin(cli: CliRunner) -> None:
    _init(cli)
    result = cli("unlock", "--passphrase-file", "-", input=PASSPHRASE + "\n", CASEFILE_PASSPHRASE_FILE="")
    assert result.code == 0, result.err


def test_no_passphrase_and_no_terminal_is_a_clear_error(cli: CliRunner) -> None:
    _init(cli)
    result = cli("unlock", CASEFILE_PASSPHRASE_FILE="")
    assert result.code == 1
    assert result.err.strip() == (
        "casefile: No passphrase given: use a terminal, --passphrase-file PATH or CASEFILE_PASSPHRASE_FILE."
    )


def test_backup_and_restore_are_verified_copies(cli: CliRunner, tmp_path: Path) -> None:
    _init(cli)
    cli.ok("client", "add", "Gerald Whitmore")
    cli.ok("log", "Gerald", "--kind", "call", "--title", "First call")
    dest = tmp_path / "backup"
    assert "verified" in cli.ok("backup", str(dest)).out
    assert sorted(p.name for p in dest.iterdir()) == ["vault.db", "vault.key"]
    restored = tmp_path / "restored"
    cli.ok("restore", str(dest), CASEFILE_VAULT=str(restored))
    timeline = cli.ok("timeline", "Gerald", "--json", CASEFILE_VAULT=str(restored)).json()
    assert [e["title"] for e in timeline] == ["First call"]
    # Restoring over an existing vault is refused and changes nothing.
    result = cli("restore", str(dest))
    assert result.code == 1 and "not empty" in result.err


def test_demo_vault_tells_the_story(cli: CliRunner) -> None:
    result = cli.ok("demo", CASEFILE_PASSPHRASE_FILE="")
    assert "demo-casefile-vault" in result.out
    pw = cli.home / "demo-pass.txt"
    pw.write_text("demo-casefile-vault\n")
    clients = {c["name"]: c for c in cli.ok("client", "list", "--json", CASEFILE_PASSPHRASE_FILE=str(pw)).json()}
    assert clients["Gerald Whitmore"]["entry_count"] >= 15
    assert clients["Dale Corbin"]["status"] == "do_not_serve"
    kinds = {e["kind"] for e in cli.ok("timeline", "Gerald", "--json", CASEFILE_PASSPHRASE_FILE=str(pw)).json()}
    assert {"call", "email", "legal_threat", "invoice", "incident", "letter_sent"} <= kinds
    cli.ok("verify", CASEFILE_PASSPHRASE_FILE=str(pw))


def test_errors_are_one_line_without_traceback(cli: CliRunner) -> None:
    _init(cli)
    cli.ok("client", "add", "Gerald Whitmore")
    cli.ok("client", "add", "Gerald Wu")
    cases = {
        ("log", "Nobody", "--kind", "call", "--title", "x"): "No client matches 'Nobody'.",
        ("log", "Gerald", "--kind", "call", "--title", "x"): "matches several clients",
        ("log", "Gerald Wu", "--kind", "telepathy", "--title", "x"): "Unknown kind 'telepathy'",
        ("log", "Gerald Wu", "--kind", "call", "--title", "x", "--when", "last tuesday"): "Cannot read the time",
        ("log", "Gerald Wu", "--kind", "call", "--title", "   "): "title must not be empty",
        ("show", "999"): "There is no entry with id 999.",
        ("attach", "1", "/nonexistent/file.pdf"): "There is no entry with id 1.",
        ("search", '"unbalanced'): "Cannot search for",
        ("client", "add", "X", "--status", "enemy"): "Unknown status 'enemy'",
    }
    for args, message in cases.items():
        result = cli(*args)
        assert result.code == 1, args
        assert message in result.err, (args, result.err)
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err
    entry = cli.ok("log", "Gerald Wu", "--kind", "call", "--title", "ok", "--json").json()
    result = cli("attach", str(entry["id"]), "/nonexistent/file.pdf")
    assert result.code == 1 and "no such file" in result.err


def test_json_outputs_are_valid_json(cli: CliRunner) -> None:
    _init(cli)
    for args in (("client", "list", "--json"), ("unlock", "--json"), ("verify", "--json")):
        json.loads(cli.ok(*args).out)


def test_default_vault_location_is_the_platform_data_dir(cli: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = cli.ok("init", CASEFILE_VAULT="", HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"))
    assert (home / ".local/share/Casefile/vault/vault.key").exists(), result.out
