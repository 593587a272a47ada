"""Pattern and cost: what the record says about a client, month by month.

Counts incidents, complaints, legal threats and contacts per month, the time the
owner spent and the money involved, and puts it in one plain sentence ("recurring:
7 incidents in the last 90 days, up from 2"). The sentence describes the record,
never the person. Retracted entries are left out; private ones count (this view is
the owner's own).

Time: an entry's time is its ``time_spent_min`` (the owner's own time, which
includes the call) or, when that is empty, its ``duration_min``; adding both would
count a call twice. Money: invoices and payments are ``invoice``/``payment``
entries; entries tagged ``discount``, ``write-off`` or ``refund`` count as such.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.records.times import now_utc, parse_utc_text, with_offset

if TYPE_CHECKING:
    from app.vault import Vault

WINDOW = timedelta(days=90)
TROUBLE_KINDS = ("incident", "complaint", "legal_threat")
CONTACT_KINDS = ("call", "meeting", "email", "message")
# tag on an entry with an amount -> what kind of loss it records
LOSS_TAGS = {
    "discount": "discount",
    "write-off": "write_off",
    "write_off": "write_off",
    "writeoff": "write_off",
    "refund": "refund",
}


@dataclass(frozen=True)
class Month:
    month: str  # "2026-08", in the entries' own offsets
    incidents: int = 0
    complaints: int = 0
    threats: int = 0
    contacts: int = 0
    minutes: int = 0

    @property
    def trouble(self) -> int:
        return self.incidents + self.complaints + self.threats


@dataclass(frozen=True)
class Money:
    """Integer cents. ``unpaid`` is invoices minus payments, never below zero."""

    currency: str = ""
    invoiced: int = 0
    paid: int = 0
    discounts: int = 0
    write_offs: int = 0
    refunds: int = 0

    @property
    def unpaid(self) -> int:
        return max(0, self.invoiced - self.paid)

    @property
    def lost(self) -> int:
        """Money the client cost: unpaid, discounted, written off or refunded."""
        return self.unpaid + self.discounts + self.write_offs + self.refunds


@dataclass(frozen=True)
class Verdict:
    kind: str  # none | one-time | recurring | quiet
    text: str
    recent: int
    previous: int
    total: int


@dataclass(frozen=True)
class Pattern:
    client_id: int
    months: list[Month]
    verdict: Verdict
    money: Money
    contact_minutes: int = 0
    time_spent_minutes: int = 0
    totals: dict[str, int] = field(default_factory=dict)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict_from(trouble_times: list[datetime], now: datetime) -> Verdict:
    """one-time, recurring, quiet or none, from when incidents/complaints/threats happened."""
    recent = sum(1 for t in trouble_times if now - WINDOW < t <= now)
    previous = sum(1 for t in trouble_times if now - 2 * WINDOW < t <= now - WINDOW)
    total = len(trouble_times)
    if total == 0:
        return Verdict("none", "none: no incidents, complaints or threats recorded", 0, 0, 0)
    if total == 1:
        when = trouble_times[0].date().isoformat()
        return Verdict("one-time", f"one-time: 1 incident on record ({when})", recent, previous, total)
    if recent == 0:
        last = max(trouble_times).date().isoformat()
        text = f"quiet: no incidents in the last 90 days; {total} before, the last on {last}"
        return Verdict("quiet", text, recent, previous, total)
    if recent > previous:
        trend = f"up from {previous}"
    elif recent < previous:
        trend = f"down from {previous}"
    else:
        trend = "as many as the 90 days before"
    text = f"recurring: {_plural(recent, 'incident')} in the last 90 days, {trend} ({total} on record)"
    return Verdict("recurring", text, recent, previous, total)


def client_pattern(vault: Vault, client_id: int, *, now: datetime | None = None) -> Pattern:
    """The pattern of one client, as of ``now`` (default: the clock; tests pass a fixed one).

    SQLite does the grouping (month in each entry's own offset, kind); Python only
    parses the few incident times, so a 10,000-entry client stays fast.
    """
    vault.clients.get(client_id)
    now = now or now_utc()
    current = "FROM entries e JOIN revisions r ON r.entry_id = e.id AND r.rev = e.current_rev"
    where = "WHERE e.client_id = ? AND e.retracted = 0"
    grouped = vault.db.all(
        f"""SELECT strftime('%Y-%m', r.occurred_utc, printf('%+d minutes', r.occurred_offset)) AS month, r.kind,
                   count(*), sum(coalesce(r.time_spent_min, r.duration_min, 0)), sum(coalesce(r.duration_min, 0))
            {current} {where} GROUP BY month, r.kind""",
        (client_id,),
    )
    trouble = vault.db.all(
        f"SELECT r.occurred_utc, r.occurred_offset {current} {where} AND r.kind IN ({','.join('?' * len(TROUBLE_KINDS))})",
        (client_id, *TROUBLE_KINDS),
    )
    amounts = vault.db.all(
        f"""SELECT r.kind, r.tags, r.currency, sum(abs(r.amount_cents)), count(*)
            {current} {where} AND r.amount_cents IS NOT NULL GROUP BY r.kind, r.tags, r.currency""",
        (client_id,),
    )
    months: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    contact_minutes = spent_minutes = 0
    for month, kind, count, minutes, duration in grouped:
        bucket = months.setdefault(month, Counter())
        category = _category(kind)
        if category:
            bucket[category] += count
            totals[category] += count
        bucket["minutes"] += minutes
        spent_minutes += minutes
        if kind in CONTACT_KINDS:
            contact_minutes += duration
    money: Counter[str] = Counter()
    currencies: Counter[str] = Counter()
    for kind, tags_json, currency, total, count in amounts:
        if currency:
            currencies[currency] += count
        _count_money(money, kind, json.loads(tags_json), total)
    trouble_times = [with_offset(parse_utc_text(utc), offset) for utc, offset in trouble]
    return Pattern(
        client_id=client_id,
        months=_month_series(months, now),
        verdict=verdict_from(trouble_times, now),
        money=Money(
            currency=currencies.most_common(1)[0][0] if currencies else "",
            invoiced=money["invoiced"],
            paid=money["paid"],
            discounts=money["discount"],
            write_offs=money["write_off"],
            refunds=money["refund"],
        ),
        contact_minutes=contact_minutes,
        time_spent_minutes=spent_minutes,
        totals=dict(totals),
    )


def _category(kind: str) -> str | None:
    if kind == "incident":
        return "incidents"
    if kind == "complaint":
        return "complaints"
    if kind == "legal_threat":
        return "threats"
    if kind in CONTACT_KINDS:
        return "contacts"
    return None


def _count_money(money: Counter[str], kind: str, tags: list[str], amount: int) -> None:
    losses = {LOSS_TAGS[t] for t in tags if t in LOSS_TAGS}
    for loss in losses:
        money[loss] += amount
    if losses:
        return  # a refund or discount entry is not also an invoice or a payment
    if kind == "invoice":
        money["invoiced"] += amount
    elif kind == "payment":
        money["paid"] += amount


def _month_series(months: dict[str, Counter[str]], now: datetime) -> list[Month]:
    """Every month from the first entry to now (or the last entry), empty months included."""
    if not months:
        return []
    first = min(months)
    last = max(max(months), now.strftime("%Y-%m"))
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        c = months.get(key, Counter())
        out.append(Month(key, c["incidents"], c["complaints"], c["threats"], c["contacts"], c["minutes"]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def format_cents(cents: int, currency: str = "") -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    text = f"{sign}{whole:,}.{part:02d}"
    return f"{text} {currency}" if currency else text


def summary_lines(p: Pattern) -> list[str]:
    """The numbers as short plain lines, for the CLI and the widget."""
    m, cur = p.money, p.money.currency
    t = p.totals
    hours, minutes = divmod(p.time_spent_minutes, 60)
    return [
        p.verdict.text,
        f"On record: {_plural(t.get('incidents', 0), 'incident')}, {_plural(t.get('complaints', 0), 'complaint')}, "
        f"{_plural(t.get('threats', 0), 'legal threat')}, {_plural(t.get('contacts', 0), 'contact')}",
        f"Time spent: {hours} h {minutes:02d} min ({p.contact_minutes} min in calls and meetings)",
        f"Invoiced {format_cents(m.invoiced, cur)}, paid {format_cents(m.paid, cur)}, "
        f"unpaid {format_cents(m.unpaid, cur)}",
        f"Discounts {format_cents(m.discounts, cur)}, write-offs {format_cents(m.write_offs, cur)}, "
        f"refunds {format_cents(m.refunds, cur)}",
    ]
