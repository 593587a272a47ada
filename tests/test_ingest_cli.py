"""`casefile import` as a user runs it: per-file lines, a summary, JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CORPUS


def test_import_files_and_folders_from_the_command_line(cli, tmp_path: Path) -> None:
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "empty.txt").write_bytes(b"")
    (drop / "note.txt").write_text("left a voicemail")
    result = cli("import", "Gerald", str(CORPUS / "email" / "msg"), str(drop))
    assert result.code == 1  # one file was refused
    assert "imported   unicode.msg" in result.out
    assert "refused    empty.txt: is empty (0 bytes)" in result.err
    assert "3 imported, 0 already there, 1 refused (4 files) for Gerald Whitmore." in result.out
    again = cli("import", "Gerald", str(drop / "note.txt"), "--json").json()
    assert again["summary"] == {"imported": 0, "duplicate": 1, "refused": 0}
    assert again["results"][0]["status"] == "duplicate" and again["results"][0]["entry_ids"]


def test_watch_once_and_triage_from_the_command_line(cli, tmp_path: Path) -> None:
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    inbox = tmp_path / "Inbox"
    first = cli.ok("watch", "--inbox", str(inbox), "--once", "--settle", "0")
    assert first.out == "" and (inbox / "Failed").is_dir()
    assert not (inbox / "Gerald Whitmore").exists()  # no client's name outside the vault until asked
    assert "Inbox folder for Gerald Whitmore: Gerald Whitmore" in cli.ok("inbox-folder", "Gerald").out
    cli.ok("watch", "--inbox", str(inbox), "--once", "--settle", "0")
    assert (inbox / "Gerald Whitmore").stat().st_mode & 0o777 == 0o700
    (inbox / "Gerald Whitmore" / "call-notes.txt").write_text("He hung up on me.")
    (inbox / "loose.eml").write_bytes((CORPUS / "email" / "eml" / "000.eml").read_bytes())
    lines = cli.ok("watch", "--inbox", str(inbox), "--once", "--settle", "0", "--json").out.splitlines()
    statuses = sorted(json.loads(line)["status"] for line in lines)
    assert statuses == ["imported", "triaged"]
    waiting = cli.ok("triage", "list", "--json").json()
    assert [item["name"] for item in waiting] == ["loose.eml"]
    assigned = cli.ok("triage", "assign", str(waiting[0]["id"]), "Gerald")
    assert assigned.out.startswith("imported   loose.eml → entry")
    assert "Nothing is waiting" in cli.ok("triage", "list").out
    timeline = cli.ok("timeline", "Gerald", "--json").json()
    assert len(timeline) == 2


def test_importing_an_email_from_a_do_not_serve_client_warns(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from email.message import EmailMessage

    cli.ok("init")
    cli.ok("client", "add", "Dale Corbin", "--email", "dale.corbin@example.com", "--status", "do-not-serve")
    cli.ok("client", "add", "New Prospect")
    msg = EmailMessage()
    msg["From"] = "D. Corbin <Dale.Corbin@Example.com>"
    msg["To"] = "sam@example.org"
    msg["Subject"] = "Quote for a new deck?"
    msg["Date"] = "Mon, 23 Nov 2026 09:00:00 -0600"
    msg.set_content("Hi, can you quote a deck?")
    path = tmp_path / "quote.eml"
    path.write_bytes(bytes(msg))
    out = cli.ok("import", "New Prospect", str(path)).out
    assert "WARNING" in out and "Dale Corbin" in out and "do-not-serve" in out

    other = EmailMessage()
    other["From"] = "Dale Corbett <dale.corbett@example.net>"
    other["To"] = "sam@example.org"
    other["Subject"] = "Hello"
    other["Date"] = "Mon, 23 Nov 2026 10:00:00 -0600"
    other.set_content("A different person with a similar name.")
    path2 = tmp_path / "other.eml"
    path2.write_bytes(bytes(other))
    assert "WARNING" not in cli.ok("import", "New Prospect", str(path2)).out
