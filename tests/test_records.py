"""Records as the owner keeps them: clients, entries, revisions, retractions, attachments, reminders, drafts."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from app.errors import Ambiguous, InvalidInput, NotFound
from app.records.models import EntryFields
from app.records.times import now_utc, parse_when
from app.vault import Vault
from tests.conftest import PASSPHRASE, ROOT


def _when(text: str = "2026-03-08T14:05-05:00"):  # type: ignore[no-untyped-def]
    return parse_when(text)[0]


def test_occurred_at_keeps_its_offset_and_zone(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    moment, zone = parse_when("2026-07-01 09:30", zone_name="Europe/Berlin")
    entry = vault.entries.log(client.id, EntryFields("call", moment, "Call", occurred_tz=zone))
    assert entry.occurred_at.isoformat() == "2026-07-01T09:30:00+02:00"
    assert entry.fields.occurred_tz == "Europe/Berlin"
    vault.lock()
    with Vault.open(vault.path, PASSPHRASE) as again:
        assert again.entries.get(entry.id).occurred_at.utcoffset() == timedelta(hours=2)


def test_recorded_at_is_set_by_the_vault_and_survives_edits(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    before = now_utc()
    entry = vault.entries.log(client.id, EntryFields("call", _when(), "Call", "first"))
    assert before <= entry.recorded_at <= now_utc()
    edited = vault.entries.revise(
        entry.id, replace(entry.fields, occurred_at=_when("2026-03-08T13:05-05:00")), note="Wrong hour"
    )
    assert edited.recorded_at == entry.recorded_at
    assert edited.rev == 2
    history = vault.entries.revisions(entry.id)
    assert [r.fields.occurred_at.hour for r in history] == [14, 13]
    assert history[1].note == "Wrong hour"


def test_an_edit_that_changes_nothing_is_refused(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    entry = vault.entries.log(client.id, EntryFields("call", _when(), "Call", "same"))
    with pytest.raises(InvalidInput, match="Nothing changed"):
        vault.entries.revise(entry.id, entry.fields)


def test_retraction_keeps_the_entry_and_blocks_edits(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    entry = vault.entries.log(client.id, EntryFields("call", _when(), "Call"))
    retracted = vault.entries.retract(entry.id, "Wrong client")
    assert retracted.retraction is not None and retracted.retraction.reason == "Wrong client"
    assert vault.entries.timeline_ids(client.id) == [entry.id]
    with pytest.raises(InvalidInput, match="retracted"):
        vault.entries.revise(entry.id, replace(entry.fields, title="New"))
    with pytest.raises(InvalidInput, match="already retracted"):
        vault.entries.retract(entry.id, "again")
    with pytest.raises(InvalidInput, match="must not be empty"):
        vault.entries.retract(vault.entries.log(client.id, EntryFields("call", _when(), "Other")).id, "  ")


def test_status_changes_are_kept_with_reasons(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    vault.clients.set_status(client.id, "watch", "Late payments")
    vault.clients.set_status(client.id, "Do-Not-Serve", "Abusive to staff")
    assert vault.clients.get(client.id).status == "do_not_serve"
    assert [(c.status, c.reason) for c in vault.clients.status_history(client.id)] == [
        ("watch", "Late payments"),
        ("do_not_serve", "Abusive to staff"),
    ]


def test_client_references(vault: Vault) -> None:
    vault.clients.add("Gerald Whitmore")
    vault.clients.add("Gerald Wu")
    vault.clients.add("Maple Street Bakery")
    assert vault.clients.resolve("maple").name == "Maple Street Bakery"
    assert vault.clients.resolve("gerald wu").name == "Gerald Wu"
    assert vault.clients.resolve("1").name == "Gerald Whitmore"
    with pytest.raises(Ambiguous):
        vault.clients.resolve("Gerald")
    with pytest.raises(NotFound):
        vault.clients.resolve("Nobody")
    with pytest.raises(NotFound):
        vault.clients.resolve("100%")  # LIKE wildcards are taken literally


def test_timeline_is_newest_first_and_pages_by_id(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    ids = [
        vault.entries.log(client.id, EntryFields("call", _when(f"2026-03-{d:02d}T10:00+00:00"), f"Day {d}")).id
        for d in (5, 1, 9, 3)
    ]
    ordered = vault.entries.timeline_ids(client.id)
    assert [vault.entries.get(i).title for i in ordered] == ["Day 9", "Day 5", "Day 3", "Day 1"]
    page = vault.entries.timeline_rows(ordered[1:3])
    assert [r.title for r in page] == ["Day 5", "Day 3"]
    assert vault.entries.timeline_ids(client.id, ("incident",)) == []
    assert set(ordered) == set(ids)


def test_identical_files_are_stored_once_and_linked(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    first = vault.entries.log(client.id, EntryFields("email", _when(), "Email 1"))
    second = vault.entries.log(client.id, EntryFields("email", _when(), "Email 2"))
    data = b"the same contract" * 100_000  # > 1 chunk
    a = vault.attachments.add_stream(first.id, io.BytesIO(data), "contract.pdf")
    b = vault.attachments.add_stream(second.id, io.BytesIO(data), "contract (1).pdf")
    assert a.sha256 == b.sha256 == hashlib.sha256(data).hexdigest()
    assert vault.db.scalar("SELECT count(*) FROM blobs") == 1
    assert vault.db.scalar("SELECT count(*) FROM blob_chunks") == 2
    assert vault.attachments.entries_with(a.sha256) == [first.id, second.id]
    assert b"".join(vault.attachments.iter_bytes(a.sha256)) == data
    assert vault.verify().ok


def test_empty_file_is_a_valid_attachment(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    entry = vault.entries.log(client.id, EntryFields("note", _when(), "Empty"))
    att = vault.attachments.add_stream(entry.id, io.BytesIO(b""), "empty.txt")
    assert att.size == 0 and vault.attachments.read_bytes(att.sha256) == b""


def test_hostile_file_names_are_neutralised(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    entry = vault.entries.log(client.id, EntryFields("note", _when(), "Names"))
    att = vault.attachments.add_stream(entry.id, io.BytesIO(b"x"), "in\nvoice\u202egpj.exe/../../etc")
    assert "\n" not in att.name and "\u202e" not in att.name and "/" not in att.name


def test_attaching_to_a_missing_entry_changes_nothing(vault: Vault) -> None:
    head = vault.head()
    with pytest.raises(NotFound):
        vault.attachments.add_stream(999, io.BytesIO(b"data"), "a.txt")
    assert vault.head() == head
    assert vault.db.scalar("SELECT count(*) FROM blobs") == 0


def test_large_attachment_streams_with_flat_memory(tmp_path: Path) -> None:
    """300 MB streamed through the vault; peak RSS grows by far less than the file."""
    script = textwrap.dedent(f"""
        import io, os, sys
        sys.path.insert(0, {str(ROOT)!r})
        os.environ["CASEFILE_KDF_PROFILE"] = "minimum"
        from app.vault import Vault
        from app.records.models import EntryFields
        from app.records.times import now_utc

        class Zeros(io.RawIOBase):
            def __init__(self, n): self.left = n
            def readable(self): return True
            def readinto(self, buf):
                n = min(len(buf), self.left); buf[:n] = bytes(n); self.left -= n; return n

        v, _ = Vault.create({str(tmp_path / "big")!r}, "a long passphrase")
        c = v.clients.add("Big")
        e = v.entries.log(c.id, EntryFields("document", now_utc(), "Big file"))
        v.attachments.add_stream(e.id, io.BytesIO(b"warm-up"), "w.bin")
        def hwm():  # VmHWM, not ru_maxrss (which Linux carries over from the forking parent)
            return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
        base = hwm()
        a = v.attachments.add_stream(e.id, io.BufferedReader(Zeros(300 * 1024 * 1024)), "big.bin")
        total = sum(len(chunk) for chunk in v.attachments.iter_bytes(a.sha256))
        peak = hwm()
        print(a.size, total, (peak - base) // 1024)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    size, total, growth_mb = map(int, out)
    assert size == total == 300 * 1024 * 1024
    assert growth_mb < 80, f"memory grew by {growth_mb} MB"


def test_reminders_due(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    now = now_utc()
    soon = vault.reminders.add(client.id, now + timedelta(hours=24), "Follow-up call")
    later = vault.reminders.add(client.id, now + timedelta(days=14), "Notice period ends")
    assert [r.id for r in vault.reminders.open(due_before=now + timedelta(days=2))] == [soon.id]
    vault.reminders.complete(soon.id)
    assert [r.id for r in vault.reminders.open()] == [later.id]
    with pytest.raises(InvalidInput, match="already done"):
        vault.reminders.complete(soon.id)


def test_drafts_survive_a_lock(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    draft_id = vault.drafts.save({"title": "Call with G", "body": "He said"}, client_id=client.id)
    vault.drafts.save({"title": "Call with G", "body": "He said he would"}, draft_id=draft_id)
    vault.lock()
    with Vault.open(vault.path, PASSPHRASE) as again:
        drafts = again.drafts.list(client.id)
        assert [d.content["body"] for d in drafts] == ["He said he would"]
        again.drafts.discard(draft_id)
        assert again.drafts.list() == []


def test_settings_live_in_the_vault(vault: Vault) -> None:
    vault.settings.set("owner_name", "Sam Rivera")
    assert vault.settings.get("owner_name") == "Sam Rivera"
    assert vault.settings.get("bates_prefix") == "CF"
    with pytest.raises(InvalidInput, match="Unknown setting"):
        vault.settings.set("favourite_colour", "blue")


def test_input_validation(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    bad = [
        (EntryFields("call", _when().replace(tzinfo=None), "x"), "time zone"),
        (EntryFields("call", _when(), "x", duration_min=-5), "duration"),
        (EntryFields("call", _when(), "x", currency="DOLLARS"), "currency"),
        (EntryFields("call", _when(), "x", body="a\x00b"), "NUL"),
    ]
    for fields, message in bad:
        with pytest.raises(InvalidInput, match=message):
            vault.entries.log(client.id, fields)
    assert vault.entries.count() == 0
