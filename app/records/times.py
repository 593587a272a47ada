"""Time handling.

An instant is stored as UTC text of fixed width (sorts lexically) plus the offset,
in minutes, that the user or the source gave it, plus the IANA zone when known.
Times shown to people are always in their original offset.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import struct
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import CorruptVault, InvalidInput

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# The years a record may hold, checked after conversion to UTC. Outside them a time is
# a typo or a hostile value; inside them every time survives every conversion (an
# offset added to 9999-12-31 overflows, year 999 prints with three digits and would
# no longer sort or parse as fixed-width text).
MIN_YEAR = 1900
MAX_YEAR = 2200
_UTC_TEXT = re.compile(r"(\d{1,4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z")


# The demo's story clock (app/clock.py, ``story_time``) while the demo vault is built;
# None, always, for a real vault.
injected_clock: Callable[[], datetime] | None = None


def now_utc() -> datetime:
    clock = injected_clock
    return clock() if clock is not None else datetime.now(UTC)


def in_range(moment: datetime) -> bool:
    """True when an aware time lies in the supported years once converted to UTC."""
    try:
        return MIN_YEAR <= moment.astimezone(UTC).year <= MAX_YEAR
    except (OverflowError, ValueError):
        return False


def check_range(moment: datetime, what: str = "time") -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"The {what} needs a time zone or UTC offset.")
    if not in_range(moment):
        raise InvalidInput(
            f"The {what} {moment.isoformat()} is outside the years {MIN_YEAR}-{MAX_YEAR} that Casefile records."
        )
    return moment


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    check_range(moment)
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def parse_utc_text(text: str) -> datetime:
    """Read a stored UTC time. Tolerant of what older versions could write (a year of
    fewer than four digits), so a stored value is always readable."""
    match = _UTC_TEXT.fullmatch(text or "")
    if match is None:
        raise CorruptVault(f"A stored time is unreadable ({text[:40]!r}); run `casefile verify`.")
    year, month, day, hour, minute, second, frac = match.groups()
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((frac or "0").ljust(6, "0")),
            tzinfo=UTC,
        )
    except ValueError:
        raise CorruptVault(f"A stored time is unreadable ({text[:40]!r}); run `casefile verify`.") from None


def offset_minutes(moment: datetime) -> int:
    delta = moment.utcoffset()
    if delta is None:
        raise ValueError("naive datetime")
    return int(delta.total_seconds() // 60)


def with_offset(utc: datetime, minutes: int) -> datetime:
    try:
        return utc.astimezone(timezone(timedelta(minutes=minutes)))
    except (OverflowError, ValueError):  # an offset beyond ±24 h or past year 9999: show it in UTC
        return utc


def posix_zone(spec: str) -> tzinfo:
    """A zone from a POSIX TZ rule such as ``EST5EDT,M3.2.0,M11.1.0`` (what TZ may hold).

    zoneinfo reads such a rule as the footer of a TZif file, so this builds the
    smallest TZif v2 file (no transitions, the rule as footer) in memory.
    """
    header = b"TZif2" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, 4)
    body = struct.pack(">lBB", 0, 0, 0) + b"UTC\0"
    data = header + body + header + body + b"\n" + spec.encode("ascii") + b"\n"
    return ZoneInfo.from_file(io.BytesIO(data), key=spec)


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
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        try:  # not an IANA name: a POSIX rule (TZ=EST5EDT,M3.2.0,M11.1.0) or a TZif file path
            if os.path.isabs(name) and os.path.isfile(name):
                with open(name, "rb") as handle:
                    return ZoneInfo.from_file(handle), None
            return posix_zone(name), None
        except (ValueError, UnicodeEncodeError, OSError):
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
            f"Cannot read the time {text[:80]!r}; use ISO 8601, e.g. 2026-03-08T14:05 or 2026-03-08T14:05-05:00."
        ) from None
    if moment.tzinfo is not None:
        return check_range(moment), None
    if not MIN_YEAR - 1 <= moment.year <= MAX_YEAR + 1:
        check_range(moment.replace(tzinfo=UTC))
    if zone_name:
        try:
            zone: tzinfo = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise InvalidInput(f"Unknown time zone {zone_name[:80]!r}.") from None
        name: str | None = zone_name
    else:
        zone, name = local_zone()
    local = moment.replace(tzinfo=zone)
    check_wall_time(local, name or "this computer's time zone", text)
    return check_range(local), name


def check_wall_time(local: datetime, zone_label: str, typed: str = "") -> None:
    """Refuse a wall-clock time that a daylight-saving change made ambiguous (it happened
    twice) or non-existent (skipped): only a UTC offset says which instant was meant."""
    first, second = local.replace(fold=0), local.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return
    wall = f"{local:%Y-%m-%d %H:%M}"

    def iso(moment: datetime) -> str:
        return moment.isoformat(timespec="minutes")

    if first.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None, fold=0):
        after = first.astimezone(UTC).astimezone(local.tzinfo)
        raise InvalidInput(
            f"{wall} does not exist in {zone_label}: the clocks went forward that night. "
            f"Give the time with its UTC offset, e.g. {iso(after)}."
        )
    raise InvalidInput(
        f"{wall} happened twice in {zone_label}: the clocks went back that night. "
        f"Give the UTC offset: {iso(first)} (the first) or {iso(second)} (the second)."
    )


@contextlib.contextmanager
def iana_tz_env() -> Iterator[None]:
    """While a library that only takes IANA names from TZ (tzlocal) runs: a POSIX rule
    in TZ is set aside (the machine's /etc/localtime answers instead), then restored."""
    value = os.environ.get("TZ")
    usable = True
    if value is not None:
        try:
            ZoneInfo(value.lstrip(":"))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            usable = False
    if value is None or usable:
        yield
        return
    del os.environ["TZ"]
    try:
        yield
    finally:
        os.environ["TZ"] = value
