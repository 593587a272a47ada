"""The window keeps painting while a worker imports (the tight figure is bench/bench_stall.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from tests.helpers.heartbeat import Heartbeat

LOOSE_BOUND_MS = 500  # a regression guard on a shared machine; the target (60 ms) lives in the bench


def test_the_gui_thread_never_waits_long_during_a_50_mb_import(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from app.ingest.importer import import_path

    window = demo_session.window
    vault = demo_session.vault
    client = max(vault.clients.list(), key=lambda c: c.entry_count)
    window.select_client(client.id)
    big = tmp_path / "site-video.bin"
    with big.open("wb") as out:
        for _ in range(50):
            out.write(os.urandom(1024 * 1024))

    def meanwhile() -> None:  # the user scrolls and the window reads a page of rows
        bar = window.timeline_view.verticalScrollBar()
        bar.setValue((bar.value() + 1) % (bar.maximum() + 1))
        vault.clients.get(client.id)

    heartbeat = Heartbeat(meanwhile)
    gaps = heartbeat.gaps
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(import_path(vault, client.id, big)))
    heartbeat.start()
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=120_000)
    heartbeat.stop()
    worker.join()

    assert results and results[0].status == "imported", results
    assert len(gaps) > 20
    assert max(gaps) < LOOSE_BOUND_MS, f"the GUI thread stalled {max(gaps):.0f} ms"
    qtbot.waitUntil(lambda: window.current_client().entry_count == client.entry_count + 1, timeout=5000)
