"""Partial export files: private from the first byte, and never left behind for good.

An export writes ``NAME.pdf.partial`` and ``NAME.zip.partial`` and renames them once
the ledger has recorded the export. A kill -9 in between leaves them (plaintext!);
the next export into the same folder removes them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PARTIAL_SUFFIXES = (".pdf.partial", ".zip.partial")
STALE_AFTER_SECONDS = 120  # a running export touches its partial file far more often


def create_private(path: Path) -> None:
    """Create (or truncate) ``path`` with mode 0600 before anything is written into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT


def remove_stale_partials(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove partial export files in ``folder`` not touched for a while. Returns them."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        candidates = [p for p in folder.iterdir() if p.name.endswith(PARTIAL_SUFFIXES)]
    except OSError:
        return removed
    for path in candidates:
        try:
            if path.is_file() and not path.is_symlink() and now - path.stat().st_mtime > STALE_AFTER_SECONDS:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
