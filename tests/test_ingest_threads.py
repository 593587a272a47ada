"""A mailbox of one angry conversation: one entry per message, linked as a thread."""

from __future__ import annotations

from pathlib import Path

from app.ingest.importer import import_path
from app.ingest.threads import thread_entry_ids


def _message(n: int, subject: str, parent: int | None, refs: list[int], body: str) -> str:
    lines = [
        f"From {'gerald' if n % 2 else 'owner'}@example.com Mon Mar  3 09:0{n}:00 2025",
        "From: Gerald Whitmore <gerald@example.com>" if n % 2 else "From: Owner <owner@example.com>",
        "To: Owner <owner@example.com>" if n % 2 else "To: Gerald Whitmore <gerald@example.com>",
        f"Subject: {subject}",
        f"Date: Mon, 3 Mar 2025 09:0{n}:00 -0500",
        f"Message-ID: <m{n}@example.com>",
    ]
    if parent is not None:
        lines.append(f"In-Reply-To: <m{parent}@example.com>")
    if refs:
        lines.append("References: " + " ".join(f"<m{r}@example.com>" for r in refs))
    return "\n".join(lines) + "\n\n" + body + "\nFrom the start of a body line\n".replace("\nFrom", "\n>From") + "\n"


def _mbox(path: Path, count: int) -> None:
    messages = [_message(1, "Tiles", None, [], "The tiles are crooked.")]
    messages.append(_message(2, "Re: Tiles", 1, [1], "We will look on Monday."))
    messages.append(_message(3, "Re: Tiles", 2, [1, 2], "Not good enough. My lawyer will call."))
    messages.append(_message(4, "Invoice 17", None, [], "Unrelated invoice."))
    path.write_text("".join(messages[:count]))


def test_mailbox_messages_become_entries_linked_as_threads(vault, tmp_path: Path) -> None:
    client = vault.clients.add("Gerald Whitmore")
    _mbox(tmp_path / "gerald.mbox", 4)
    result = import_path(vault, client.id, tmp_path / "gerald.mbox")
    assert result.status == "imported" and len(result.entry_ids) == 4
    first, second, third, other = result.entry_ids
    threat = vault.entries.get(third)
    assert threat.title == "Re: Tiles" and threat.occurred_at.isoformat() == "2025-03-03T09:03:00-05:00"
    assert "My lawyer will call." in threat.fields.body and ">From the start" not in threat.fields.body
    assert vault.attachments.for_entry(third)[0].metadata["references"] == ["<m1@example.com>", "<m2@example.com>"]
    assert thread_entry_ids(vault, first) == [first, second, third]
    assert thread_entry_ids(vault, third) == [first, second, third]
    assert thread_entry_ids(vault, other) == [other]


def test_a_grown_mailbox_imports_only_the_new_messages(vault, tmp_path: Path) -> None:
    client = vault.clients.add("Gerald Whitmore")
    _mbox(tmp_path / "gerald.mbox", 2)
    first = import_path(vault, client.id, tmp_path / "gerald.mbox")
    _mbox(tmp_path / "gerald.mbox", 3)
    second = import_path(vault, client.id, tmp_path / "gerald.mbox")
    assert len(first.entry_ids) == 2 and len(second.entry_ids) == 1
    assert "2 messages already there were skipped" in second.notes
    assert vault.entries.count() == 3
