"""The production register: every export is a production, and no Bates number is
ever used twice.

A production (``BRIGHT-PROD-003``) records when, for whom, which Bates range of
which prefix, which exhibit numbers it gave which attachments, and the SHA-256
of its PDF and manifest. It is a row of ``productions`` with its own ledger
subject (``production:N``): its ``dossier.export`` event carries the row's state
(checked by ``casefile verify`` like every tracked row) and what was exported.

Numbering is planned before the PDF is laid out (``plan``: the cover prints the
production number, the pages their Bates numbers) and claimed when it is saved
(``record``), which refuses a plan whose numbers another save has taken since.

* Bates numbers continue per prefix, across clients and productions: the next
  production starts after the highest number ever produced with that prefix;
  ``--bates-start N`` may leave a gap, never go back.
* Exhibit numbers are stable per attachment and client: the photo that was
  Exhibit 5 in the first production that contained it is Exhibit 5 in every
  later one; attachments never produced get the next free numbers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app import ledger
from app.errors import InvalidInput
from app.records.times import now_utc, parse_utc_text, utc_text

if TYPE_CHECKING:
    from app.vault import Vault

DEFAULT_DIGITS = 6
MIN_DIGITS, MAX_DIGITS = 4, 10
SEPARATORS = "-_"
_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
MAX_RECIPIENT = 500

COLUMNS = (
    "id, number, client_id, produced_at, recipient, bates_prefix, bates_digits, bates_first, bates_last, "
    "pages, exhibits, pdf_name, pdf_sha256, manifest_sha256, supersedes_id"
)


def production_state(row: Any) -> dict[str, Any]:
    """The canonical state of a productions row, as the ledger records it."""
    return dict(zip(COLUMNS.split(", "), row, strict=True))


@dataclass(frozen=True)
class Production:
    id: int
    number: str
    client_id: int
    produced_at: datetime
    recipient: str
    bates_prefix: str
    bates_digits: int
    bates_first: int
    bates_last: int
    pages: int
    exhibits: tuple[tuple[int, int], ...]  # (attachment id, exhibit number)
    pdf_name: str
    pdf_sha256: str
    manifest_sha256: str
    supersedes_id: int | None

    def bates(self, number: int) -> str:
        return f"{self.bates_prefix}{number:0{self.bates_digits}d}"

    @property
    def bates_range(self) -> str:
        return f"{self.bates(self.bates_first)} – {self.bates(self.bates_last)}"

    @property
    def exhibit_range(self) -> str:
        from app.dossier.bounded import number_ranges

        return number_ranges(n for _a, n in self.exhibits) or "none"

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "client_id": self.client_id,
            "produced_at": self.produced_at.isoformat(),
            "recipient": self.recipient,
            "bates_first": self.bates(self.bates_first),
            "bates_last": self.bates(self.bates_last),
            "pages": self.pages,
            "exhibits": self.exhibit_range,
            "pdf_name": self.pdf_name,
            "pdf_sha256": self.pdf_sha256,
            "manifest_sha256": self.manifest_sha256,
            "supersedes_id": self.supersedes_id,
        }


def _from_row(row: Any) -> Production:
    state = production_state(row)
    state["produced_at"] = parse_utc_text(state["produced_at"])
    state["exhibits"] = tuple((int(a), int(n)) for a, n in json.loads(state["exhibits"]))
    return Production(**state)


def normalise_prefix(prefix: str) -> str:
    """Upper case, the user's own separator kept, '-' added when there is none:
    'x_' → 'X_' (X_000001), 'bright' → 'BRIGHT-' (BRIGHT-000001)."""
    text = prefix.strip().upper()
    if not _PREFIX.match(text):
        raise InvalidInput(
            f"The Bates prefix {prefix.strip()!r} is not usable: use 1–20 letters, digits, '-' or '_', "
            "starting with a letter or digit."
        )
    return text if text[-1] in SEPARATORS else f"{text}-"


def check_digits(digits: int | None) -> int:
    if digits is None:
        return DEFAULT_DIGITS
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise InvalidInput(f"Bates numbers have {MIN_DIGITS} to {MAX_DIGITS} digits, not {digits}.")
    return digits


@dataclass(frozen=True)
class Plan:
    """The numbers a production will use, fixed before its PDF is laid out."""

    number: str
    client_id: int
    prefix: str  # normalised, separator included
    digits: int
    bates_start: int
    exhibit_numbers: dict[int, int]  # attachment id -> exhibit number
    recipient: str = ""
    supersedes: Production | None = None

    def bates(self, page: int) -> str:
        return f"{self.prefix}{self.bates_start + page - 1:0{self.digits}d}"


def productions(vault: Vault, client_id: int | None = None) -> list[Production]:
    """The register, oldest first (one client's, or all)."""
    where, params = ("WHERE client_id = ?", (client_id,)) if client_id is not None else ("", ())
    rows = vault.db.all(f"SELECT {COLUMNS} FROM productions {where} ORDER BY id", params)
    return [_from_row(row) for row in rows]


def find(vault: Vault, ref: str) -> Production:
    """A production by its number (any case) or row id."""
    text = ref.strip()
    for prod in productions(vault):
        if prod.number.lower() == text.lower() or (text.isdigit() and prod.id == int(text)):
            return prod
    raise InvalidInput(f"There is no production {text!r}; `casefile productions` lists them.")


def _next_start(register: list[Production], prefix: str) -> int:
    return max((p.bates_last for p in register if p.bates_prefix == prefix), default=0) + 1


def _production_number(register: list[Production], prefix: str) -> str:
    base, sep = prefix[:-1], prefix[-1]
    taken = {p.number for p in register}
    n = sum(1 for p in register if p.bates_prefix == prefix) + 1
    while f"{base}{sep}PROD{sep}{n:03d}" in taken:
        n += 1
    return f"{base}{sep}PROD{sep}{n:03d}"


def stable_exhibit_numbers(register: list[Production], client_id: int, attachment_ids: list[int]) -> dict[int, int]:
    """Each attachment keeps the number of the first production that gave it one;
    the others get the next free numbers, in record order."""
    known: dict[int, int] = {}
    for prod in register:
        if prod.client_id == client_id:
            for att_id, number in prod.exhibits:
                known.setdefault(att_id, number)
    used = set(known.values())
    chosen: dict[int, int] = {}
    next_free = max(used, default=0) + 1
    for att_id in attachment_ids:
        if att_id in known:
            chosen[att_id] = known[att_id]
        else:
            chosen[att_id] = next_free
            next_free += 1
    return chosen


def plan(
    vault: Vault,
    client_id: int,
    attachment_ids: list[int],
    *,
    prefix: str,
    digits: int | None = None,
    bates_start: int | None = None,
    recipient: str = "",
    supersedes: str | None = None,
) -> Plan:
    register = productions(vault)
    prefix = normalise_prefix(prefix)
    digits = check_digits(digits)
    first_free = _next_start(register, prefix)
    if bates_start is not None:
        if bates_start < 1:
            raise InvalidInput("The first Bates number must be 1 or more.")
        if bates_start < first_free:
            overlapping = [p for p in register if p.bates_prefix == prefix and p.bates_last >= bates_start]
            clash = min(overlapping, key=lambda p: p.bates_first)
            raise InvalidInput(
                f"Bates numbers from {clash.bates(bates_start)} on were already used ({clash.number}, "
                f"{clash.bates_range}); numbers are never reused, so start at {first_free} or later."
            )
    start = bates_start or first_free
    if len(str(start)) > digits:
        raise InvalidInput(f"Bates number {start} does not fit in {digits} digits; choose more with --bates-digits.")
    recipient = " ".join(recipient.split())
    if len(recipient) > MAX_RECIPIENT:
        raise InvalidInput(f"The recipient is too long ({len(recipient)} characters; the limit is {MAX_RECIPIENT}).")
    earlier = find(vault, supersedes) if supersedes else None
    if earlier is not None and earlier.client_id != client_id:
        raise InvalidInput(f"{earlier.number} is another client's production; it cannot be superseded by this one.")
    return Plan(
        number=_production_number(register, prefix),
        client_id=client_id,
        prefix=prefix,
        digits=digits,
        bates_start=start,
        exhibit_numbers=stable_exhibit_numbers(register, client_id, attachment_ids),
        recipient=recipient,
        supersedes=earlier,
    )


def record(
    vault: Vault,
    chosen: Plan,
    *,
    pages: int,
    pdf_name: str,
    pdf_sha256: str,
    manifest_sha256: str,
    produced_at: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> Production:
    """Claim the plan's numbers: one row and its ledger event, in one transaction.
    Refused if a production saved since the plan took any of them."""
    last = chosen.bates_start + pages - 1
    if len(str(last)) > chosen.digits:
        raise InvalidInput(
            f"The last Bates number ({last}) does not fit in {chosen.digits} digits; export again with more --bates-digits."
        )
    exhibits = sorted(chosen.exhibit_numbers.items(), key=lambda item: item[1])
    with vault.db.write() as conn:
        clash = conn.execute(
            "SELECT number FROM productions WHERE (bates_prefix = ? AND bates_last >= ?) OR number = ? LIMIT 1",
            (chosen.prefix, chosen.bates_start, chosen.number),
        ).fetchone()
        if clash is not None:
            raise InvalidInput(
                f"{clash[0]} was saved after this dossier was prepared and uses its numbers; prepare it again."
            )
        cur = conn.execute(
            f"INSERT INTO productions({COLUMNS.split(', ', 1)[1]}) VALUES ({', '.join('?' * 14)})",
            (
                chosen.number,
                chosen.client_id,
                utc_text(produced_at or now_utc()),
                chosen.recipient,
                chosen.prefix,
                chosen.digits,
                chosen.bates_start,
                last,
                pages,
                json.dumps([list(item) for item in exhibits], separators=(",", ":")),
                pdf_name,
                pdf_sha256,
                manifest_sha256,
                chosen.supersedes.id if chosen.supersedes else None,
            ),
        )
        row_id = int(cur.lastrowid)  # type: ignore[arg-type]
        row = conn.execute(f"SELECT {COLUMNS} FROM productions WHERE id = ?", (row_id,)).fetchone()
        # One event: the register row's state (checked by verify) and what was exported.
        ledger.record(
            conn,
            "dossier.export",
            f"production:{row_id}",
            production_state(row),
            client_id=chosen.client_id,
            production=chosen.number,
            **(details or {}),
        )
    return _from_row(row)
