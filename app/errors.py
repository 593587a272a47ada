"""The exceptions the core raises.

Every message is a complete, user-readable sentence: the CLI and the GUI show
``str(error)`` on one line and nothing else. Tracebacks belong in a debug log.
"""


class CasefileError(Exception):
    """Base class: something the user can be told about in one line."""


class VaultNotFound(CasefileError):
    pass


class VaultExists(CasefileError):
    pass


class VaultLocked(CasefileError):
    """The vault is closed (locked) and an operation needed it open."""


class VaultBusy(CasefileError):
    pass


class WrongPassphrase(CasefileError):
    pass


class WrongRecoveryKey(CasefileError):
    pass


class KeyFileError(CasefileError):
    """The key file is missing, unreadable, damaged, or was tampered with."""


class CorruptVault(CasefileError):
    """The database is damaged or does not belong to the key file."""


class NotFound(CasefileError):
    pass


class Ambiguous(CasefileError):
    pass


class InvalidInput(CasefileError):
    pass


class InvalidQuery(InvalidInput):
    pass


class UnsupportedFile(CasefileError):
    pass


class DamagedFile(UnsupportedFile):
    """The file claims a format (a chat export, a Messages database) it does not hold.

    It is still evidence: the importer keeps it byte for byte as a plain file with this
    reason, instead of refusing it (refusals are for choices the owner must make).
    """


class VerificationFailed(CasefileError):
    pass


class DiskFull(CasefileError):
    """A write ran out of space; the transaction was rolled back, nothing was stored."""


def disk_full_message(folder: object, action: str, need_bytes: int | None = None) -> str:
    """The one sentence for every kind of write that ran out of space."""
    need = f" (need about {max(1, -(-need_bytes // 1_000_000))} MB)" if need_bytes else ""
    return f"Not enough disk space in {folder} to {action}{need}; nothing was stored."


class MailError(CasefileError):
    """An IMAP server could not be reached, refused the login or went away mid-fetch."""
