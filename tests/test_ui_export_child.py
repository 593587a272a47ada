"""The Export dialog runs the export in a child process: the window keeps painting (the tight
figure is bench/bench_stall.py c), and Cancel, lock and closing the dialog kill the child,
leaving no process and no partial file behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.heartbeat import Heartbeat
from tests.helpers.processes import gone

LOOSE_BOUND_MS = 300  # a regression guard on a shared machine; the target (60 ms) lives in the bench


def _dialog(demo_session: Any) -> Any:
    window = demo_session.window
    client = max(demo_session.vault.clients.list(), key=lambda c: c.entry_count)
    window.select_client(client.id)
    return window.export_dossier()


def _exports(vault: Any) -> int:
    return sum(e.action == "dossier.export" for e in vault.events())


def test_the_gui_thread_never_waits_long_during_an_export(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window, vault = demo_session.window, demo_session.vault
    dialog = _dialog(demo_session)
    def scroll() -> None:  # meanwhile the user scrolls
        bar = window.timeline_view.verticalScrollBar()
        bar.setValue((bar.value() + 1) % (bar.maximum() + 1))

    heartbeat = Heartbeat(scroll)
    gaps = heartbeat.gaps
    heartbeat.start()
    with qtbot.waitSignal(dialog.built, timeout=120_000):
        dialog.build()
    building = list(gaps)
    with qtbot.waitSignal(dialog.saved, timeout=120_000) as saved:
        dialog.save_to(tmp_path / "out")
    heartbeat.stop()
    # The preview itself (thumbnails of every page) is drawn on workers, outside this window.
    result = saved.args[0]
    assert result.pdf_path.read_bytes() == dialog.dossier.pdf and result.zip_path.exists()
    assert _exports(vault) == 1 and vault.verify().ok
    assert len(building) > 20 and len(gaps) > len(building)
    assert max(gaps) < LOOSE_BOUND_MS, f"the GUI thread stalled {max(gaps):.0f} ms during an export"
    pid = dialog.child.pid
    dialog.reject()  # closing the dialog kills its (idle) child
    assert gone(pid)


def test_cancel_kills_the_child_during_a_build_and_a_save(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from app.dossier.child import live_children

    vault = demo_session.vault
    dialog = _dialog(demo_session)
    dialog.build()  # the child is spawned on the worker
    qtbot.waitUntil(lambda: dialog.phase.text() == "Laying out pages", timeout=60_000)
    pid = dialog.child.pid
    dialog.cancel()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert "cancelled" in dialog.phase.text() and dialog.dossier is None and dialog.child is None
    assert gone(pid) and live_children() == 0

    with qtbot.waitSignal(dialog.built, timeout=120_000):
        dialog.build()
    out = tmp_path / "out"
    pid = dialog.child.pid
    dialog.save_to(out)
    qtbot.waitUntil(lambda: out.exists() and any(p.name.endswith(".partial") for p in out.iterdir()), timeout=60_000)
    dialog.cancel()  # the child is writing the bundle into the partial files
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert "cancelled" in dialog.phase.text()
    assert gone(pid) and live_children() == 0
    assert list(out.iterdir()) == []  # no partial file left, no PDF, no ZIP
    assert _exports(vault) == 0 and not dialog.save_button.isEnabled()
    dialog.reject()


def test_lock_kills_the_child_building_or_holding_a_preview(demo_session: Any, qtbot: Any) -> None:
    from app.dossier.child import live_children

    dialog = _dialog(demo_session)
    with qtbot.waitSignal(dialog.built, timeout=120_000):
        dialog.build()
    idle = dialog.child.pid  # holds the laid-out dossier for a save
    assert not gone(idle, within=0.2)
    dialog.build()  # a second build is under way when the vault locks
    assert gone(idle)  # the new build replaced the old child
    qtbot.waitUntil(lambda: dialog.phase.text() in ("Reading the record", "Laying out pages"), timeout=60_000)
    building = dialog.child.pid
    assert building is not None and building != idle
    demo_session.lock()
    assert gone(building) and live_children() == 0
    assert demo_session.vault is None
