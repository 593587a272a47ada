"""Outlook archives (.pst) and Gmail Takeout mailboxes, imported message by message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import CORPUS

PST = CORPUS / "email" / "pst" / "support.pst"


def test_outlook_archive_becomes_one_email_entry_per_message(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.importer import import_path

    client = vault.clients.add("RCS Support", emails=["support@hackingteam.it"])
    # Recognised by its content, whatever its name.
    renamed = tmp_path / "mailbox-backup.dat"
    shutil.copy(PST, renamed)
    result = import_path(vault, client.id, renamed)
    assert result.status == "imported" and len(result.entry_ids) == 17, result.line()
    by_title = {vault.entries.get(e).title: e for e in result.entry_ids}
    notice = by_title["IMPORTANT: Support portal downtime for maintenance"]
    entry = vault.entries.get(notice)
    assert entry.occurred_at.isoformat() == "2014-03-12T20:14:36+01:00"  # the transport Date keeps its offset
    attachments = vault.attachments.for_entry(notice)
    original = attachments[0]
    assert original.media_type == "message/rfc822"
    assert original.metadata["message_id"] == "<A5C4B426-9872-490D-805C-03C5899CEF9F@hackingteam.it>"
    assert original.metadata["collected"] == {
        "via": "pst",
        "archive": "mailbox-backup.dat",
        "folder": "Top of Personal Folders/Sent Messages",
        "headers": "transport headers",
    }
    assert [a.name for a in attachments[1:]] == ["support@hackingteam.it.asc", "ATT00001.htm"]
    assert b"BEGIN PGP PUBLIC KEY BLOCK" in vault.attachments.read_bytes(attachments[1].sha256)
    assert "Dear Client" in entry.fields.body
    folders = {vault.attachments.for_entry(e)[0].metadata["collected"]["folder"] for e in result.entry_ids}
    assert folders == {"Top of Personal Folders/Drafts", "Top of Personal Folders/Sent Messages"}
    again = import_path(vault, client.id, PST)
    assert again.status == "duplicate"
    assert vault.verify().ok


def test_pst_message_without_transport_headers_says_its_headers_were_made() -> None:
    from datetime import datetime

    from app.ingest.pst import assemble

    class Bare:  # the MAPI properties a message has when Outlook kept no transport headers
        plain_text_body = b"Call me back."
        html_body = None
        transport_headers = None
        number_of_attachments = 0
        sender_name = "Gerald Whitmore"
        subject = "Tiles"
        client_submit_time = datetime(2025, 3, 3, 14, 3)
        delivery_time = None

    raw, origin = assemble(Bare())
    assert origin.startswith("made from MAPI properties")
    assert b"From: Gerald Whitmore" in raw and b"Date: Mon, 03 Mar 2025 14:03:00 +0000" in raw
    assert b"X-Casefile-Headers: made from the archive's MAPI properties" in raw


def takeout(path: Path, count: int) -> None:
    with path.open("wb") as out:
        for n in range(count):
            out.write(
                f"From 1790000000{n:03d}@xxx Mon Mar 03 14:03:00 +0000 2025\n"
                f'X-GM-THRID: 17900{n}\nX-Gmail-Labels: Inbox,Opened,Clients/Whitmore,"Legal, urgent"\n'
                f"From: Gerald <gerald@example.com>\nTo: owner@example.test\nSubject: Message {n}\n"
                f"Date: Mon, 03 Mar 2025 09:0{n % 10}:00 -0500\nMessage-ID: <t{n}@example.com>\n\n"
                f"Body {n}\n>From the start of a line\n\n".encode()
            )


def test_a_message_too_large_to_hold_is_streamed_whole_and_the_next_ones_still_come(
    vault, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Over MAX_MBOX_MESSAGE_BYTES a message is not held in memory: it is stored whole, as
    it stands in the archive ('>From ' unescaped like the others), unparsed, with the reason."""
    from app.ingest import mbox_stream
    from app.ingest.importer import import_path

    mbox = tmp_path / "takeout.mbox"
    takeout(mbox, 3)
    big_body = b"".join(b"line %05d of a long attachment\n" % n for n in range(2000)) + b">From inside\n"
    big = (
        b"X-Gmail-Labels: Inbox,Clients/Whitmore\nFrom: Gerald <gerald@example.com>\nSubject: Huge\n"
        b"Message-ID: <huge@example.com>\n\n" + big_body
    )
    with mbox.open("ab") as out:
        out.write(b"From 1790000000999@xxx Mon Mar 03 14:03:00 +0000 2025\n" + big + b"\n")
    takeout(tmp_path / "tail.mbox", 5)
    with mbox.open("ab") as out:  # two more ordinary messages after the big one
        out.write(b"".join((tmp_path / "tail.mbox").read_bytes().partition(b"\nFrom 1790000000003")[1:]).lstrip(b"\n"))
    monkeypatch.setattr(mbox_stream, "MAX_MBOX_MESSAGE_BYTES", 10_000)
    client = vault.clients.add("Gerald Whitmore", emails=["gerald@example.com"])
    result = import_path(vault, client.id, mbox)
    assert result.status == "imported" and len(result.entry_ids) == 6, result.line()
    kept_unread = [e for e in result.entry_ids if "unreadable" in vault.attachments.for_entry(e)[0].metadata]
    assert len(kept_unread) == 1
    huge = kept_unread[0]
    [original] = vault.attachments.for_entry(huge)
    stored = vault.attachments.read_bytes(original.sha256)
    assert stored == big.replace(b"\n>From inside", b"\nFrom inside") + b"\n"  # whole, unescaped, nothing cut
    assert "kept whole" in original.metadata["unreadable"] and "kept unread" in result.line()
    assert vault.entries.get(huge).fields.tags == ("clients/whitmore",)
    again = import_path(vault, client.id, mbox)  # recognised by its SHA-256 like the others
    assert again.status == "duplicate", again.line()
    assert vault.verify().ok


def test_takeout_mbox_is_streamed_with_gmail_labels_as_tags(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mbox = tmp_path / "All mail Including Spam and Trash.mbox"
    takeout(mbox, 12)
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore", "--email", "gerald@example.com")
    result = cli.ok("import", "Gerald Whitmore", str(mbox), "--json").json()["results"][0]
    assert result["status"] == "imported" and len(result["entry_ids"]) == 12
    shown = cli.ok("show", str(result["entry_ids"][3]), "--json").json()
    assert shown["title"] == "Message 3"
    assert shown["tags"] == ["clients/whitmore", "legal, urgent"]  # Inbox/Opened are Gmail's own, not labels
    assert "From the start of a line" in shown["body"] and ">From" not in shown["body"]
    collected = shown["attachment_list"][0]["metadata"]["collected"]
    assert collected == {"via": "mbox", "archive": mbox.name, "index": 4}
    takeout(mbox, 14)  # the next Takeout holds two more
    again = cli.ok("import", "Gerald Whitmore", str(mbox), "--json").json()["results"][0]
    assert len(again["entry_ids"]) == 2 and "12 messages already there were skipped" in again["notes"]
    assert cli.ok("verify").code == 0
    assert json.dumps(again)
