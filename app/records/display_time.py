"""One time zone for display: the vault's ``display_timezone`` (``Settings.display_zone()``).

The timeline, the detail pane and the capture dialog show times in that zone, and add the
entry's own wall-clock time where its recorded offset differs — "14:05 (09:05 in New York,
-04:00)" — so a call logged while travelling still reads as it was written.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo


def in_zone(at: datetime, zone: tzinfo | None) -> datetime:
    """``at`` in the display zone (None: this machine's)."""
    return at.astimezone(zone)


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def place_of(tz_name: str | None) -> str:
    """'America/New_York' → 'New York'; '' for no name or a bare offset name."""
    if not tz_name or "/" not in tz_name:
        return ""
    return tz_name.rsplit("/", 1)[1].replace("_", " ")


def own_time(utc: datetime, offset_min: int, tz_name: str | None, zone: tzinfo | None) -> str:
    """The entry's own wall-clock time and offset when they differ from the display zone's at
    that instant ("09:05 in New York, -04:00"), else ''."""
    shown = utc.astimezone(zone).utcoffset()
    if shown is not None and shown == timedelta(minutes=offset_min):
        return ""
    try:
        own = utc.astimezone(timezone(timedelta(minutes=offset_min)))
    except (OverflowError, ValueError):
        return ""
    place = place_of(tz_name)
    return f"{own:%H:%M}{' in ' + place if place else ''}, {offset_text(offset_min)}"


def time_with_own(utc: datetime, offset_min: int, tz_name: str | None, zone: tzinfo | None, fmt: str = "%H:%M") -> str:
    """ "14:05" or "14:05 (09:05 in New York, -04:00)"."""
    own = own_time(utc, offset_min, tz_name, zone)
    shown = utc.astimezone(zone).strftime(fmt)
    return f"{shown} ({own})" if own else shown


def zone_label(zone: tzinfo | None) -> str:
    """A short name of the display zone for labels ("Europe/Paris", or "this computer's zone")."""
    key = getattr(zone, "key", None)
    return str(key) if key else "this computer's zone"
