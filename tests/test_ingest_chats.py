"""Texts and chats: SMS Backup & Restore XML, WhatsApp exports, the Mac Messages database."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.ingest.chats import THREAD_MEDIA_TYPE, ChatOptions
from app.ingest.importer import import_path
from tests.helpers.chats import (
    LOCALES,
    chat_db,
    mms_block,
    sms_backup,
    sms_line,
    tiny_jpeg,
    whatsapp_chat,
    whatsapp_zip,
)

START_MS = 1_773_392_400_000  # 2026-03-13 09:00 UTC


def _client(vault, phones=("+1 555 010 7788",)) -> int:  # type: ignore[no-untyped-def]
    return vault.clients.add("Gerald Whitmore", phones=list(phones)).id


def _threads(vault, client_id: int) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    found = []
    for entry in vault.entries.timeline(client_id, kinds=("message",)):
        for att in vault.attachments.for_entry(entry.id):
            if att.media_type == THREAD_MEDIA_TYPE:
                found.append(json.loads(vault.attachments.read_bytes(att.sha256)))
    return sorted(found, key=lambda t: t["thread"]["day"])


def _state_hash(vault) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    with vault.db.read() as conn:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("entries", "attachments", "events", "blobs")
        )


def test_an_sms_backup_becomes_one_thread_entry_per_day_with_every_message(vault, tmp_path: Path) -> None:
    client_id = _client(vault)
    xml = sms_backup(
        [
            sms_line("+15550107788", START_MS, 1, "Where are you? 😀 I paid for 9am"),
            sms_line("+15550107788", START_MS + 60_000, 2, "Running late, 20 min", contact="Gerald"),
            sms_line("+15559990000", START_MS + 90_000, 1, "someone else entirely", contact="Bob"),
            mms_block("+15550107788", START_MS + 3_600_000, 1, "Look at this crack", tiny_jpeg()),
            sms_line("+15550107788", START_MS + 86_400_000, 1, "Refund or I post a review & call a lawyer"),
        ]
    )
    path = tmp_path / "sms-20260314.xml"
    path.write_bytes(xml)
    result = import_path(vault, client_id, path, chat=ChatOptions(zone="America/Chicago"))
    assert result.status == "imported", result.line()
    threads = _threads(vault, client_id)
    assert [t["thread"]["day"] for t in threads] == ["2026-03-13", "2026-03-14"]
    first = threads[0]["messages"]
    assert [m["direction"] for m in first] == ["in", "out", "in"]
    assert first[0]["text"] == "Where are you? 😀 I paid for 9am"  # surrogate pair repaired
    assert first[0]["time"] == "2026-03-13T04:00:00-05:00"  # ms epoch shown in the chosen zone
    assert first[2]["media"] == ["IMG_0042.jpg"] and first[2]["text"] == "Look at this crack"
    assert all("someone else" not in m["text"] for t in threads for m in t["messages"])
    titles = [e.title for e in vault.entries.timeline(client_id)]
    assert "3 SMS messages with Gerald (+15550107788)" in titles
    assert any(t.startswith("SMS export: conversation with Gerald") for t in titles)
    assert [h.entry_id for h in vault.search("lawyer")]  # every message searchable
    assert vault.verify().ok

    # A later backup with one more message adds only that one.
    later = xml.replace(
        b"</smses>", sms_line("+15550107788", START_MS + 2 * 86_400_000, 1, "Final warning").encode() + b"</smses>"
    )
    path2 = tmp_path / "sms-20260316.xml"
    path2.write_bytes(later)
    again = import_path(vault, client_id, path2, chat=ChatOptions(zone="America/Chicago"))
    assert again.status == "imported" and len(again.entry_ids) == 2  # export entry + one new day
    assert any("4 messages already in the record were skipped" in n for n in again.notes)
    assert sum(t["thread"]["count"] for t in _threads(vault, client_id)) == 5
    assert vault.verify().ok


def _kept_as_native(vault, client_id: int, result, path: Path, expected: str) -> None:  # type: ignore[no-untyped-def]
    """A damaged chat export is stored byte for byte as a plain file, the reason on its entry."""
    assert result.status == "imported" and len(result.entry_ids) == 1, result.line()
    assert any("stored as a plain file" in n and expected in n for n in result.notes), result.notes
    entry = vault.entries.get(result.entry_ids[0])
    assert entry.kind == "document" and expected in entry.fields.body and "\n" not in result.line()
    (attachment,) = vault.attachments.for_entry(entry.id)
    assert vault.attachments.read_bytes(attachment.sha256) == path.read_bytes()


def test_a_damaged_sms_backup_is_kept_as_a_plain_file_and_an_ambiguous_one_refused(vault, tmp_path: Path) -> None:
    client_id = _client(vault, phones=())
    xml = sms_backup(
        [sms_line("+15550107788", START_MS, 1, "hello"), sms_line("+15559990000", START_MS, 1, "x", "Bob")]
    )
    good = tmp_path / "backup.xml"
    good.write_bytes(xml)
    cases = {
        "truncated.xml": (xml[: len(xml) // 2], "is not a complete SMS backup"),
        "doctype.xml": (
            xml.replace(b"<smses", b'<!DOCTYPE smses [<!ENTITY a "aaaa">]>\n<smses', 1),
            "declares a DOCTYPE",
        ),
    }
    for name, (data, expected) in cases.items():
        (tmp_path / name).write_bytes(data)
        result = import_path(vault, client_id, tmp_path / name, chat=ChatOptions(with_="+15550107788"))
        _kept_as_native(vault, client_id, result, tmp_path / name, expected)
    assert _threads(vault, client_id) == []  # nothing of the damaged files was read as messages
    before = _state_hash(vault)
    unmatched = import_path(vault, client_id, good)  # the client has no number: which conversation?
    assert unmatched.status == "refused"  # a choice only the owner can make: nothing is stored
    assert "Choose one with --with" in unmatched.reason and "Gerald" in unmatched.reason and "Bob" in unmatched.reason
    assert _state_hash(vault) == before
    by_name = import_path(vault, client_id, good, chat=ChatOptions(with_="bob"))
    assert by_name.status == "imported"
    assert [m["text"] for t in _threads(vault, client_id) for m in t["messages"]] == ["x"]
    assert vault.verify().ok


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_whatsapp_exports_in_each_locale(vault, tmp_path: Path, locale: str) -> None:
    client_id = _client(vault)
    ios = locale.startswith("ios")
    text = whatsapp_chat(locale, datetime(2026, 3, 13, 9, 0))
    path = tmp_path / ("WhatsApp Chat - Gerald Whitmore.zip" if ios else "WhatsApp Chat with Gerald Whitmore.zip")
    path.write_bytes(whatsapp_zip(text, ios=ios))
    order = "mdy" if locale.endswith("_us") else None  # 13 > 12 decides the others from the file
    result = import_path(vault, client_id, path, chat=ChatOptions(zone="Europe/Berlin", date_order=order))
    assert result.status == "imported", result.line()
    threads = _threads(vault, client_id)
    assert [t["thread"]["day"] for t in threads] == ["2026-03-13", "2026-03-14"]
    day = threads[0]["messages"]
    assert [m["direction"] for m in day] == ["system", "in", "out", "in", "in", "in"]
    assert day[1]["time"] == "2026-03-13T09:01:00+01:00" and day[1]["sender"] == "Gerald Whitmore"
    assert day[3]["text"] == "Thursday is too late.\nI will call my lawyer 😡"  # multi-line, marks gone
    assert day[4]["media"] and day[4]["media"][0].endswith(".jpg")
    assert day[5]["media"][0].endswith(".opus")  # the voice note, attached from the zip
    names = {a.name for e in vault.entries.timeline(client_id) for a in vault.attachments.for_entry(e.id)}
    assert path.name in names and any(n.endswith(".opus") for n in names)
    export = next(e for e in vault.entries.timeline(client_id) if e.kind == "document")
    assert "zone: Europe/Berlin" in vault.entries.revisions(export.id)[-1].fields.body  # recorded with the import
    assert vault.verify().ok


def test_whatsapp_txt_day_month_order_is_asked_when_the_file_does_not_decide(vault, tmp_path: Path) -> None:
    client_id = _client(vault)
    text = whatsapp_chat("android_uk", datetime(2026, 3, 5, 9, 0))  # 05/03 and 06/03: either order
    path = tmp_path / "WhatsApp Chat with Gerald Whitmore.txt"
    path.write_text(text, encoding="utf-8")
    before = _state_hash(vault)
    asked = import_path(vault, client_id, path, chat=ChatOptions(zone="Europe/London"))
    assert asked.status == "refused" and "--date-order dmy|mdy" in asked.reason
    no_zone = import_path(vault, client_id, path)
    assert no_zone.status == "refused" and "--zone" in no_zone.reason
    assert _state_hash(vault) == before
    done = import_path(vault, client_id, path, chat=ChatOptions(zone="Europe/London", date_order="dmy"))
    assert done.status == "imported"
    threads = _threads(vault, client_id)
    assert threads[0]["thread"]["day"] == "2026-03-05"
    assert threads[0]["messages"][4]["media_missing"] == ["IMG-20260313-WA0001.jpg"]  # export without media
    # The same chat exported again later, with one more message: only that one is added.
    path.write_text(text + "07/03/2026, 10:00 - Gerald Whitmore: See you in court\n", encoding="utf-8")
    again = import_path(vault, client_id, path, chat=ChatOptions(zone="Europe/London", date_order="dmy"))
    assert again.status == "imported" and len(again.entry_ids) == 2
    assert sum(t["thread"]["count"] for t in _threads(vault, client_id)) == 8
    assert vault.verify().ok


def test_hostile_whatsapp_exports_are_kept_unopened_as_plain_files(vault, tmp_path: Path) -> None:
    client_id = _client(vault)
    unknown = tmp_path / "WhatsApp Chat with Gerald.txt"
    unknown.write_text("Chat history\nGerald said hello on Tuesday\nthen more\nand more\nand more\n")
    slip = tmp_path / "WhatsApp Chat slip.zip"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("_chat.txt", whatsapp_chat("ios_uk", datetime(2026, 3, 13, 9, 0)))
        archive.writestr("../../.bashrc", b"echo owned")
    bomb = tmp_path / "WhatsApp Chat bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", whatsapp_chat("ios_uk", datetime(2026, 3, 13, 9, 0)))
        archive.writestr("00000003-PHOTO-2026-03-13-09-05-00.jpg", b"\x00" * (64 * 1024 * 1024))
    expected = {unknown: "not in a WhatsApp export format", slip: "outside the archive", bomb: "zip bomb"}
    for path, words in expected.items():
        result = import_path(vault, client_id, path, chat=ChatOptions(zone="Europe/Berlin"))
        _kept_as_native(vault, client_id, result, path, words)
    assert _threads(vault, client_id) == []
    assert not (tmp_path.parent / ".bashrc").exists() and not (tmp_path / ".bashrc").exists()
    assert vault.verify().ok


def test_a_mac_messages_database_imports_the_clients_conversation(vault, tmp_path: Path) -> None:
    client_id = _client(vault)
    folder = tmp_path / "Messages"
    (folder / "Attachments" / "ab" / "01" / "A1").mkdir(parents=True)
    (folder / "Attachments" / "ab" / "01" / "A1" / "IMG_7.jpeg").write_bytes(tiny_jpeg())
    t0 = datetime(2026, 3, 13, 15, 0, tzinfo=UTC)
    chat_db(
        folder / "chat.db",
        [
            (t0, False, "Your crew left a mess", False),
            (t0 + timedelta(minutes=3), True, "We will clean it tomorrow", False),
            (t0 + timedelta(minutes=9), False, "Only in attributedBody: pay me back", True),
        ],
        attachment="IMG_7.jpeg",
    )
    before = (folder / "chat.db").read_bytes()
    result = import_path(vault, client_id, folder / "chat.db", chat=ChatOptions(zone="America/New_York"))
    assert result.status == "imported", result.line()
    assert (folder / "chat.db").read_bytes() == before and not (folder / "chat.db-wal").exists()
    messages = _threads(vault, client_id)[0]["messages"]
    assert [m["direction"] for m in messages] == ["in", "out", "in"]
    assert messages[0]["time"] == "2026-03-13T11:00:00-04:00"  # Apple ns epoch
    assert messages[2]["text"] == "Only in attributedBody: pay me back"
    assert messages[0]["media"] == ["IMG_7.jpeg"]
    assert "not the client" not in json.dumps(messages)
    assert vault.search("attributedBody")
    assert vault.verify().ok

    fake = tmp_path / "other" / "chat.db"
    fake.parent.mkdir()
    import sqlite3

    conn = sqlite3.connect(fake)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    state = _state_hash(vault)
    refused = import_path(vault, client_id, fake)
    assert refused.status == "refused" and "not a Mac Messages database" in refused.reason
    assert _state_hash(vault) == state


def test_chat_import_from_the_command_line(cli, tmp_path: Path) -> None:
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    path = tmp_path / "WhatsApp Chat with Gerald Whitmore.txt"
    path.write_text(whatsapp_chat("android_de", datetime(2026, 3, 13, 9, 0)), encoding="utf-8")
    bad_zone = cli("import", "Gerald", str(path), "--zone", "Mars/Olympus")
    assert bad_zone.code != 0 and "not a time zone" in bad_zone.err
    out = cli.ok("import", "Gerald", str(path), "--zone", "Europe/Berlin", "--with", "Gerald Whitmore").out
    assert "imported   WhatsApp Chat with Gerald Whitmore.txt" in out
    hits = cli.ok("search", "lawyer", "--json").json()
    assert hits
    cli.ok("verify")


def test_the_dossier_prints_a_chat_as_a_thread_with_counts_in_the_chronology(vault, tmp_path: Path) -> None:
    import pypdfium2

    from app.dossier.export import build_dossier_pdf
    from app.dossier.select import DossierOptions

    client_id = _client(vault)
    path = tmp_path / "WhatsApp Chat with Gerald Whitmore.zip"
    path.write_bytes(whatsapp_zip(whatsapp_chat("android_uk", datetime(2026, 3, 13, 9, 0)), ios=False))
    assert import_path(vault, client_id, path, chat=ChatOptions(zone="Europe/Berlin")).ok
    built = build_dossier_pdf(vault, DossierOptions(client_id))
    document = pypdfium2.PdfDocument(built.pdf)
    try:
        text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    flat = " ".join(text.split())
    assert "6 WhatsApp messages with Gerald Whitmore" in flat  # the chronology's per-day count
    assert "#4 ← Gerald Whitmore" in flat and "I will call my lawyer" in flat  # message by message
    assert "Exhibit 2: IMG-20260313-WA0001.jpg" in flat  # the photo inline, with its exhibit
    assert "zone: Europe/Berlin" in flat
