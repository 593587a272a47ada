"""The vault clock: a sanity check of the system clock with each ledger event.

Every event's time is the system clock (UTC). The ledger never refuses to write, but it
notes in the record itself when that clock looks wrong, so that a reader of the ledger
(and ``casefile verify``) sees it:

- ``clock.backwards``: the clock reads earlier than the previous event's time (by more
  than ``BACKWARDS_TOLERANCE``). Works across processes and restarts: the previous
  event is in the database.
- ``clock.jump``: since this process's last event, the wall clock moved differently from
  the elapsed-time clock — ahead by more than ``AHEAD_TOLERANCE`` (someone set it
  forward), or behind by more than ``BACKWARDS_TOLERANCE`` (set back, even if not yet
  before the previous event). The elapsed-time clock is ``CLOCK_BOOTTIME`` on Linux,
  which counts suspend, so a laptop's sleep is not a jump; elsewhere ``time.monotonic``,
  which on some systems stops during sleep — hence the generous one-day tolerance ahead.
  A jump ahead between two runs of Casefile cannot be told from time really passing,
  and is not noted.

The note is its own event (subject ``clock``), appended just before the event whose time
is in doubt, in the same transaction. Both carry the clock's reading as it was: nothing
is corrected, only disclosed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.records.times import now_utc, parse_utc_text, utc_text

BACKWARDS_TOLERANCE = timedelta(seconds=2)  # NTP steps a drifting clock by less
AHEAD_TOLERANCE = timedelta(days=1)
SUBJECT = "clock"


def _elapsed_seconds() -> float:
    clock = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(clock) if clock is not None else time.monotonic()


@dataclass(frozen=True)
class ClockNote:
    action: str  # clock.backwards | clock.jump
    payload: dict[str, object]

    def sentence(self) -> str:
        return describe(self.action, self.payload)


def describe(action: str, payload: dict[str, object]) -> str:
    """One line for people, from a stored ``clock.*`` event."""
    seconds = float(payload.get("seconds", 0) or 0)  # type: ignore[arg-type]
    amount = _amount(abs(seconds))
    if action == "clock.backwards":
        return (
            f"the system clock read {payload.get('now')}, {amount} before the previous event"
            f" ({payload.get('previous_at')}); times after it may be wrong"
        )
    if action == "clock.jump":
        way = "ahead" if seconds > 0 else "back"
        return (
            f"the system clock was set {amount} {way} while Casefile ran"
            f" (at {payload.get('now')}); times after it may be wrong"
        )
    return f"clock note {action}"


def _amount(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@dataclass
class VaultClock:
    """Reads the time for ledger events and notes when it looks wrong.

    ``wall`` and ``elapsed`` are injectable (tests). One per process is enough — the
    system clock is one per machine — so the ledger uses ``SYSTEM_CLOCK`` by default.
    """

    wall: Callable[[], datetime] = now_utc
    elapsed: Callable[[], float] = _elapsed_seconds
    _last: tuple[datetime, float] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def read(self, previous_at: str | None) -> tuple[str, list[ClockNote]]:
        """The time for the next event, and any notes to append before it."""
        with self._lock:
            now, mono = self.wall(), self.elapsed()
            notes: list[ClockNote] = []
            now_text = utc_text(now)
            if self._last is not None:
                last_wall, last_mono = self._last
                drift = (now - last_wall) - timedelta(seconds=mono - last_mono)
                if drift > AHEAD_TOLERANCE or drift < -BACKWARDS_TOLERANCE:
                    notes.append(
                        ClockNote(
                            "clock.jump",
                            {
                                "now": now_text,
                                "last_seen": utc_text(last_wall),
                                "seconds": round(drift.total_seconds()),
                            },
                        )
                    )
            # Stored times are fixed-width ISO text: a plain comparison rules out the usual case.
            if previous_at and now_text < previous_at:
                try:
                    previous: datetime | None = parse_utc_text(previous_at)
                except Exception:  # an unreadable stored time is verify's business, not ours
                    previous = None
                if previous is not None and now < previous - BACKWARDS_TOLERANCE:
                    notes.append(
                        ClockNote(
                            "clock.backwards",
                            {
                                "now": now_text,
                                "previous_at": previous_at,
                                "seconds": round((now - previous).total_seconds()),
                            },
                        )
                    )
            if len(notes) == 2 and float(notes[0].payload["seconds"]) < 0:  # type: ignore[arg-type]
                notes = notes[1:]  # set back before the previous event: one note says it
            self._last = (now, mono)
            return now_text, notes


SYSTEM_CLOCK = VaultClock()


class StoryClock:
    """The demo's clock: it reads the moment it was last set to (a story time), one second
    later on each read, so events stay in order and recorded times look like a real
    business's — an entry saved a few minutes after the call, not all in one second."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def set(self, moment: datetime) -> None:
        """Move to ``moment``; never back (the ledger would rightly note a clock set back)."""
        self._now = max(self._now, moment.astimezone(UTC))

    def __call__(self) -> datetime:
        self._now += timedelta(seconds=1)
        return self._now

    def elapsed(self) -> float:
        return self._now.timestamp()


@contextlib.contextmanager
def story_time(clock: StoryClock) -> Iterator[StoryClock]:
    """While building the demo vault only: every 'now' (recorded times, ledger events)
    reads ``clock``; the ledger's jump check measures elapsed time on the same clock."""
    from app.records import times

    saved = times.injected_clock, SYSTEM_CLOCK.elapsed
    times.injected_clock, SYSTEM_CLOCK.elapsed, SYSTEM_CLOCK._last = clock, clock.elapsed, None
    try:
        yield clock
    finally:
        times.injected_clock, SYSTEM_CLOCK.elapsed = saved
        SYSTEM_CLOCK._last = None  # the next real event does not compare itself with the story
