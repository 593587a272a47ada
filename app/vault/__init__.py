"""The vault: a folder holding an SQLCipher database and the key file that unlocks it."""

from app.vault.vault import Vault

__all__ = ["Vault"]
