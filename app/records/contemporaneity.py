"""How long after the event an entry was written down (FRE 803(6): "at or near the time").

One definition for the detail pane, ``casefile show``, the dossier and the declaration:

- a revision's lag is its own ``recorded_at - occurred_at`` (``revision_lag``);
- an entry's lag (``entry_lag``) is when it was *first* written down (``entry.recorded_at``,
  the first revision's time, set by the vault) minus when the event happened as the record
  now says (the current ``occurred_at``). The current time, not the first one: an entry
  logged today "as of now" and later corrected to an event three months ago was written
  down three months after the event, and must not look contemporaneous.

An entry recorded before the event it describes (a reminder-like note, a clock problem)
has a negative lag and is shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.records.models import Entry, Revision

# The vault setting ``late_entry_days`` holds the threshold; this is its default.
DEFAULT_LATE_DAYS = 7


@dataclass(frozen=True)
class Lag:
    """The delay between an event and its written record."""

    delta: timedelta
    late_after: timedelta = timedelta(days=DEFAULT_LATE_DAYS)

    @property
    def seconds(self) -> int:
        return int(self.delta.total_seconds())

    @property
    def is_late(self) -> bool:
        """Written down later than the threshold: marked in the chronology and the declaration."""
        return self.delta > self.late_after

    def describe(self, *, mark_late: bool = True) -> str:
        """'recorded 3 h after', 'recorded 94 days after — entered later', 'recorded 5 min before'.

        ``mark_late=False`` leaves out "— entered later" where the caller marks it itself."""
        seconds = self.delta.total_seconds()
        when = "before" if seconds < 0 else "after"
        span = _span(abs(seconds))
        if span is None:
            return "recorded at the time"
        text = f"recorded {span} {when}"
        return text + " — entered later" if self.is_late and mark_late else text


def lag(occurred_at: datetime, recorded_at: datetime, *, late_days: int = DEFAULT_LATE_DAYS) -> Lag:
    return Lag(recorded_at - occurred_at, timedelta(days=late_days))


def entry_lag(entry: Entry, *, late_days: int = DEFAULT_LATE_DAYS) -> Lag:
    """How long after the event (as now recorded) the entry was first written down."""
    return lag(entry.fields.occurred_at, entry.recorded_at, late_days=late_days)


def revision_lag(revision: Revision, *, late_days: int = DEFAULT_LATE_DAYS) -> Lag:
    """How long after the event (as that version says) this version was written."""
    return lag(revision.fields.occurred_at, revision.recorded_at, late_days=late_days)


def vault_late_days(vault: Any) -> int:
    """The vault's ``late_entry_days`` setting as a number of days."""
    return late_days_setting(vault.settings.get("late_entry_days"))


def late_days_setting(value: str) -> int:
    """The stored setting as a number of days (a bad or empty value means the default)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LATE_DAYS
    return days if 0 <= days <= 3650 else DEFAULT_LATE_DAYS


def _span(seconds: float) -> str | None:
    if seconds < 60:
        return None
    minutes = int(seconds // 60)
    if minutes < 60:
        return _plural(minutes, "min", "min")
    hours = int(seconds // 3600)
    if hours < 48:
        return _plural(hours, "h", "h")
    return _plural(int(seconds // 86400), "day", "days")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
