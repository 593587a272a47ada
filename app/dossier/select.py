"""What goes into a dossier: the client, the period, the kinds, private or not.

The selection is read once, in one read transaction, so the PDF and the bundle
describe exactly the same record even if the owner keeps working meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.errors import InvalidInput
from app.records.contemporaneity import late_days_setting
from app.records.models import ENTRY_KINDS, Attachment, Client, Entry, Revision, StatusChange, normalize_choice
from app.vault import Vault


@dataclass(frozen=True)
class DossierOptions:
    """The owner's choices. Dates are inclusive instants (aware datetimes)."""

    client_id: int
    date_from: datetime | None = None
    date_to: datetime | None = None
    kinds: tuple[str, ...] = ()
    include_private: bool = False
    bates_prefix: str | None = None
    # The production (app/dossier/productions.py): digits, first number (default: the
    # next unused for the prefix), for whom, and which earlier production it replaces.
    bates_digits: int | None = None
    bates_start: int | None = None
    recipient: str = ""
    supersedes: str | None = None
    # The footer legend ("" = none, or e.g. CONFIDENTIAL; see declaration.LEGENDS) and
    # the form of the declaration's closing (declaration.FORMS: us, outside-us, other).
    legend: str = ""
    declaration_form: str = "us"


@dataclass(frozen=True)
class SelectedEntry:
    entry: Entry
    revisions: tuple[Revision, ...]
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class Selection:
    client: Client
    options: DossierOptions
    entries: tuple[SelectedEntry, ...]  # oldest first
    owner_name: str
    business_name: str
    bates_prefix: str
    ledger_count: int
    ledger_head: str
    seal: str
    left_out_private: int = 0
    left_out: tuple[Entry, ...] = ()  # the private entries left out: the privilege log
    late_days: int = 7  # the vault's late_entry_days (app/records/contemporaneity.py)
    kinds_chosen: tuple[str, ...] = field(default=())
    # Status changes (watch, parting ways, do-not-serve …) in the period, oldest first,
    # shown in the chronology beside the entries, in the owner's display zone.
    status_changes: tuple[StatusChange, ...] = ()


def check_kinds(kinds: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(normalize_choice(k) for k in kinds if k.strip()))
    unknown = [k for k in chosen if k not in ENTRY_KINDS]
    if unknown:
        raise InvalidInput(f"Unknown entry kind {unknown[0]!r}; choose from: {', '.join(ENTRY_KINDS)}.")
    return chosen


def check_bates_prefix(prefix: str) -> str:
    """The prefix as stamped: upper case, ending in its separator ('CF' → 'CF-')."""
    from app.dossier.productions import normalise_prefix

    return normalise_prefix(prefix)


def select(vault: Vault, options: DossierOptions) -> Selection:
    """The entries (oldest first) and their attachments for ``options``."""
    if options.date_from and options.date_to and options.date_from > options.date_to:
        raise InvalidInput("The period starts after it ends; check --from and --to.")
    kinds = check_kinds(options.kinds)
    client = vault.clients.get(options.client_id)
    prefix = check_bates_prefix(options.bates_prefix or vault.settings.get("bates_prefix") or "CF")
    with vault.db.read():
        # One read transaction: the ids, rows and the ledger head agree with each other.
        ids = list(reversed(vault.entries.timeline_ids(client.id, kinds)))
        chosen: list[SelectedEntry] = []
        private_left_out = 0
        left_out: list[Entry] = []
        for entry_id in ids:
            entry = vault.entries.get(entry_id)
            when = entry.occurred_at
            if options.date_from and when < options.date_from:
                continue
            if options.date_to and when > options.date_to:
                continue
            if entry.fields.private and not options.include_private:
                private_left_out += 1
                left_out.append(entry)
                continue
            revisions = tuple(vault.entries.revisions(entry_id)) if entry.rev > 1 else ()
            attachments = tuple(vault.attachments.for_entry(entry_id)) if entry.attachment_count else ()
            chosen.append(SelectedEntry(entry, revisions, attachments))
        status_changes = tuple(
            change
            for change in vault.clients.status_history(client.id)
            if not (options.date_from and change.changed_at < options.date_from)
            and not (options.date_to and change.changed_at > options.date_to)
        )
        zone = vault.settings.display_zone()
        head = vault.head()
        seal = vault.seal()
    if zone is not None:
        from dataclasses import replace

        status_changes = tuple(replace(c, changed_at=c.changed_at.astimezone(zone)) for c in status_changes)
    # timeline_ids orders by occurred time; equal times keep their id order.
    chosen.sort(key=lambda s: (s.entry.occurred_at, s.entry.id))
    return Selection(
        client=client,
        options=options,
        entries=tuple(chosen),
        owner_name=vault.settings.get("owner_name"),
        business_name=vault.settings.get("business_name"),
        bates_prefix=prefix,
        ledger_count=head.count,
        ledger_head=head.hash,
        seal=seal,
        left_out_private=private_left_out,
        left_out=tuple(left_out),
        late_days=late_days_setting(vault.settings.get("late_entry_days")),
        kinds_chosen=kinds,
        status_changes=status_changes,
    )
