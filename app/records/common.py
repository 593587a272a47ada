"""Small helpers shared by the record modules."""

from __future__ import annotations

import json
from collections.abc import Iterable

from app.errors import InvalidInput


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def clean_text(value: str, what: str, *, required: bool = False, limit: int = 10_000_000) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    if "\x00" in value:
        raise InvalidInput(f"The {what} contains a NUL character.")
    if required and not value.strip():
        raise InvalidInput(f"The {what} must not be empty.")
    if len(value) > limit:
        raise InvalidInput(f"The {what} is too long ({len(value)} characters; the limit is {limit}).")
    return value.strip() if required else value


def like_prefix(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching values that start with ``text`` literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def clean_list(values: Iterable[str], what: str) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        item = clean_text(value, what).strip()
        if item and item not in out:
            out.append(item)
    return tuple(out)


def optional_non_negative(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"The {what} must be a whole number of zero or more.")
    return value
