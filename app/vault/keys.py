"""Key wrapping: the data key, the passphrase and recovery slots, the key file.

The database is encrypted with a random 256-bit *data key*. The key file holds that
key wrapped (AES-256-GCM) once per *slot*: one slot derives its wrapping key from the
passphrase with Argon2id, the other from the printable recovery key with HKDF (it
already carries 160 random bits, so a slow KDF would add nothing). Changing the
passphrase rewraps one 32-byte key; the database is never re-encrypted.

Each slot's associated data covers the file format, the vault id, the slot type and
its KDF parameters, so editing the parameters breaks authentication, and parameters
below a floor are refused before any work is done (a downgrade attack would
otherwise make the passphrase cheap to guess).
"""

from __future__ import annotations

import base64
import json
import math
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.errors import KeyFileError, WrongPassphrase, WrongRecoveryKey
from app.vault.fsutil import atomic_write

KEY_FILE_FORMAT = "casefile-keyfile"
KEY_FILE_VERSION = 1
DATA_KEY_BYTES = 32

# The floor below which a key file is refused as a downgrade. OWASP's minimum for
# Argon2id is 19 MiB; we ask for more because a vault is a high-value target.
MIN_MEMORY_KIB = 64 * 1024
MIN_TIME_COST = 1
MIN_PARALLELISM = 1
# The ceiling: a tampered key file must not make an unlock take minutes or exhaust
# memory before it can say "wrong passphrase". Checked before any derivation.
MAX_MEMORY_KIB = 1024 * 1024
MAX_TIME_COST = 32
MAX_PARALLELISM = 16
MAX_COST_KIB_PASSES = 64 * 1024 * MAX_TIME_COST  # memory x passes: calibrate() stays below it
MIN_SALT_BYTES, MAX_SALT_BYTES = 8, 64
# A key file is a few hundred bytes of flat JSON; anything much larger or deeper is not one.
MAX_KEY_FILE_BYTES = 64 * 1024

TARGET_SECONDS = 0.3
RECOVERY_KEY_BYTES = 20  # 160 bits -> 32 base32 characters, 8 groups of 4


@dataclass(frozen=True)
class Argon2Params:
    time_cost: int
    memory_kib: int
    parallelism: int
    salt: str  # base64

    def check_floor(self) -> None:
        if self.memory_kib < MIN_MEMORY_KIB or self.time_cost < MIN_TIME_COST or self.parallelism < MIN_PARALLELISM:
            raise KeyFileError(
                "The key file asks for weaker key-derivation settings than Casefile allows;"
                " it may have been tampered with."
            )
        if (
            self.memory_kib > MAX_MEMORY_KIB
            or self.time_cost > MAX_TIME_COST
            or self.parallelism > MAX_PARALLELISM
            or self.memory_kib * self.time_cost > MAX_COST_KIB_PASSES
            or self.memory_kib < 8 * self.parallelism
        ):
            raise KeyFileError(
                "The key file's key-derivation settings are out of range; it is damaged or was tampered with."
            )
        try:
            salt = _unb64(self.salt)
        except ValueError:
            raise KeyFileError("The key file's passphrase slot is damaged.") from None
        if not MIN_SALT_BYTES <= len(salt) <= MAX_SALT_BYTES:
            raise KeyFileError("The key file's passphrase slot is damaged (bad salt length).")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive_passphrase_key(passphrase: str, params: Argon2Params) -> bytes:
    from argon2.exceptions import HashingError
    from argon2.low_level import Type, hash_secret_raw

    try:
        return hash_secret_raw(
            secret=passphrase.encode("utf-8", "surrogatepass"),
            salt=_unb64(params.salt),
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=32,
            type=Type.ID,
        )
    except HashingError as error:  # parameters this machine cannot use (e.g. out of memory)
        raise KeyFileError(f"The key file's key-derivation settings cannot be used here ({error}).") from None


