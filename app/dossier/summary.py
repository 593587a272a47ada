"""The summary page: counts by kind, a month-by-month chart, key dates, time spent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from app.records.models import ENTRY_KINDS, Entry

CONFLICT_KINDS = ("incident", "complaint", "legal_threat")
CONTACT_KINDS = ("call", "meeting", "email", "message")


@dataclass(frozen=True)
class Summary:
    counts: list[tuple[str, int]]
    months: list[str]  # "2026-05"
    conflicts_per_month: list[int]
    contacts_per_month: list[int]
    key_dates: list[tuple[str, str]]  # (what, when text)
    time_spent_min: int
    duration_min: int
    retracted: int


def summarize(entries: list[Entry], when_text: Any) -> Summary:
    live = [e for e in entries if e.retraction is None]
    counts = Counter(e.kind for e in live)
    months = _month_range(live)
    conflicts = Counter(e.occurred_at.strftime("%Y-%m") for e in live if e.kind in CONFLICT_KINDS)
    contacts = Counter(e.occurred_at.strftime("%Y-%m") for e in live if e.kind in CONTACT_KINDS)
    key: list[tuple[str, str]] = []

    def first(kinds: tuple[str, ...], label: str, last: bool = False) -> None:
        found = [e for e in live if e.kind in kinds]
        if found:
            chosen = found[-1] if last else found[0]
            key.append((label, f"{when_text(chosen.occurred_at)} — {chosen.title}"))

    first(CONTACT_KINDS, "First contact")
    first(("complaint", "incident"), "First complaint or incident")
    for e in live:
        if e.kind == "legal_threat":
            key.append(("Legal threat", f"{when_text(e.occurred_at)} — {e.title}"))
    for e in live:
        if e.kind == "letter_sent":
            key.append(("Letter sent", f"{when_text(e.occurred_at)} — {e.title}"))
    first(CONTACT_KINDS, "Last contact", last=True)
    return Summary(
        counts=[(ENTRY_KINDS[k], counts[k]) for k in ENTRY_KINDS if counts[k]],
        months=months,
        conflicts_per_month=[conflicts[m] for m in months],
        contacts_per_month=[contacts[m] for m in months],
        key_dates=key,
        time_spent_min=sum(e.fields.time_spent_min or 0 for e in live),
        duration_min=sum(e.fields.duration_min or 0 for e in live),
        retracted=len(entries) - len(live),
    )


def _month_range(entries: list[Entry]) -> list[str]:
    if not entries:
        return []
    first, last = entries[0].occurred_at, entries[-1].occurred_at
    year, month = first.year, first.month
    months = []
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def minutes_text(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def month_chart(summary: Summary, width: float, height: float = 170) -> Any:
    """A grouped bar chart (reportlab graphics): conflicts and contacts per month."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    from app.dossier.text import SANS

    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 38, width - 50, height - 62
    chart.data = [summary.conflicts_per_month or [0], summary.contacts_per_month or [0]]
    months = summary.months or ["—"]
    step = max(1, len(months) // 14)  # keep labels legible for long periods
    chart.categoryAxis.categoryNames = [m if i % step == 0 else "" for i, m in enumerate(months)]
    chart.categoryAxis.labels.fontName = SANS
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(months) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(months) > 8 else "n"
    chart.valueAxis.labels.fontName = SANS
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max([*chart.data[0], *chart.data[1], 1])
    chart.valueAxis.valueStep = max(1, (peak + 4) // 5)
    chart.valueAxis.valueMax = chart.valueAxis.valueStep * (
        (peak + chart.valueAxis.valueStep - 1) // chart.valueAxis.valueStep
    )
    chart.bars[0].fillColor = colors.HexColor("#b83227")
    chart.bars[1].fillColor = colors.HexColor("#5b7fa6")
    chart.bars.strokeColor = None
    chart.groupSpacing = 6
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, height - 6
    legend.fontName, legend.fontSize = SANS, 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = 190
    legend.colorNamePairs = [
        (chart.bars[0].fillColor, "Incidents, complaints, legal threats"),
        (chart.bars[1].fillColor, "Contacts (calls, meetings, emails, messages)"),
    ]
    drawing.add(legend)
    return drawing
