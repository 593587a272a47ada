"""Waiting for a process to be gone, for the tests that kill or stop children."""

from __future__ import annotations

import os
import time


def gone(pid: int | None, within: float = 10.0) -> bool:
    """The process has exited and been reaped (no zombie left behind either) within ``within`` s."""
    assert pid is not None
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False
