"""One writer and many readers: reads never wait for a write, writers wait for each other."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlcipher3

from app.errors import VaultBusy, VaultLocked
from app.records.entries import insert_entry
from app.records.models import EntryFields
from app.records.times import now_utc
from app.vault import Vault, store
from app.vault.store import DATABASE_NAME, OperationalError, open_database


def _note(title: str) -> EntryFields:
    return EntryFields("note", now_utc(), title, body="text")


def _in_thread(fn):  # type: ignore[no-untyped-def]
    """Run ``fn`` on a new thread; return its result or raise its exception."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def test_a_read_on_another_thread_does_not_wait_for_an_open_write(vault: Vault) -> None:
    client = vault.clients.add("Ada")
    vault.entries.log(client.id, _note("first"))
    with vault.db.write() as conn:
        insert_entry(conn, client.id, _note("uncommitted"))
        start = time.perf_counter()
        count = _in_thread(lambda: vault.entries.count(client.id))
        waited = time.perf_counter() - start
        assert vault.entries.count(client.id) == 2  # this thread reads its own write
    assert count == 1  # the other thread saw the last committed snapshot
    assert waited < 1.0
    assert _in_thread(lambda: vault.entries.count(client.id)) == 2


def test_nested_reads_share_one_snapshot(vault: Vault) -> None:
    client = vault.clients.add("Ada")
    with vault.db.read():
        before = vault.entries.count(client.id)
        _in_thread(lambda: vault.entries.log(client.id, _note("meanwhile")))
        assert vault.entries.count(client.id) == before
    assert vault.entries.count(client.id) == before + 1


def test_a_read_connection_cannot_write(vault: Vault) -> None:
    with pytest.raises(OperationalError, match=r"readonly|attempt to write"), vault.db.read() as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
    assert vault.db.scalar("SELECT count(*) FROM meta WHERE key = 'x'") == 0


def test_locking_closes_the_readers_of_every_thread(vault: Vault) -> None:
    client = vault.clients.add("Ada")
    results: list[object] = []
    ready, go = threading.Event(), threading.Event()

    def worker() -> None:
        results.append(vault.entries.count(client.id))
        ready.set()
        go.wait(10)
        try:
            vault.entries.count(client.id)
        except VaultLocked as error:
            results.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    assert ready.wait(10)
    assert vault.db.reader_count == 2  # this thread and the worker
    vault.lock()
    assert vault.db.reader_count == 0
    go.set()
    thread.join(10)
    assert results[0] == 0
    assert isinstance(results[1], VaultLocked)


def test_locking_interrupts_a_long_read_on_another_thread(vault: Vault) -> None:
    started = threading.Event()
    outcome: list[BaseException] = []

    def long_read() -> None:
        try:
            with vault.db.read() as conn:
                started.set()
                # A query that runs for minutes unless interrupted.
                conn.execute(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
                ).fetchone()
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=long_read)
    thread.start()
    assert started.wait(10)
    time.sleep(0.1)
    start = time.perf_counter()
    vault.lock()
    thread.join(10)
    assert time.perf_counter() - start < 5
    assert len(outcome) == 1 and isinstance(outcome[0], VaultLocked)
    assert str(outcome[0]) == "The vault is locked."


def test_locking_does_not_wait_for_a_reader_stuck_outside_sqlite(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread inside its read that waits on something else (no statement to interrupt):
    lock gives up on it after CLOSE_WAIT_S, and the thread closes its own connection on the
    way out of its read. Before, lock interrupted it forever."""
    from app.vault import db

    monkeypatch.setattr(db, "CLOSE_WAIT_S", 0.5)
    inside, release = threading.Event(), threading.Event()
    kept: list[object] = []

    def stuck_read() -> None:
        with vault.db.read() as conn:
            kept.append(conn)
            inside.set()
            release.wait(30)

    thread = threading.Thread(target=stuck_read)
    thread.start()
    assert inside.wait(10)
    start = time.perf_counter()
    vault.lock()
    assert time.perf_counter() - start < 3
    assert not vault.db.is_open
    release.set()
    thread.join(10)
    with pytest.raises(sqlcipher3.ProgrammingError):  # closed by its own thread, on leaving the read
        kept[0].execute("SELECT 1")  # type: ignore[attr-defined]


def test_a_writer_waits_for_another_process_and_says_so(vault: Vault, vault_path: Path) -> None:
    client = vault.clients.add("Ada")
    told: list[str] = []
    vault.db.on_busy = told.append
    other = open_database(vault_path / DATABASE_NAME, bytes(vault._data_key))
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(2.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        start = time.perf_counter()
        entry = vault.entries.log(client.id, _note("typed while busy"))
        waited = time.perf_counter() - start
    finally:
        release.join()
        other.close()
    assert waited >= 2.0
    assert vault.entries.get(entry.id).fields.title == "typed while busy"
    assert len(told) == 1 and "busy" in told[0]
    assert vault.verify().ok


def test_a_writer_gives_up_with_one_line_after_the_bound(
    vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = vault.clients.add("Ada")
    monkeypatch.setattr(store, "WRITE_WAIT_S", 1.5)
    other = open_database(vault_path / DATABASE_NAME, bytes(vault._data_key))
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(VaultBusy, match="nothing was changed") as caught:
            vault.entries.log(client.id, _note("lost?"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "\n" not in str(caught.value)
    assert "database is locked" not in str(caught.value)
    assert vault.entries.count(client.id) == 0


def test_a_writer_in_this_process_waits_for_a_long_write_on_a_worker(vault: Vault) -> None:
    client = vault.clients.add("Ada")
    told: list[str] = []
    vault.db.on_busy = told.append
    holding = threading.Event()

    def long_write() -> None:
        with vault.db.write() as conn:
            insert_entry(conn, client.id, _note("import"))
            holding.set()
            time.sleep(1.5)

    thread = threading.Thread(target=long_write)
    thread.start()
    assert holding.wait(10)
    vault.entries.log(client.id, _note("typed"))
    thread.join()
    assert vault.entries.count(client.id) == 2
    assert told and "busy" in told[0]


def test_readers_of_ended_threads_are_closed(vault: Vault) -> None:
    for _ in range(12):
        _in_thread(lambda: vault.clients.list())
    assert vault.db.reader_count <= 2


def test_the_client_list_counts_come_from_the_write_transaction_and_verify_checks_them(vault: Vault) -> None:
    ada, bob = vault.clients.add("Ada"), vault.clients.add("Bob")
    for i in range(3):
        vault.entries.log(ada.id, _note(f"call {i}"))
    with vault.db.write() as conn:
        insert_entry(conn, bob.id, _note("imported"))
    assert {c.name: c.entry_count for c in vault.clients.list()} == {"Ada": 3, "Bob": 1}
    assert vault.clients.get(ada.id).entry_count == 3
    assert vault.verify().ok
    vault.db.conn.execute("UPDATE client_counts SET entries = 7 WHERE client_id = ?", (bob.id,))
    report = vault.verify()
    assert not report.ok
    assert report.first_break == f"client:{bob.id} shows a wrong entry count."
