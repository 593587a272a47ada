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
import hashlib
import hmac
import json
import math
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.errors import KeyFileError, WrongPassphrase, WrongRecoveryKey
from app.vault.fsutil import atomic_write

KEY_FILE_FORMAT = "casefile-keyfile"
# Version 2 adds a checksum per slot (tells a damaged slot from a wrong passphrase) and a
# MAC over the file's exact bytes keyed from the data key (catches a damaged recovery slot
# on the day of any unlock, not on the day it is needed). Version 1 files still open and
# are rewritten as version 2 at their first writable unlock.
KEY_FILE_VERSION = 2
READABLE_VERSIONS = (1, 2)
# The slots' associated data keeps saying version 1: a recovery slot cannot be resealed
# without the recovery key, so the upgrade to version 2 must leave the slots as they are.
SLOT_AAD_VERSION = 1
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
    version: int = KEY_FILE_VERSION  # the version it was read as
    raw: bytes | None = field(default=None, repr=False)  # its exact bytes as read or written (for the MAC)
    sums: list[str | None] = field(default_factory=list)  # each slot's stored checksum (version 2)

    # -- wrapping ---------------------------------------------------------

    def _aad(self, slot_type: str, kdf: dict[str, object]) -> bytes:
        header = {
            "format": KEY_FILE_FORMAT,
            "version": SLOT_AAD_VERSION,
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
        # A slot of no known type is what is left of a damaged one: a rewrite drops it.
        known = [s for s in self.slots if s.type in ("passphrase", "recovery")]
        self.slots = [s for s in known if s.type != new.type] + [new]
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
            if self._damaged("passphrase"):
                raise KeyFileError(
                    "The key file's passphrase slot is damaged, so the passphrase cannot be checked: unlock with"
                    " the recovery key (`casefile recovery`) or put back vault.key from a backup."
                )
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
            if self._damaged("recovery"):
                raise KeyFileError(
                    "The key file's recovery slot is damaged: unlock with the passphrase and run"
                    " `casefile recovery --reset` to make a new recovery key."
                )
            raise WrongRecoveryKey("Wrong recovery key.")
        return data_key

    # -- integrity (version 2) -----------------------------------------------

    def _slot_intact(self, index: int) -> bool:
        """Whether slot ``index`` still has the checksum written with it (version 2 only).

        The checksum is not a secret: it tells an accidental change of a slot (a damaged
        file) from a wrong passphrase before anyone blames the passphrase. Authentication
        is the MAC's job."""
        return (
            self.version >= 2
            and index < len(self.sums)
            and self.sums[index] == slot_checksum(self.vault_id, self.slots[index])
        )

    def _damaged(self, slot_type: str) -> bool:
        return self.version >= 2 and any(
            s.type == slot_type and not self._slot_intact(i) for i, s in enumerate(self.slots)
        )

    def integrity_problem(self, data_key: bytes) -> str | None:
        """None when the whole file is as Casefile wrote it (its MAC, keyed from the data
        key, matches its exact bytes); otherwise the sentence to show. Version 1 files have
        no MAC (they get one at their first writable unlock)."""
        if self.version < 2:
            return None
        if self.raw is not None and _mac_matches(self.raw, data_key):
            return None
        recovery = [i for i, s in enumerate(self.slots) if s.type == "recovery"]
        others = [i for i, s in enumerate(self.slots) if s.type != "passphrase"]
        if len(recovery) != 1 or not all(self._slot_intact(i) for i in others):
            return RECOVERY_SLOT_DAMAGED
        return KEY_FILE_MAC_FAILED

    # -- (de)serialisation ------------------------------------------------

    def to_bytes(self, data_key: bytes) -> bytes:
        """The version 2 file: every slot with its checksum, and a MAC over the exact bytes
        (computed with the MAC's own value as 64 zeros, then written in its place)."""
        doc = {
            "format": KEY_FILE_FORMAT,
            "version": KEY_FILE_VERSION,
            "vault_id": self.vault_id,
            "slots": [{**asdict(s), "sha256": slot_checksum(self.vault_id, s)} for s in self.slots],
            "mac": _MAC_PLACEHOLDER,
        }
        body = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
        return body.replace(_mac_field(_MAC_PLACEHOLDER), _mac_field(_mac(data_key, body)), 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        damaged = "The key file is damaged or is not a Casefile key file."
        if len(data) > MAX_KEY_FILE_BYTES:
            raise KeyFileError(f"{damaged[:-1]} (it is {len(data):,} bytes; a key file is about 1 KB).")
        try:
            # Lenient about the bytes inside strings (control characters, invalid UTF-8):
            # a damaged byte in the recovery slot must not lock out the passphrase. The MAC
            # over the exact bytes still reports the damage.
            doc = json.loads(data.decode("utf-8", "surrogateescape"), strict=False)
            if not isinstance(doc, dict):
                raise KeyFileError(damaged)
            if doc.get("format") != KEY_FILE_FORMAT:
                raise KeyFileError(damaged)
            version = doc.get("version")
            if type(version) is int and version > KEY_FILE_VERSION:
                raise KeyFileError(
                    f"The key file has version {version}; this Casefile reads versions up to {KEY_FILE_VERSION}:"
                    " update Casefile to open it."
                )
            if version not in READABLE_VERSIONS or type(version) is not int:
                raise KeyFileError(damaged)
            raw_slots = doc["slots"]
            slots = [Slot(str(s["type"]), dict(s["kdf"]), str(s["nonce"]), str(s["wrapped"])) for s in raw_slots]
            if version == 1 and ("mac" in doc or any("sha256" in s for s in raw_slots)):
                raise KeyFileError(damaged)  # a version 2 file whose version number was damaged
            sums = [s.get("sha256") if isinstance(s.get("sha256"), str) else None for s in raw_slots]
            return cls(str(doc["vault_id"]), slots, version=version, raw=bytes(data), sums=sums)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise KeyFileError(damaged) from None

    def save(self, path: Path, data_key: bytes) -> None:
        data = self.to_bytes(data_key)
        atomic_write(path, data)
        self.version, self.raw = KEY_FILE_VERSION, data
        self.sums = [slot_checksum(self.vault_id, s) for s in self.slots]

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


RECOVERY_SLOT_DAMAGED = (
    "The recovery slot of the key file is damaged: run `casefile recovery --reset` now"
    " (with your passphrase; it shows a new recovery key)."
)
KEY_FILE_MAC_FAILED = (
    "The key file fails its authentication code (it was damaged or edited outside Casefile):"
    " run `casefile recovery --reset` now to rewrite it (with your passphrase; it shows a new recovery key)."
)
_MAC_PLACEHOLDER = "0" * 64


def _mac_field(value: str) -> bytes:
    return b'"mac": "' + value.encode("ascii") + b'"'


def subkey(data_key: bytes, purpose: str) -> bytes:
    """A key for one purpose (the key file's MAC, the last-seen record) derived from the
    data key with HKDF: the data key itself never keys anything but the database."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"casefile {purpose}".encode()).derive(
        bytes(data_key)
    )


def _mac(data_key: bytes, body: bytes) -> str:
    return hmac.new(subkey(data_key, "key file mac v2"), body, hashlib.sha256).hexdigest()


def _mac_matches(raw: bytes, data_key: bytes) -> bool:
    import re

    found = re.findall(rb'"mac": "([0-9a-f]{64})"', raw)
    if len(found) != 1:
        return False
    stored = found[0].decode("ascii")
    body = raw.replace(_mac_field(stored), _mac_field(_MAC_PLACEHOLDER), 1)
    return hmac.compare_digest(stored, _mac(data_key, body))


def slot_checksum(vault_id: str, slot: Slot) -> str:
    canonical = json.dumps({"vault_id": vault_id, **asdict(slot)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
