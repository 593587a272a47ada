"""Counted nouns in the app's sentences: "1 entry", "2 entries" — never "entry(s)"."""

from __future__ import annotations

import re

_IRREGULAR = {"entry": "entries", "reply": "replies", "thing": "things"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun`` agreeing: plural(1, "file") == "1 file", plural(3, "entry") == "3 entries"."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many or _IRREGULAR.get(noun) or noun + 's'}"


_CLI_AGAIN = re.compile(r"\s*\([^()]*--[a-z][^()]*\)")  # "(--by NAME)", "(with --reason)"
_CLI_FLAG = re.compile(r"--[a-z][a-z-]*\s?")


def without_cli_syntax(message: str) -> str:
    """A core message as the app shows it: the command-line hints left out ("Say who did the step
    (--by NAME)" → "Say who did the step"); the CLI prints the same message with them."""
    return " ".join(_CLI_FLAG.sub("", _CLI_AGAIN.sub("", message)).split())
