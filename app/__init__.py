"""Casefile core: the encrypted vault, its records, ledger, search and CLI.

Nothing under ``app`` imports Qt; the desktop app in ``ui`` is a client of it.
"""

from app.about import version as _version

__version__ = _version()  # from the installed metadata: pyproject.toml is the one place
