"""Money as logged: what was contracted, invoiced, paid, refunded or discounted, and what
is still outstanding, per currency, from the entries' amounts (integer cents).

Where the figures come from (retracted entries are left out):
    contracted   agreement entries with an amount (change orders are agreements too)
    invoiced     invoice entries with a positive amount
    discounts    invoice entries with a negative amount (credit notes), or tagged 'discount'
    paid         payment entries with a positive amount
    refunds      payment entries with a negative amount, or tagged 'refund'
    outstanding  invoiced − discounts − paid + refunds (never below zero: an overpayment is shown as such)
"""

from __future__ import annotations

from dataclasses import dataclass

from app.records.models import Entry


@dataclass
class Money:
    currency: str
    contracted: int = 0
    invoiced: int = 0
    discounts: int = 0
    paid: int = 0
    refunds: int = 0
    entries: int = 0

    @property
    def balance(self) -> int:
        """Positive: still owed by the client; negative: paid more than invoiced."""
        return self.invoiced - self.discounts - self.paid + self.refunds


def money_by_currency(entries: list[Entry]) -> list[Money]:
    totals: dict[str, Money] = {}
    for entry in entries:
        f = entry.fields
        if (
            entry.retraction is not None
            or f.amount_cents is None
            or entry.kind not in ("agreement", "invoice", "payment")
        ):
            continue
        currency = (f.currency or "").upper() or "(no currency)"
        m = totals.setdefault(currency, Money(currency))
        m.entries += 1
        amount, tags = f.amount_cents, {t.lower() for t in f.tags}
        if entry.kind == "agreement":
            m.contracted += amount
        elif entry.kind == "invoice":
            if amount < 0 or "discount" in tags:
                m.discounts += abs(amount)
            else:
                m.invoiced += amount
        elif amount < 0 or "refund" in tags:
            m.refunds += abs(amount)
        else:
            m.paid += amount
    return sorted(totals.values(), key=lambda m: m.currency)


def cents_text(cents: int, currency: str) -> str:
    whole, part = divmod(abs(cents), 100)
    sign = "−" if cents < 0 else ""
    unit = "" if currency.startswith("(") else f" {currency}"
    return f"{sign}{whole:,}.{part:02d}{unit}"


def money_rows(totals: list[Money]) -> list[tuple[str, ...]]:
    """(what, one column per currency) rows for the summary table."""
    rows: list[tuple[str, ...]] = [("", *(m.currency for m in totals))]

    def row(label: str, values: list[int]) -> None:
        rows.append((label, *(cents_text(v, m.currency) for v, m in zip(values, totals, strict=True))))

    row("Contracted", [m.contracted for m in totals])
    row("Invoiced", [m.invoiced for m in totals])
    row("Discounts, credit notes", [m.discounts for m in totals])
    row("Paid", [m.paid for m in totals])
    row("Refunds", [m.refunds for m in totals])
    rows.append(
        (
            "Outstanding",
            *(
                cents_text(max(m.balance, 0), m.currency)
                + (f" (overpaid by {cents_text(-m.balance, m.currency)})" if m.balance < 0 else "")
                for m in totals
            ),
        )
    )
    return rows
