"""Saving a call while another thread holds the writer: the window keeps painting, the save lands."""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer

LOOSE_BOUND_MS = 500  # a regression guard on a shared machine (the target is 60 ms)
HOLD_S = 1.5


def test_quick_capture_saves_on_a_worker_while_the_writer_is_held(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    vault = demo_session.vault
    dialog = window.quick_capture()
    qtbot.keyClicks(dialog.body, "Called while the import ran")

    holding, release = threading.Event(), threading.Event()

    def hold_writer() -> None:
        with vault.db.write():
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold_writer)
    holder.start()
    assert holding.wait(10)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(tick)
    heartbeat.start()
    try:
        dialog.save()
        assert dialog.saving and not dialog.save_button.isEnabled() and dialog.isVisible()
        qtbot.wait(int(HOLD_S * 1000))  # the GUI thread runs its loop while the save waits
        assert dialog.isVisible() and dialog.saving  # still waiting: nothing was written around the writer
        with qtbot.waitSignal(dialog.saved, timeout=30_000) as saved:
            release.set()
    finally:
        release.set()
        heartbeat.stop()
        holder.join()
    assert len(gaps) > 50
    assert max(gaps) < LOOSE_BOUND_MS, f"the GUI thread stalled {max(gaps):.0f} ms"
    entry = saved.args[0]
    assert vault.entries.get(entry.id).fields.body == "Called while the import ran"
    assert vault.drafts.list() == []
