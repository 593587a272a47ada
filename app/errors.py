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


class VerificationFailed(CasefileError):
    pass


class MailError(CasefileError):
    """An IMAP server could not be reached, refused the login or went away mid-fetch."""
