"""Time handling.

An instant is stored as UTC text of fixed width (sorts lexically) plus the offset,
in minutes, that the user or the source gave it, plus the IANA zone when known.
Times shown to people are always in their original offset.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import InvalidInput

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now_utc() -> datetime:
    return datetime.now(UTC)


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def parse_utc_text(text: str) -> datetime:
    return datetime.strptime(text, UTC_FORMAT).replace(tzinfo=UTC)


def offset_minutes(moment: datetime) -> int:
    delta = moment.utcoffset()
    if delta is None:
        raise ValueError("naive datetime")
    return int(delta.total_seconds() // 60)


def with_offset(utc: datetime, minutes: int) -> datetime:
    return utc.astimezone(timezone(timedelta(minutes=minutes)))


def local_zone() -> tuple[tzinfo, str | None]:
    """The machine's zone and, when it can be found, its IANA name."""
    name = os.environ.get("TZ", "").lstrip(":") or None
    if name is None:
        try:
            target = os.readlink("/etc/localtime")
            if "zoneinfo/" in target:
                name = target.split("zoneinfo/", 1)[1]
        except OSError:
            name = None
        if name is None and Path("/etc/timezone").is_file():
            name = Path("/etc/timezone").read_text().strip() or None
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone, None


def parse_when(text: str, *, zone_name: str | None = None) -> tuple[datetime, str | None]:
    """Parse a user-typed ISO 8601 time into an aware datetime and a zone name.

    ``2026-03-08T14:05-05:00`` keeps its offset; ``2026-03-08 14:05`` is read in the
    given IANA zone or the machine's own; ``2026-03-08`` means midnight there.
    """
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise InvalidInput(
            f"Cannot read the time {text!r}; use ISO 8601, e.g. 2026-03-08T14:05 or 2026-03-08T14:05-05:00."
        ) from None
    if moment.tzinfo is not None:
        return moment, None
    if zone_name:
        try:
            zone: tzinfo = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"Unknown time zone {zone_name!r}.") from None
        name: str | None = zone_name
    else:
        zone, name = local_zone()
    return moment.replace(tzinfo=zone), name
