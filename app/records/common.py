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


MAX_LOOKUP_CHARS = 1000  # SQLite refuses LIKE patterns over 50 000 bytes


def like_prefix(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching values that start with ``text`` literally."""
    if len(text) > MAX_LOOKUP_CHARS:
        raise InvalidInput(f"The text to look for is too long ({len(text):,} characters; at most {MAX_LOOKUP_CHARS}).")
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def clean_list(values: Iterable[str], what: str, *, limit: int = 10_000_000) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        item = clean_text(value, what, limit=limit).strip()
        if item and item not in out:
            out.append(item)
    return tuple(out)


# Upper bounds for numbers the user types: far beyond any real value, far inside
# SQLite's 64-bit integers (so a typo is refused here, not by the database).
MAX_MINUTES = 10 * 366 * 24 * 60  # ten years, in minutes
MAX_AMOUNT_CENTS = 10**15  # ten trillion in any currency


def optional_non_negative(value: int | None, what: str, *, limit: int = MAX_MINUTES) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"The {what} must be a whole number of zero or more.")
    if value > limit:
        raise InvalidInput(f"The {what} is too large (at most {limit}).")
    return value


def optional_amount(value: int | None, what: str = "amount") -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"The {what} must be a whole number of cents.")
    if abs(value) > MAX_AMOUNT_CENTS:
        raise InvalidInput(f"The {what} is too large (at most {MAX_AMOUNT_CENTS // 100:,} in any currency).")
    return value
