"""The ledger catches edits made behind Casefile's back, even with the raw key."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app import ledger
from app.errors import CorruptVault
from app.records.models import EntryFields
from app.records.times import parse_when
from app.vault import Vault
from app.vault.keys import KeyFile
from app.vault.store import open_database
from tests.conftest import PASSPHRASE


@pytest.fixture
def recorded(vault_path: Path) -> Path:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    client = vault.clients.add("Gerald Whitmore")
    when, _ = parse_when("2026-08-14T19:45-05:00")
    entry = vault.entries.log(client.id, EntryFields("incident", when, "Shouted at the crew", "He shouted."))
    vault.attachments.add_stream(entry.id, io.BytesIO(b"photo bytes" * 5000), "crew.jpg")
    vault.entries.revise(entry.id, EntryFields("incident", when, "Shouted at the crew", "He shouted for 5 minutes."))
    vault.reminders.add(client.id, when, "Follow up")
    vault.settings.set("owner_name", "Sam Rivera")
    assert vault.verify().ok
    vault.lock()
    return vault_path


def _raw(path: Path):  # type: ignore[no-untyped-def]
    """What an attacker with the data key (or a buggy tool) could do: plain SQL."""
    key = KeyFile.load(path / "vault.key").unwrap_with_passphrase(PASSPHRASE)
    return open_database(path / "vault.db", key)


def _verify(path: Path, seal: str | None = None):  # type: ignore[no-untyped-def]
    with Vault.open(path, PASSPHRASE) as vault:
        return vault.verify(seal=seal)


TAMPERING = {
    "entry body edited": ("UPDATE revisions SET body = 'He was calm.' WHERE rev = 2", "revision:2 differs"),
    "first revision edited": ("UPDATE revisions SET title = 'Nothing happened' WHERE rev = 1", "revision:1 differs"),
    "recorded_at backdated": ("UPDATE entries SET recorded_at = '2026-08-14T20:00:00.000000Z'", "entry:1 differs"),
    "client renamed": ("UPDATE clients SET name = 'Someone else'", "client:1 differs"),
    "timeline snippet edited": (
        "UPDATE entries SET snippet = 'He was calm.'",
        "entry:1 shows something other than its current revision",
    ),
    "timeline time zone edited": (
        "UPDATE entries SET occurred_tz = 'Asia/Tokyo'",
        "entry:1 shows something other than its current revision",
    ),
    "revision deleted": ("DELETE FROM revisions WHERE rev = 2", "revision:2 is recorded in the ledger but missing"),
    "attachment renamed": ("UPDATE attachments SET name = 'other.jpg'", "attachment:1 differs"),
    "attachment bytes changed": ("UPDATE blob_chunks SET data = zeroblob(length(data))", "no longer has its SHA-256"),
    "reminder removed": ("DELETE FROM reminders", "reminder:1 is recorded in the ledger but missing"),
    "setting changed": ("UPDATE settings SET value = 'Mallory'", "setting:owner_name differs"),
    "event payload edited": (
        "UPDATE events SET payload = replace(payload, 'Shouted', 'Smiled') WHERE action = 'entry.revision'",
        "content was changed after it was written",
    ),
    "event deleted": ("DELETE FROM events WHERE seq = 3", "Ledger break at event 3"),
    "row added behind the ledger": (
        "INSERT INTO clients(name, created_at, updated_at) VALUES ('Ghost', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        "client:2 is in the database but not in the ledger",
    ),
}


@pytest.mark.parametrize("sql, expected", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_is_caught(recorded: Path, sql: str, expected: str) -> None:
    conn = _raw(recorded)
    with conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        conn.execute(sql)
        conn.execute("COMMIT")
    conn.close()
    report = _verify(recorded)
    assert not report.ok
    assert expected in report.first_break, report.problems


def test_a_rewritten_chain_is_caught_by_the_seal(recorded: Path) -> None:
    with Vault.open(recorded, PASSPHRASE) as vault:
        seal = vault.seal()
    # A careful forger edits a revision and recomputes every hash after it.
    conn = _raw(recorded)
    conn.execute("BEGIN")
    conn.execute("UPDATE revisions SET body = 'He was calm.' WHERE rev = 2")
    conn.execute("UPDATE entries SET snippet = 'He was calm.'")  # the timeline's copy of its start too
    rev_row = conn.execute("SELECT id FROM revisions WHERE rev = 2").fetchone()[0]
    prev = ledger.GENESIS
    for seq, at, action, subject, payload in conn.execute(
        "SELECT seq, at, action, subject, payload FROM events ORDER BY seq"
    ).fetchall():
        doc = json.loads(payload)
        if subject == f"revision:{rev_row}":
            doc["state"]["body"] = "He was calm."
        digest = ledger.event_hash(prev, seq, at, action, subject, doc)
        conn.execute(
            "UPDATE events SET payload=?, prev_hash=?, hash=? WHERE seq=?",
            (ledger.canonical(doc).decode(), prev, digest, seq),
        )
        prev = digest
    conn.execute("COMMIT")
    conn.close()
    # This computer saw the original head: the open refuses (app/vault/seen.py) …
    with pytest.raises(CorruptVault, match="no longer holds the state this computer last saw"):
        Vault.open(recorded, PASSPHRASE)
    (recorded / "vault.seen").unlink()  # … so a careful forger removes that record too
    assert _verify(recorded).ok  # internally consistent …
    report = _verify(recorded, seal)
    assert not report.ok  # … but not the state the lawyer was sent
    assert "rewritten since it was sealed" in report.first_break


def test_seal_of_a_later_state_still_contains_the_earlier_one(recorded: Path) -> None:
    with Vault.open(recorded, PASSPHRASE) as vault:
        seal = vault.seal()
        client = vault.clients.add("Someone new")
        vault.clients.set_status(client.id, "watch", "Late payments")
        report = vault.verify(seal=seal)
    assert report.ok and report.seal_ok


def test_malformed_seal_is_a_clear_error(recorded: Path) -> None:
    from app.errors import InvalidInput

    with Vault.open(recorded, PASSPHRASE) as vault, pytest.raises(InvalidInput, match="is not a Casefile seal"):
        vault.verify(seal="hello")


def test_every_change_is_one_event_in_the_same_transaction(vault: Vault) -> None:
    before = vault.head().count
    client = vault.clients.add("Gerald")
    assert [e.action for e in vault.events(after=before)] == ["client.add"]
    when, _ = parse_when("2026-01-02T10:00+01:00")
    mark = vault.head().count
    vault.entries.log(client.id, EntryFields("call", when, "Call"))
    assert [e.action for e in vault.events(after=mark)] == ["entry.create", "entry.revision"]
    # A failed change appends nothing.
    mark = vault.head().count
    with pytest.raises(Exception, match="Unknown kind"):
        vault.entries.log(client.id, EntryFields("nonsense", when, "Call"))
    assert vault.head().count == mark


def test_attachment_hashes_are_in_the_ledger(vault: Vault) -> None:
    client = vault.clients.add("Gerald")
    when, _ = parse_when("2026-01-02T10:00+01:00")
    entry = vault.entries.log(client.id, EntryFields("call", when, "Call"))
    att = vault.attachments.add_stream(entry.id, io.BytesIO(b"abc"), "a.txt")
    events = [e for e in vault.events() if e.action == "attachment.add"]
    assert (
        events[0].payload["state"]["sha256"]
        == att.sha256
        == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    )


def test_a_legacy_export_event_on_the_client_subject_still_verifies(recorded: Path) -> None:
    """Vaults exported before the fix hold ``dossier.export`` on ``client:N`` without
    the client's state; verify skips it when comparing the row, and still catches an edit."""
    with Vault.open(recorded, PASSPHRASE) as vault:
        vault.record_event("dossier.export", "client:1", {"client_id": 1, "pdf_sha256": "0" * 64})
        assert vault.verify().ok, vault.verify().problems
    conn = _raw(recorded)
    with conn:
        conn.execute("BEGIN")
        conn.execute("UPDATE clients SET name = 'Someone else'")
        conn.execute("COMMIT")
    conn.close()
    report = _verify(recorded)
    assert not report.ok and "client:1 differs" in report.first_break


def test_entries_logged_by_another_process_do_not_look_like_damage(recorded: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """The desktop app keeps its connection open while `casefile log` (or `watch`) writes:
    FTS5's cached structure must not make verify report a checksum mismatch."""
    with Vault.open(recorded, PASSPHRASE) as vault:
        assert vault.verify().ok
        cli.ok("log", "1", "--kind", "call", "--title", "Logged from a script")
        report = vault.verify()
        assert report.ok, report.problems
