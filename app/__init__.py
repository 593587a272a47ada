"""Casefile core: the encrypted vault, its records, ledger, search and CLI.

Nothing under ``app`` imports Qt; the desktop app in ``ui`` is a client of it.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    # ``__version__`` comes from the installed metadata (pyproject.toml is the one place), read
    # only when asked: importlib.metadata (and the email package it pulls in) cost the start of
    # the desktop app ~20 ms quiet, ~80 ms on a loaded machine, for a number it does not show.
    if name == "__version__":
        from app.about import version

        return version()
    raise AttributeError(f"module 'app' has no attribute {name!r}")
