"""Casefile core: the encrypted vault, its records, ledger, search and CLI.

Nothing under ``app`` imports Qt; the desktop app in ``ui`` is a client of it.
"""

__version__ = "0.1.0"
