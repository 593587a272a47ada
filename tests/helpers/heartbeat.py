"""A 5 ms heartbeat on the GUI thread that records every gap: how the stall tests see the window wait."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer


class Heartbeat:
    """``start()``, then ``gaps`` (ms between ticks) grows until ``stop()``; ``on_tick`` runs at each
    tick (the user scrolling meanwhile, say)."""

    def __init__(self, on_tick: Callable[[], None] | None = None, interval_ms: int = 5) -> None:
        self.gaps: list[float] = []
        self._on_tick = on_tick
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now
        if self._on_tick is not None:
            self._on_tick()

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
