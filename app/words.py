"""Counted nouns in Casefile's sentences: "1 entry", "2 entries" — never "entry(s)" or "1 entries".

In the core so the CLI, the dossier and the importers say it the way the app does.
"""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "reply": "replies", "thing": "things"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun`` agreeing: plural(1, "file") == "1 file", plural(3, "entry") == "3 entries"."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many or _IRREGULAR.get(noun) or noun + 's'}"
