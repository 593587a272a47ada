"""Plain, frozen record types. Times are aware datetimes; money is integer cents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ENTRY_KINDS: dict[str, str] = {
    "call": "Call",
    "meeting": "Meeting",
    "email": "Email",
    "message": "Message",
    "note": "Note",
    "incident": "Incident",
    "complaint": "Complaint",
    "legal_threat": "Legal threat",
    "statement": "Statement",
    "letter_sent": "Letter sent",
    "invoice": "Invoice",
    "payment": "Payment",
    "agreement": "Agreement",
    "document": "Document",
    "photo": "Photo",
}

CLIENT_STATUSES: dict[str, str] = {
    "active": "Active",
    "watch": "Watch",
    "parting_ways": "Parting ways",
    "former": "Former",
    "do_not_serve": "Do not serve",
}


def normalize_choice(value: str) -> str:
    """'Do-Not-Serve' and 'legal threat' become 'do_not_serve' and 'legal_threat'."""
    return value.strip().lower().replace("-", "_").replace(" ", "_")


@dataclass(frozen=True)
class Client:
    id: int
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    address: str = ""
    notes: str = ""
    status: str = "active"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    entry_count: int = 0


@dataclass(frozen=True)
class StatusChange:
    id: int
    client_id: int
    status: str
    reason: str
    changed_at: datetime


@dataclass(frozen=True)
class EntryFields:
    """What the user writes; everything an edit can change."""

    kind: str
    occurred_at: datetime
    title: str
    body: str = ""
    occurred_tz: str | None = None
    participants: tuple[str, ...] = ()
    duration_min: int | None = None
    time_spent_min: int | None = None
    amount_cents: int | None = None
    currency: str | None = None
    tags: tuple[str, ...] = ()
    private: bool = False


@dataclass(frozen=True)
class Retraction:
    reason: str
    retracted_at: datetime


@dataclass(frozen=True)
class Entry:
    id: int
    client_id: int
    recorded_at: datetime
    rev: int
    fields: EntryFields
    revised_at: datetime
    attachment_count: int = 0
    retraction: Retraction | None = None

    @property
    def kind(self) -> str:
        return self.fields.kind

    @property
    def title(self) -> str:
        return self.fields.title

    @property
    def occurred_at(self) -> datetime:
        return self.fields.occurred_at


@dataclass(frozen=True)
class Revision:
    rev: int
    recorded_at: datetime
    fields: EntryFields
    note: str = ""


@dataclass(frozen=True)
class Attachment:
    id: int
    entry_id: int
    sha256: str
    name: str
    media_type: str
    size: int
    source: str
    added_at: datetime
    metadata: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Reminder:
    id: int
    client_id: int
    entry_id: int | None
    due_at: datetime
    title: str
    created_at: datetime
    done_at: datetime | None = None


@dataclass(frozen=True)
class Draft:
    id: int
    client_id: int | None
    entry_id: int | None
    content: dict[str, object]
    updated_at: datetime


@dataclass(frozen=True)
class TimelineRow:
    """The light row the timeline shows; fetched in pages."""

    id: int
    client_id: int
    kind: str
    occurred_utc: str
    title: str
    attachment_count: int
    retracted: bool
    private: bool


@dataclass(frozen=True)
class SearchHit:
    entry_id: int
    client_id: int
    client_name: str
    kind: str
    occurred_utc: str
    title: str
    snippet: str


@dataclass(frozen=True)
class ClientRevision:
    """One version of a client's details, as the ledger recorded it (oldest first in a history)."""

    seq: int
    at: datetime
    action: str
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    address: str
    notes: str
    status: str
