"""The names a vault folder is known by, with no dependencies: the desktop app's start reads
these before the unlock window shows, so they must not pull in SQLCipher or the CLI."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "Casefile"
DATABASE_NAME = "vault.db"
KEY_FILE_NAME = "vault.key"


def default_vault_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "vault"


def is_vault(path: Path) -> bool:
    """A folder holding a vault's key file (what the app offers to unlock)."""
    return (path / KEY_FILE_NAME).is_file()
