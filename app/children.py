"""What the app's child processes share: the export (app/dossier/child.py), its layout helper
(app/dossier/layout_helper.py) and the watched Inbox (app/ingest/inbox_child.py).

Each is started with multiprocessing's ``spawn`` context (a fork of a process with Qt threads
is never safe) and told everything over one pipe: the vault's folder, then the raw data key
as one ``send_bytes`` message (``Vault.send_data_key``: never argv, the environment or a
file). The child wipes its copy of the key once the vault is open, has no core dumps, runs
at a lower CPU priority than the window's process, and dies with its parent.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

KEY_BYTES = 32


def lower_priority(pid: int | None, nice: int) -> None:
    """Background work: on a busy machine the window's process gets the CPU first. Set from
    the parent right after the spawn, so the child's own start (interpreter, imports)
    already runs at it."""
    if nice and pid is not None and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice))


def die_with_parent() -> None:
    """On Linux the kernel kills this process when the thread that started it ends (its
    parent killed, or done with it); elsewhere the child notices the closed pipe."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the line above
            os._exit(0)


def open_sent_vault(conn: Any, path: str, *, writable: bool = False) -> Any:
    """The vault at ``path``, opened with the raw key that comes next on ``conn`` (the
    parent's ``Vault.send_data_key``), or None if what came is no key; this process's copy
    of the key is wiped at once. Read-only (the export and its helper) unless ``writable``
    (the Inbox, which imports)."""
    key = bytearray(KEY_BYTES)
    try:
        if conn.recv_bytes_into(key) != KEY_BYTES:
            return None
        from app.vault.vault import Vault

        if writable:
            return Vault.open_with_data_key(Path(path), key)
        return Vault.open_read_only(Path(path), key)
    finally:
        for i in range(len(key)):
            key[i] = 0
