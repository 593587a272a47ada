"""The front of the dossier: cover, contents, summary and chronology."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

from app.dossier.bounded import HEADING_CHARS, MAX_ROW_HEIGHT, clip, number_ranges, split_tall_rows
from app.dossier.exhibits import exhibits_of
from app.dossier.layout import AnchoredHeading, Layout, LinkedParagraph
from app.dossier.summary import minutes_text, month_chart, summarize
from app.dossier.text import markup, para, styles
from app.records.contemporaneity import lag
from app.records.models import CLIENT_STATUSES, ENTRY_KINDS

FRAME_WIDTH = 612 - 2 * 54
RULE = colors.HexColor("#999999")
HEADER_BG = colors.HexColor("#e8ecf1")

# (anchor key, title) of every section, in order: the contents page lists them.
SECTIONS = [
    ("sec:summary", "Summary"),
    ("sec:chronology", "Chronology"),
    ("sec:entries", "Entries in full"),
    ("sec:exhibits", "Exhibits"),
    ("sec:privilege", "Privilege log"),
    ("sec:declaration", "Records declaration (template)"),
    ("sec:integrity", "Integrity appendix"),
]


def when_text(moment: datetime) -> str:
    """Local time as given, with its UTC offset: what a witness would say."""
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}" if offset else f"{moment:%Y-%m-%d %H:%M}"


def in_zone_of(moment: datetime, like: datetime, zone_name: str | None) -> datetime:
    """``moment`` (a vault clock time, UTC) in the zone the entry happened in, so
    'recorded' reads beside 'occurred' without mental arithmetic."""
    if zone_name:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return moment.astimezone(ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return moment.astimezone(like.tzinfo)


def business_zone(layout: Layout) -> Any:
    """The vault's display_timezone, else this computer's zone: the one zone of the
    chronology and the cover's period (each entry's own offset is kept beside it)."""
    if "business_zone" not in layout.cache:
        zone = layout.vault.settings.display_zone()
        layout.cache["business_zone"] = zone if zone is not None else datetime.now().astimezone().tzinfo
    return layout.cache["business_zone"]


def heading(layout: Layout, key: str, title: str, style: str = "h1", level: int = 0) -> AnchoredHeading:
    return AnchoredHeading(markup(title), styles()[style], layout, key, outline=title, level=level)


PAD_X, PAD_Y = 3, 2.5


def grid(
    data: list[list[Any]], widths: list[float], header: bool = True, zebra: bool = False, measured: bool = False
) -> Table:
    """A ruled table; header row repeated on every page it spans.

    ``measured``: the row heights are computed here, once. reportlab otherwise
    re-measures every remaining row each time a table splits across a page, which
    is quadratic in the length of a long table (500 chronology rows: seconds)."""
    heights = [row_height(row, widths) for row in data]
    if max(heights, default=0) > MAX_ROW_HEIGHT:  # a row taller than a page: continued on the next
        data, heights = split_tall_rows(data, widths, heights, PAD_X, PAD_Y)
        measured = True
    table = Table(
        data, colWidths=widths, rowHeights=heights if measured else None, repeatRows=1 if header else 0, splitByRow=1
    )
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), HEADER_BG), ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]))
    table.setStyle(TableStyle(commands))
    return table


def row_height(row: list[Any], widths: list[float]) -> float:
    tallest = 0.0
    for cell, width in zip(row, widths, strict=True):
        tallest = max(tallest, cell.wrap(width - 2 * PAD_X, 1e6)[1])
    return tallest + 2 * PAD_Y


def long_grid(data: list[list[Any]], widths: list[float], zebra: bool = True) -> list[Table]:
    return [grid(data, widths, zebra=zebra, measured=True)]


def cells(*texts: str, bold: bool = False) -> list[Paragraph]:
    style = styles()["cellbold" if bold else "cell"]
    return [para(t, style) for t in texts]


def cover(layout: Layout) -> list[Any]:
    s, sel = styles(), layout.selection
    opts = sel.options
    zone = business_zone(layout)
    first = opts.date_from or (sel.entries[0].entry.occurred_at if sel.entries else None)
    last = opts.date_to or (sel.entries[-1].entry.occurred_at if sel.entries else None)
    period_from = f"{first.astimezone(zone):%Y-%m-%d}" if first else "the first entry"
    period_to = f"{last.astimezone(zone):%Y-%m-%d}" if last else "the last entry"
    zone_name = getattr(zone, "key", "") or (f"{last.astimezone(zone):%Z}" if last else "")
    preparer = (
        ", ".join(x for x in (sel.owner_name, sel.business_name) if x) or "(owner not named in the vault settings)"
    )
    kinds = ", ".join(ENTRY_KINDS[k] for k in sel.kinds_chosen) if sel.kinds_chosen else "all kinds"
    private = "included" if opts.include_private else f"left out ({sel.left_out_private})"
    prod = layout.production
    rows = [
        ("Production", prod.number if prod else ""),
        ("Produced to", prod.recipient if prod else ""),
        ("Supersedes", f"{prod.supersedes.number} ({prod.supersedes.bates_range})" if prod and prod.supersedes else ""),
        ("Client", sel.client.name),
        ("Period", f"{period_from} to {period_to}" + (f" (business time zone {zone_name})" if zone_name else "")),
        ("Entries", f"{len(sel.entries)} ({kinds}); private entries {private}"),
        ("Exhibits", str(len(layout.exhibits))),
        ("Prepared by", preparer),
        ("Date prepared", when_text(layout.prepared_at.astimezone(zone))),
        ("Bates range", f"{layout.bates(1)} – {layout.bates(layout.total_pages)}"),
        ("Ledger events", str(sel.ledger_count)),
        ("Ledger chain head", sel.ledger_head),
        ("Signing key", f"Ed25519, fingerprint {layout.vault.signing.fingerprint()}"),
    ]
    rows = [(k, v) for k, v in rows if v]
    table = grid([cells(k, bold=True)[:1] + cells(v) for k, v in rows], [110, FRAME_WIDTH - 110], header=False)
    return [
        Spacer(1, 110),
        Paragraph("Record of dealings", s["subtitle"]),
        Spacer(1, 8),
        para(sel.client.name, s["title"]),
        Spacer(1, 8),
        Paragraph("Chronology, entries in full, exhibits and integrity appendix", s["subtitle"]),
        Spacer(1, 60),
        table,
        Spacer(1, 24),
        para(
            "Every entry in this dossier was written into an encrypted, append-only record at the time shown as "
            "'recorded'. Each change to the record is chained by SHA-256 hashes; the chain head above identifies "
            "the exact state of the record when this dossier was prepared. Edits appear as revisions and "
            "withdrawn entries as retractions; nothing was removed.",
            s["muted"],
        ),
        PageBreak(),
    ]


def contents(layout: Layout) -> list[Any]:
    s = styles()
    story: list[Any] = [heading(layout, "sec:toc", "Contents")]
    rows = [cells("Section", "Page", "Bates", bold=True)]
    sel = layout.selection
    privilege = bool(sel.left_out) or any(c.entry.fields.private for c in sel.entries)
    lines = [(key, title, 0) for key, title in SECTIONS if key != "sec:privilege" or privilege]
    at = next(i for i, (key, _t, _l) in enumerate(lines) if key == "sec:exhibits") + 1
    lines[at:at] = [(f"ex:{ex.number}", ex.description, 1) for ex in layout.exhibits]
    for key, title, level in lines:
        text = markup(("    " if level else "") + title)
        rows.append(
            [
                LinkedParagraph(text, s["cell"], layout, "toc", key),
                *cells(str(layout.page_of(key)), layout.bates_of(key)),
            ]
        )
    story += [*long_grid(rows, [FRAME_WIDTH - 130, 40, 90], zebra=False), PageBreak()]
    return story


def summary(layout: Layout) -> list[Any]:
    s = styles()
    entries = [chosen.entry for chosen in layout.selection.entries]
    summ = summarize(entries, when_text)
    counts = [cells("Kind", "Entries", bold=True)] + [cells(k, str(n)) for k, n in summ.counts]
    counts.append(cells("Total (not counting retracted)", str(sum(n for _, n in summ.counts)), bold=True))
    key_dates = [cells("Key date", "When and what", bold=True)] + [cells(k, v) for k, v in summ.key_dates]
    story: list[Any] = [heading(layout, "sec:summary", "Summary")]
    story += [Paragraph("Entries by kind", s["h3"]), grid(counts, [200, 60])]
    story += [
        Paragraph("Incidents and contacts per month", s["h3"]),
        month_chart(summ, FRAME_WIDTH),
        Paragraph("Key dates", s["h3"]),
        grid(key_dates, [130, FRAME_WIDTH - 130]) if summ.key_dates else para("None in this period.", s["body"]),
        *_money(layout, entries),
        Paragraph("Time", s["h3"]),
        para(
            f"Time spent dealing with this client (as logged): {minutes_text(summ.time_spent_min)}. "
            f"Total duration of calls and meetings: {minutes_text(summ.duration_min)}. "
            f"Retracted entries: {summ.retracted} (shown in full with their reasons).",
            s["body"],
        ),
        Paragraph("When the entries were written", s["h3"]),
        para(_contemporaneity_text(layout), s["body"]),
        PageBreak(),
    ]
    return story


def _money(layout: Layout, entries: list[Any]) -> list[Any]:
    """Contracted, invoiced, paid, refunds and discounts, outstanding: app/dossier/money.py."""
    from app.dossier.money import money_by_currency, money_rows

    s = styles()
    totals = money_by_currency(entries)
    story: list[Any] = [Paragraph("Money (as logged)", s["h3"])]
    if not totals:
        return [*story, para("No agreement, invoice or payment with an amount in this period.", s["body"])]
    rows = money_rows(totals)
    table = [cells(*rows[0], bold=True)] + [cells(*r) for r in rows[1:]]
    width = min(140.0, (FRAME_WIDTH - 150) / len(totals))
    story.append(grid(table, [150, *([width] * len(totals))]))
    story.append(
        para(
            "From the amounts of the agreement, invoice and payment entries in this dossier (retracted ones left "
            "out); a negative invoice counts as a discount or credit note, a negative payment as a refund. "
            "Outstanding is invoiced less discounts and payments, plus refunds.",
            s["muted"],
        )
    )
    from reportlab.platypus import KeepTogether

    return [KeepTogether(story)]  # a money table is short: never split from its heading


def _contemporaneity_text(layout: Layout) -> str:
    days = layout.selection.late_days
    lags = [lag(c.entry.occurred_at, c.entry.recorded_at, late_days=days) for c in layout.selection.entries]
    late = sum(1 for x in lags if x.is_late)
    clock = "The 'recorded' time of each entry comes from the computer's clock when it was first saved."
    if not late:
        every = "The entry was" if len(lags) == 1 else f"All {len(lags)} entries were"
        return f"{every} written down within {days} days of the event. {clock}"
    return (
        f"{len(lags) - late} of {len(lags)} entries {'was' if len(lags) - late == 1 else 'were'} written down within "
        f"{days} days of the event; "
        f"{late} {'was' if late == 1 else 'were'} written down later (marked in the chronology and named in the "
        f"declaration). {clock}"
    )


def _short(text: str, count: int, limit: int = 200) -> str:
    """A table cell stays shorter than a page; the entry in full has everything."""
    return text if len(text) <= limit else f"{text[:limit]}… ({count} in all; see the entry)"


def _status_row(change: Any) -> list[Any]:
    """A client status change (recorded by the owner, in the ledger) as a chronology row."""
    label = CLIENT_STATUSES.get(change.status, change.status)
    return cells(
        when_text(change.changed_at), "Status change", f"Client status set to {label}: {change.reason}", "", "", "—"
    )


def dkim_mark(exhibits: list[Any]) -> str:
    """' [DKIM ✓ example.com]' for an email whose original carries a verified DKIM signature."""
    from app.mail.dkim import summary

    for ex in exhibits[:1]:
        s = summary(ex.attachment.metadata)
        if s and s["status"] == "pass":
            return f" [DKIM ✓ {s['domain']}]"
    return ""


def chronology(layout: Layout) -> list[Any]:
    s = styles()
    rows: list[list[Any]] = [
        cells("Date, time (UTC offset)", "Kind, source", "Title", "Participants", "Exh.", "Pin cite", bold=True)
    ]
    from app.dossier.chronology_export import source_of

    zone = business_zone(layout)
    changes = list(layout.selection.status_changes)
    for chosen in layout.selection.entries:
        entry = chosen.entry
        while changes and changes[0].changed_at <= entry.occurred_at:
            rows.append(_status_row(changes.pop(0)))
        numbers = number_ranges(ex.number for ex in exhibits_of(layout.exhibits, entry.id))
        title = (
            clip(entry.title, HEADING_CHARS, "see the entry in full")
            + (" (retracted)" if entry.retraction else "")
            + dkim_mark(exhibits_of(layout.exhibits, entry.id))
        )
        delay = lag(entry.occurred_at, entry.recorded_at, late_days=layout.selection.late_days)
        if delay.is_late:
            title += f" [written later: {delay.describe(mark_late=False)}]"
        if entry.rev > 1:
            title += f" (rev. {entry.rev})"
        if entry.fields.private:
            title = f"PRIVILEGED · {title}"
        local = entry.occurred_at.astimezone(zone)
        when = when_text(local)
        if local.utcoffset() != entry.occurred_at.utcoffset():
            when += f"\n(own: {when_text(entry.occurred_at)[11:]})"
        rows.append(
            cells(
                when,
                f"{ENTRY_KINDS.get(entry.kind, entry.kind)}\n{source_of(layout, entry)}",
                title,
                _short(", ".join(entry.fields.participants), len(entry.fields.participants)),
                numbers,
                "",
            )
        )
        key = f"entry:{entry.id}"
        rows[-1][-1] = LinkedParagraph(layout.bates_of(key), s["cell"], layout, "chronology", key)
    rows += [_status_row(change) for change in changes]
    story: list[Any] = [heading(layout, "sec:chronology", "Chronology")]
    story.append(
        para(
            f"One row per entry, oldest first, with the client's status changes among them. Times are in the "
            f"business time zone ({getattr(zone, 'key', '') or 'this computer’s zone'}), with the entry's own time and "
            "offset beneath when it differs. The source says where the information comes from; '(rev. N)' marks an "
            "entry revised since it was first written (its history is with the entry in full). The pin cite is the "
            "Bates page where the entry appears in full; 'Exh.' lists its exhibit numbers. '[written later]' "
            f"marks an entry written down more than {layout.selection.late_days} days after the event. '[DKIM ✓ domain]' marks an email whose signature "
            "by that domain verified.",
            s["muted"],
        )
    )
    if len(rows) == 1:
        story.append(para("No entries match the chosen period and kinds.", s["body"]))
    else:
        story += long_grid(rows, [110, 56, FRAME_WIDTH - 110 - 56 - 90 - 30 - 70, 90, 30, 70])
    story.append(PageBreak())
    return story
