"""The open window notices what another Casefile process wrote, and keeps the user's place."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.helpers.cli import CliRunner
from tests.helpers.ui import PASSPHRASE
from ui.models.roles import COUNT_ROLE


def _cli(session: Any, tmp_path: Path) -> CliRunner:
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    return CliRunner(session.vault.path, secret, tmp_path)


def test_a_call_logged_from_the_cli_appears_and_the_selection_stays(
    demo_session: Any, qtbot: Any, tmp_path: Path
) -> None:
    window = demo_session.window
    busiest = max(demo_session.vault.clients.list(), key=lambda c: c.entry_count)
    window.select_client(busiest.id)
    client = window.current_client()
    view, model = window.timeline_view, window.timeline
    assert model.rowCount() > 3
    window.select_entry(model.entry_id(2))
    selected = window.current_entry_id()
    rows_before, count_before = model.rowCount(), client.entry_count

    start = time.monotonic()
    _cli(demo_session, tmp_path).ok(
        "log", client.name, "--kind", "call", "--title", "Called from the other terminal", "--body", "typed"
    )
    written = time.monotonic()
    qtbot.waitUntil(lambda: model.rowCount() == rows_before + 1, timeout=5000)
    noticed = time.monotonic()

    assert noticed - written < 1.5  # the 500 ms poll, plus a busy machine
    assert window.current_client().entry_count == count_before + 1
    index = model.index(0, 3)
    assert model.data(index) == "Called from the other terminal"
    assert window.current_entry_id() == selected  # the same entry, now one row lower
    assert view.currentIndex().row() == 3
    assert noticed - start < 60


def test_an_edit_elsewhere_refreshes_the_shown_entry(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window = demo_session.window
    window.select_client(max(demo_session.vault.clients.list(), key=lambda c: c.entry_count).id)
    window.select_entry(window.timeline.entry_id(1))
    entry_id = window.current_entry_id()
    assert entry_id is not None
    qtbot.waitUntil(lambda: window.detail.entry is not None and window.detail.entry.id == entry_id, timeout=5000)
    _cli(demo_session, tmp_path).ok("edit", str(entry_id), "--title", "Retitled in the terminal")
    qtbot.waitUntil(lambda: window.detail.entry.fields.title == "Retitled in the terminal", timeout=5000)
    assert window.timeline.data(window.timeline.index(window.timeline.row_of(entry_id), 3)) == (
        "Retitled in the terminal"
    )
    assert window.current_entry_id() == entry_id


def test_the_poll_stops_when_the_vault_locks(demo_session: Any, qtbot: Any) -> None:
    live = demo_session.window.live
    assert live.timer.isActive()
    demo_session.lock()
    assert not live.timer.isActive()


def test_an_old_entry_logged_elsewhere_lands_in_place_and_the_selection_stays(
    demo_session: Any, qtbot: Any, tmp_path: Path
) -> None:
    window = demo_session.window
    client = max(demo_session.vault.clients.list(), key=lambda c: c.entry_count)
    window.select_client(client.id)
    model = window.timeline
    window.select_entry(model.entry_id(1))
    selected, rows_before = window.current_entry_id(), model.rowCount()
    _cli(demo_session, tmp_path).ok(
        "log", client.name, "--kind", "note", "--title", "Remembered from 2019", "--when", "2019-05-01T09:00:00+00:00"
    )
    qtbot.waitUntil(lambda: model.rowCount() == rows_before + 1, timeout=5000)
    assert model.data(model.index(rows_before, 3)) == "Remembered from 2019"  # the oldest, at the bottom
    assert window.current_entry_id() == selected
    assert window.timeline_view.currentIndex().row() == 1


def test_what_a_commit_elsewhere_changed_is_read_on_a_worker(
    demo_session: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The refresh after another process's commit reads the client list, the newest ids, the
    shown entry and the reminders due on a worker: read on the GUI thread they stalled it
    25-45 ms at every poll while a watched Inbox imported."""
    import threading

    import ui.parting.reminders_panel as reminders_panel
    from app.records.clients import Clients
    from app.records.entries import Entries

    window = demo_session.window
    busiest = max(demo_session.vault.clients.list(), key=lambda c: c.entry_count)
    window.select_client(busiest.id)
    window.select_entry(window.timeline.entry_id(1))
    qtbot.waitUntil(lambda: window.detail.entry is not None, timeout=5000)
    rows_before = window.timeline.rowCount()
    on_gui: list[str] = []
    off_gui: list[str] = []

    def watched(name: str, fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            (on_gui if threading.current_thread() is threading.main_thread() else off_gui).append(name)
            return fn(*args, **kwargs)

        return call

    monkeypatch.setattr(Clients, "list", watched("clients", Clients.list))
    # The newest ids are read as an array (``newest_reader``); ``timeline_ids`` goes through it
    # too, but only the incident strip calls that, on a worker of its own, after the rows are in.
    monkeypatch.setattr(Entries, "timeline_id_array", watched("newest ids", Entries.timeline_id_array))
    monkeypatch.setattr(Entries, "get", watched("entry", Entries.get))
    monkeypatch.setattr(reminders_panel, "due_reminders", watched("reminders", reminders_panel.due_reminders))

    _cli(demo_session, tmp_path).ok("log", busiest.name, "--kind", "note", "--title", "Noted elsewhere")
    qtbot.waitUntil(lambda: window.timeline.rowCount() == rows_before + 1, timeout=5000)
    assert window.clients.index(window.clients.row_of(busiest.id), 0).data(COUNT_ROLE) == busiest.entry_count + 1
    assert {"clients", "newest ids", "entry", "reminders"} <= set(off_gui)
    assert on_gui == []


def test_the_window_that_lives_is_set_aside_from_the_collector_until_the_vault_locks(demo_session: Any) -> None:
    """A full collection walking everything the open window keeps alive took ~40 ms holding the
    GIL (a GUI stall wherever it ran): once unlocked, that is frozen out of its reach, and given
    back when the vault locks (the closed window's objects must be collectable again)."""
    import gc

    assert gc.get_freeze_count() > 10_000
    demo_session.lock()
    assert gc.get_freeze_count() == 0


def test_the_timeline_ids_come_as_an_array_of_the_same_ids(vault: Any) -> None:
    """The model holds its ids as a 64-bit array (nothing for the collector to walk)."""
    from array import array
    from datetime import UTC, datetime, timedelta

    from app.records.models import EntryFields

    client = vault.clients.add("Ids")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(30):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(hours=i % 7), f"n {i}"))
    ids = vault.entries.timeline_id_array(client.id)
    assert isinstance(ids, array) and ids.typecode == "q"
    assert ids.tolist() == vault.entries.timeline_ids(client.id) and len(set(ids)) == 30
    assert vault.entries.timeline_id_array(client.id, limit=5).tolist() == ids.tolist()[:5]
