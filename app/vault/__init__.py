"""The vault: a folder holding an SQLCipher database and the key file that unlocks it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.vault.vault import Vault

__all__ = ["Vault"]


def __getattr__(name: str) -> Any:
    # Lazy, so that low-level modules (store, db) import without pulling in the
    # records layer that itself depends on them.
    if name == "Vault":
        from app.vault.vault import Vault

        return Vault
    raise AttributeError(name)