def minimum_params() -> Argon2Params:
    """The floor parameters (used by tests and the fast profile)."""
    return Argon2Params(MIN_TIME_COST, MIN_MEMORY_KIB, 2, _b64(secrets.token_bytes(16)))


def calibrate(target: float = TARGET_SECONDS) -> Argon2Params:
    """Pick Argon2id parameters that take about ``target`` seconds on this machine.

    Memory is fixed at 64 MiB (enough to defeat GPUs, small enough for old laptops);
    the number of passes is scaled from one timed pass.
    """
    if os.environ.get("CASEFILE_KDF_PROFILE") == "minimum":
        return minimum_params()
    params = minimum_params()
    timings = []
    for _ in range(3):  # the fastest of three: a busy machine must not weaken the vault's KDF
        start = time.perf_counter()
        derive_passphrase_key("calibration", params)
        timings.append(time.perf_counter() - start)
    one_pass = max(min(timings), 1e-3)
    passes = max(2, min(MAX_TIME_COST, round(target / one_pass)))
    # The first pass also pays for allocating the memory, so cost is not linear in
    # passes: time the estimate once and correct it.
    start = time.perf_counter()
    derive_passphrase_key("calibration", Argon2Params(passes, params.memory_kib, params.parallelism, params.salt))
    measured = time.perf_counter() - start
    if measured < target * 0.85:
        passes = max(2, min(MAX_TIME_COST, math.ceil(passes * target / measured)))
    return Argon2Params(passes, params.memory_kib, params.parallelism, params.salt)


def _recovery_wrapping_key(recovery_secret: bytes, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"casefile recovery slot v1").derive(
        recovery_secret
    )


