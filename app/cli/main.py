"""Entry point: ``casefile`` (no arguments: the desktop app) and ``casefile COMMAND``.

Each command group lives in its own module with a ``register(subparsers)`` function;
a command's handler takes the parsed arguments and returns an exit code. Errors
the core raises are printed as one line on stderr; a traceback only with
``CASEFILE_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from app.about import version_text
from app.errors import CasefileError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_VERIFY_FAILED = 3

# Modules that add commands; each has register(subparsers).
COMMAND_MODULES = [
    "app.cli.vault_cmds",
    "app.cli.record_cmds",
    "app.cli.parting_cmds",
    "app.cli.import_cmds",
    "app.cli.export_cmds",
    "app.cli.evidence_cmds",
    "app.cli.mail_cmds",
    "app.cli.ocr_cmds",
]


class _VersionAction(argparse.Action):
    """argparse's own version action re-wraps the text; this one prints its lines as they are."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=kwargs.get("help"))  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(version_text())
        parser.exit()


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (the usage stays in --help)."""

    def error(self, message: str) -> NoReturn:
        from app.cli.context import terminal_safe

        message = message if len(message) <= 300 else message[:300] + "…"
        self.exit(EXIT_USAGE, f"{self.prog}: error: {terminal_safe(message, one_line=True)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = OneLineParser(
        prog="casefile",
        description="Casefile: an encrypted, timestamped record of a difficult client. "
        "Run without arguments to start the desktop app.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the versions of Casefile and its parts, then exit"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def run_cli(argv: Sequence[str]) -> int:
    parser = build_parser()
    for index, arg in enumerate(argv, 1):
        # A shell cannot pass NUL; bytes that are not UTF-8 arrive as lone surrogates
        # that no file name, database or terminal can take: refused up front.
        if "\x00" in arg or any("\ud800" <= ch <= "\udfff" for ch in arg):
            parser.error(f"argument {index} holds a NUL character or bytes that are not valid UTF-8")
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args) or EXIT_OK)
    except CasefileError as error:
        print(f"casefile: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("casefile: interrupted; nothing more was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # the file system said no (a name too long, no permission …)
        from app.vault.store import is_disk_full

        where = f" {error.filename}" if error.filename else ""
        if is_disk_full(error):
            print(f"casefile: Not enough disk space{where}; nothing was stored.", file=sys.stderr)
        else:
            print(f"casefile: cannot use{_one_line(where)[:200]}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # a bug: one line for the user, the traceback on request
        if os.environ.get("CASEFILE_DEBUG"):
            raise
        print(
            f"casefile: unexpected error: {type(error).__name__}: {_one_line(str(error))}"
            " (set CASEFILE_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _one_line(message: str) -> str:
    from app.cli.context import terminal_safe

    # A message may quote what the user typed: keep it one line and short.
    message = message if len(message) <= 500 else message[:500] + "…"
    return terminal_safe(message, one_line=True)


def main(argv: Sequence[str] | None = None) -> int:
    from app.hardening import disable_core_dumps

    disable_core_dumps()
    argv = list(sys.argv[1:] if argv is None else argv)
    if starts_the_app(argv):
        from ui.launch import launch

        return launch(argv)
    return run_cli(argv)


def starts_the_app(argv: Sequence[str]) -> bool:
    """No command, only the app's own options (``--vault DIR``, ``--demo``, ``--gui``): the desktop app."""
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in ("--demo", "--gui") or arg.startswith("--vault="):
            continue
        if arg == "--vault" and rest:
            rest.pop(0)
            continue
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
