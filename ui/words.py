"""Counted nouns in the app's sentences: "1 entry", "2 entries" — never "entry(s)"."""

from __future__ import annotations

import re

from app.words import plural

__all__ = ["plural", "without_cli_syntax"]

_CLI_AGAIN = re.compile(r"\s*\([^()]*--[a-z][^()]*\)")  # "(--by NAME)", "(with --reason)"
_CLI_FLAG = re.compile(r"--[a-z][a-z-]*\s?")


def without_cli_syntax(message: str) -> str:
    """A core message as the app shows it: the command-line hints left out ("Say who did the step
    (--by NAME)" → "Say who did the step"); the CLI prints the same message with them."""
    return " ".join(_CLI_FLAG.sub("", _CLI_AGAIN.sub("", message)).split())
