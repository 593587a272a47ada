"""A small, really full disk for the disk-full tests: a tmpfs of a few megabytes.

CI runs as root, so mounting is possible; it is each test's premise, so where it is
impossible the test fails rather than skips.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def small_tmpfs(parent: Path, megabytes: int) -> Iterator[Path]:
    """Mount a ``megabytes`` MB tmpfs (mode 0700) at ``parent/small`` for the block."""
    mount = parent / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
