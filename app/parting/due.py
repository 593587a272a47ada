"""Reminders due today or overdue, across every client, in the owner's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from app.records.models import Reminder
from app.records.times import local_zone, now_utc

if TYPE_CHECKING:
    from app.vault import Vault


@dataclass(frozen=True)
class DueReminder:
    reminder: Reminder
    client_name: str
    client_status: str
    overdue: bool  # due before today began; otherwise due some time today


def owner_zone(vault: Vault) -> tzinfo:
    """The display time zone from the settings, or this machine's."""
    return vault.settings.display_zone() or local_zone()[0]


def due_reminders(vault: Vault, *, now: datetime | None = None, zone: tzinfo | None = None) -> list[DueReminder]:
    """Open reminders due by the end of today (in ``zone``), oldest first."""
    zone = zone or owner_zone(vault)
    local_now = (now or now_utc()).astimezone(zone)
    start = datetime.combine(local_now.date(), time(), tzinfo=zone)
    end = start + timedelta(days=1)
    # due_before is inclusive; a reminder at exactly midnight belongs to tomorrow.
    reminders = [r for r in vault.reminders.open(due_before=end) if r.due_at < end]
    clients = {c.id: c for c in vault.clients.list()}
    return [DueReminder(r, clients[r.client_id].name, clients[r.client_id].status, r.due_at < start) for r in reminders]