def new_recovery_key() -> str:
    """A printable recovery key: 8 groups of 4 base32 characters (160 bits)."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_KEY_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    # People read 0/1 as O/I when copying from paper; base32 has no 0, 1 or 8.
    cleaned = cleaned.translate(str.maketrans("018", "OIB"))
    try:
        raw = base64.b32decode(cleaned)
    except ValueError:
        raise WrongRecoveryKey("That is not a recovery key (expected 8 groups of 4 letters and digits).") from None
    if len(raw) != RECOVERY_KEY_BYTES:
        raise WrongRecoveryKey("That is not a recovery key (expected 8 groups of 4 letters and digits).")
    return raw


@dataclass
class Slot:
    type: str  # "passphrase" | "recovery"
    kdf: dict[str, object]
    nonce: str
    wrapped: str


@dataclass
class KeyFile:
    vault_id: str
    slots: list[Slot]

    # -- wrapping ---------------------------------------------------------

    def _aad(self, slot_type: str, kdf: dict[str, object]) -> bytes:
        header = {
            "format": KEY_FILE_FORMAT,
            "version": KEY_FILE_VERSION,
            "vault_id": self.vault_id,
            "slot": slot_type,
            "kdf": kdf,
        }
        return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()

    def _seal(self, slot_type: str, kdf: dict[str, object], wrapping_key: bytes, data_key: bytes) -> Slot:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(wrapping_key).encrypt(nonce, data_key, self._aad(slot_type, kdf))
        return Slot(slot_type, kdf, _b64(nonce), _b64(wrapped))

    def _open(self, slot: Slot, wrapping_key: bytes) -> bytes | None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(wrapping_key).decrypt(
                _unb64(slot.nonce), _unb64(slot.wrapped), self._aad(slot.type, slot.kdf)
            )
        except (InvalidTag, ValueError):
            return None

    def _slot(self, slot_type: str) -> Slot:
        for slot in self.slots:
            if slot.type == slot_type:
                return slot
        raise KeyFileError(f"The key file has no {slot_type} slot; it is damaged.")

    def _replace(self, new: Slot) -> None:
        self.slots = [s for s in self.slots if s.type != new.type] + [new]
        self.slots.sort(key=lambda s: s.type)

    def set_passphrase(self, data_key: bytes, passphrase: str, params: Argon2Params) -> None:
        kdf = {"name": "argon2id", **asdict(params)}
        self._replace(self._seal("passphrase", kdf, derive_passphrase_key(passphrase, params), data_key))

    def set_recovery(self, data_key: bytes, recovery_key: str) -> None:
        salt = secrets.token_bytes(16)
        kdf: dict[str, object] = {"name": "hkdf-sha256", "salt": _b64(salt)}
        wrapping = _recovery_wrapping_key(parse_recovery_key(recovery_key), salt)
        self._replace(self._seal("recovery", kdf, wrapping, data_key))

    def unwrap_with_passphrase(self, passphrase: str) -> bytes:
        slot = self._slot("passphrase")
        params = _argon2_params(slot.kdf)
        params.check_floor()
        data_key = self._open(slot, derive_passphrase_key(passphrase, params))
        if data_key is None:
            raise WrongPassphrase("Wrong passphrase.")
        return data_key

    def unwrap_with_recovery_key(self, recovery_key: str) -> bytes:
        slot = self._slot("recovery")
        if slot.kdf.get("name") != "hkdf-sha256":
            raise KeyFileError("The key file's recovery slot is damaged.")
        try:
            salt = _unb64(str(slot.kdf["salt"]))
        except (KeyError, ValueError):
            raise KeyFileError("The key file's recovery slot is damaged.") from None
        data_key = self._open(slot, _recovery_wrapping_key(parse_recovery_key(recovery_key), salt))
        if data_key is None:
            raise WrongRecoveryKey("Wrong recovery key.")
        return data_key

    # -- (de)serialisation ------------------------------------------------

    def to_bytes(self) -> bytes:
        doc = {
            "format": KEY_FILE_FORMAT,
            "version": KEY_FILE_VERSION,
            "vault_id": self.vault_id,
            "slots": [asdict(s) for s in self.slots],
        }
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        damaged = "The key file is damaged or is not a Casefile key file."
        if len(data) > MAX_KEY_FILE_BYTES:
            raise KeyFileError(f"{damaged[:-1]} (it is {len(data):,} bytes; a key file is about 1 KB).")
        try:
            doc = json.loads(data.decode("utf-8"))
            if not isinstance(doc, dict):
                raise KeyFileError(damaged)
            if doc.get("format") != KEY_FILE_FORMAT:
                raise KeyFileError(damaged)
            if doc.get("version") != KEY_FILE_VERSION:
                raise KeyFileError(
                    f"The key file has version {doc.get('version')}; this Casefile reads version {KEY_FILE_VERSION}."
                )
            slots = [Slot(str(s["type"]), dict(s["kdf"]), str(s["nonce"]), str(s["wrapped"])) for s in doc["slots"]]
            return cls(str(doc["vault_id"]), slots)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise KeyFileError(damaged) from None

    def save(self, path: Path) -> None:
        atomic_write(path, self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            with path.open("rb") as handle:  # bounded: a huge or endless file is refused unread
                data = handle.read(MAX_KEY_FILE_BYTES + 1)
        except FileNotFoundError:
            raise KeyFileError(f"The key file {path.name} is missing from the vault folder.") from None
        except OSError as error:
            raise KeyFileError(f"The key file cannot be read: {error.strerror}.") from None
        return cls.from_bytes(data)


def _argon2_params(kdf: dict[str, object]) -> Argon2Params:
    try:
        if kdf["name"] != "argon2id":
            raise KeyFileError("The key file uses an unknown key-derivation function.")
        params = Argon2Params(
            int(kdf["time_cost"]),  # type: ignore[call-overload]
            int(kdf["memory_kib"]),  # type: ignore[call-overload]
            int(kdf["parallelism"]),  # type: ignore[call-overload]
            str(kdf["salt"]),
        )
        _unb64(params.salt)
    except (KeyError, ValueError, TypeError, OverflowError):
        raise KeyFileError("The key file's passphrase slot is damaged.") from None
    return params


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)
