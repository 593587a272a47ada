"""What every command needs: the vault location, the passphrase, output helpers.

The passphrase never comes from argv (it would show in ``ps`` and shell history):
it comes from a prompt, ``--passphrase-file PATH`` (``-`` = standard input) or the
file named by ``CASEFILE_PASSPHRASE_FILE``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.errors import InvalidInput, WrongPassphrase
from app.vault.names import APP_NAME, default_vault_dir  # noqa: F401  (here for the CLI's callers)


def vault_dir(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "vault", None) or os.environ.get("CASEFILE_VAULT")
    return Path(chosen).expanduser() if chosen else default_vault_dir()


_stdin_cache: dict[str, list[str]] = {}

MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024  # a body, a draft, a secret: text a person wrote


def read_user_bytes(path: Path, what: str, limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    """Read a file the user named, bounded, after checking its type: a FIFO or a device
    must not block the command on open, a folder gets a sentence, not a traceback."""
    import stat

    try:
        info = path.expanduser().stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise InvalidInput(f"The {what} {path} is {kind}.")
        if info.st_size > limit:
            raise InvalidInput(f"The {what} {path} is too large ({info.st_size:,} bytes; at most {limit:,}).")
        with path.expanduser().open("rb") as handle:
            return handle.read(limit + 1)[:limit]
    except OSError as error:
        raise InvalidInput(f"Cannot read the {what} {path}: {error.strerror or error}.") from None


def read_user_text(path: Path, what: str, limit: int = MAX_TEXT_FILE_BYTES) -> str:
    """``read_user_bytes`` decoded as UTF-8 ('-' reads standard input)."""
    if str(path) == "-":
        return sys.stdin.read(limit)
    try:
        return read_user_bytes(path, what, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"The {what} {path} is not UTF-8 text.") from None


def _read_secret_file(spec: str, what: str, index: int = 0) -> str:
    """Read a secret from a file; '-' reads standard input (one secret per line)."""
    if spec == "-":
        lines = _stdin_cache.setdefault("-", sys.stdin.read().splitlines())
        if index >= len(lines):
            raise InvalidInput(f"Standard input ended before the {what}.")
        return lines[index]
    text = read_user_text(Path(spec), f"{what} file", 64 * 1024)
    return text.splitlines()[0] if text.splitlines() else ""


def passphrase(args: argparse.Namespace, *, confirm: bool = False, prompt: str = "Passphrase: ") -> str:
    spec = getattr(args, "passphrase_file", None) or os.environ.get("CASEFILE_PASSPHRASE_FILE")
    if spec:
        return _read_secret_file(spec, "passphrase")
    return _prompt(prompt, confirm)


def new_passphrase(args: argparse.Namespace) -> str:
    spec = getattr(args, "new_passphrase_file", None)
    if spec:
        return _read_secret_file(
            spec, "new passphrase", index=1 if spec == "-" and getattr(args, "passphrase_file", None) == "-" else 0
        )
    return _prompt("New passphrase: ", confirm=True)


def _prompt(prompt: str, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise InvalidInput("No passphrase given: use a terminal, --passphrase-file PATH or CASEFILE_PASSPHRASE_FILE.")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise WrongPassphrase("The two passphrases differ; nothing was changed.")
    return first


@contextmanager
def open_vault(args: argparse.Namespace, *, check_seen: bool = True) -> Iterator[Any]:
    from app.vault import Vault

    vault = Vault.open(vault_dir(args), passphrase(args), check_seen=check_seen)
    for notice in vault.notices:  # a damaged recovery slot, a damaged record of the last state seen
        err(f"casefile: warning: {notice}")
    # Another Casefile process writing (an import, `watch`, the app): say once that we
    # wait, on stderr, and keep what the user typed.
    vault.db.on_busy = lambda message: err(f"casefile: {message}")
    try:
        yield vault
    finally:
        vault.lock()


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(value: Any) -> None:
    json.dump(to_jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _escapes(keep: str) -> dict[int, str]:
    # C0 and C1 controls and DEL (ESC starts screen-clearing and clipboard-writing
    # sequences; 0x9b is a one-byte CSI), and the bidi overrides that reorder what is shown.
    codes = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    return {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in codes if chr(c) not in keep}


_TEXT_ESCAPES = _escapes("\n\t")
_LINE_ESCAPES = _escapes("")


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    """Record text made harmless for a terminal: control characters (other than newline
    and tab, unless ``one_line``) are shown as ``\\xNN`` instead of being obeyed."""
    return text.translate(_LINE_ESCAPES if one_line else _TEXT_ESCAPES)


def out(text: str = "") -> None:
    """Human output on stdout, escaped (``--json`` goes through print_json, exact)."""
    print(terminal_safe(text))


def err(text: str) -> None:
    print(terminal_safe(text, one_line=True), file=sys.stderr)


def whole_number(low: int, high: int) -> Any:
    """An argparse type: a whole number within [low, high], refused with a sentence otherwise."""

    def parse(text: str) -> int:
        cleaned = text.strip()
        if not (cleaned.isascii() and cleaned.lstrip("-").isdigit()) or len(cleaned) > 20:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
        value = int(cleaned)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range ({low} to {high})")
        return value

    return parse


def seconds(high: float) -> Any:
    """An argparse type: a finite number of seconds from 0 to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of seconds") from None
        if not 0 <= value <= high:  # also refuses nan and inf
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is out of range (0 to {high:g} seconds)")
        return value

    return parse


# Ids are SQLite integers; minutes are bounded like the records' own checks.
ID = whole_number(1, 2**62)
MINUTES = whole_number(0, 10 * 366 * 24 * 60)


def add_vault_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vault", metavar="DIR", help="vault folder (default: $CASEFILE_VAULT or the user data dir)")
    parser.add_argument("--passphrase-file", metavar="PATH", help="read the passphrase from PATH ('-' = stdin)")
