"""The vault's signing key: Ed25519, one per vault, stored only inside the encrypted database.

A migration can only run SQL, so the key is made in code the first time it is needed
(``VaultSigning.ensure``: at vault creation, or at the first seal, export, anchor or
``key show`` of an older vault), in one write transaction with a ``signing_key.created``
ledger event under its own subject (``signing_key:N``) holding the public half. Opening
a vault never writes, so a backup opened for a restore drill stays untouched.

The fingerprint is the first 128 bits of SHA-256(raw public key) in eight groups of four
hex digits: as strong as a seal, short enough to read over the phone.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from app import ledger
from app.errors import CorruptVault
from app.records.times import now_utc, utc_text
from app.vault.db import Database
from app.vault.store import Connection

ALGORITHM = "ed25519"


def fingerprint_of(public_key: bytes) -> str:
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def public_key_pem(public_key: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_state(row: Any) -> dict[str, Any]:
    """The ledger state of a signing_keys row (never the private half)."""
    key_id, algorithm, public_key, fingerprint, created_at = row
    return {
        "id": key_id,
        "algorithm": algorithm,
        "public_key": public_key,
        "fingerprint": fingerprint,
        "created_at": created_at,
    }


KEY_COLUMNS = "id, algorithm, public_key, fingerprint, created_at"


def create_key(conn: Connection) -> None:
    """Make the vault's key; must run inside the caller's write transaction."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    now = utc_text(now_utc())
    cursor = conn.execute(
        "INSERT INTO signing_keys(algorithm, private_key, public_key, fingerprint, created_at) VALUES (?,?,?,?,?)",
        (ALGORITHM, raw_private, base64.b64encode(raw_public).decode(), fingerprint_of(raw_public), now),
    )
    key_id = int(cursor.lastrowid or 0)
    row = conn.execute(f"SELECT {KEY_COLUMNS} FROM signing_keys WHERE id = ?", (key_id,)).fetchone()
    ledger.record(conn, "signing_key.created", f"signing_key:{key_id}", key_state(row))


@dataclass(frozen=True)
class PublicKey:
    """What anyone may see of the vault's key."""

    algorithm: str
    raw: bytes
    fingerprint: str
    created_at: str

    @property
    def base64(self) -> str:
        return base64.b64encode(self.raw).decode()

    @property
    def pem(self) -> str:
        return public_key_pem(self.raw)


class VaultSigning:
    """``vault.signing``: the public key and fingerprint for the GUI and the dossier; signing
    for the core (bundles, PDF certificates). The private key never leaves this object."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def ensure(self) -> PublicKey:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT algorithm, public_key, fingerprint, created_at FROM signing_keys ORDER BY id LIMIT 1"
            ).fetchone()
        if row is None:
            with self._db.write() as conn:
                if conn.execute("SELECT 1 FROM signing_keys").fetchone() is None:
                    create_key(conn)
            return self.ensure()
        algorithm, public_b64, fingerprint, created_at = row
        return PublicKey(str(algorithm), base64.b64decode(public_b64), str(fingerprint), str(created_at))

    def public_key(self) -> PublicKey:
        return self.ensure()

    def fingerprint(self) -> str:
        return self.ensure().fingerprint

    def _private(self) -> Any:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        public = self.ensure()
        raw = self._db.scalar("SELECT private_key FROM signing_keys ORDER BY id LIMIT 1")
        key = Ed25519PrivateKey.from_private_bytes(bytes(raw))
        if key.public_key().public_bytes_raw() != public.raw:
            raise CorruptVault("The vault's signing key does not match its recorded public key.")
        return key

    def sign(self, data: bytes) -> bytes:
        """A detached Ed25519 signature (64 bytes) over ``data``."""
        return bytes(self._private().sign(data))

    def private_key_for_certificates(self) -> Any:
        """The core's certificate issuer (app/evidence/pdfsign.py) needs the key object itself."""
        return self._private()


def check_keys(conn: Connection) -> list[str]:
    """verify: every stored private key still matches the public key the ledger recorded."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    problems = []
    for key_id, private, public_b64 in conn.execute("SELECT id, private_key, public_key FROM signing_keys"):
        try:
            ok = Ed25519PrivateKey.from_private_bytes(
                bytes(private)
            ).public_key().public_bytes_raw() == base64.b64decode(public_b64)
        except ValueError:
            ok = False
        if not ok:
            problems.append(f"signing_key:{key_id}: the stored private key does not match its public key.")
    return problems
