"""Entries in full: every field, the body, revision history and retraction."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.dossier.bounded import HEADING_CHARS, clip
from app.dossier.exhibits import exhibits_of
from app.dossier.layout import AnchoredHeading, FactList, Layout
from app.dossier.sections import FRAME_WIDTH, business_zone, cells, grid, heading, when_text
from app.dossier.select import SelectedEntry
from app.dossier.summary import minutes_text
from app.dossier.text import BOLD, body_paragraphs, markup, para, styles
from app.dossier.threads import is_thread, thread_story
from app.records.contemporaneity import lag
from app.records.models import ENTRY_KINDS, EntryFields

FIELD_LABELS = {
    "kind": "kind",
    "occurred_at": "time it happened",
    "title": "title",
    "body": "text",
    "participants": "participants",
    "duration_min": "duration",
    "time_spent_min": "time spent",
    "amount_cents": "amount",
    "currency": "currency",
    "tags": "tags",
    "private": "private flag",
}


def entries_in_full(layout: Layout) -> list[Any]:
    """The entries of ``layout.span`` (all of them, or a run laid out as a piece of its own:
    each entry starts a page, so a run starts where it would have in one document)."""
    numbered = list(enumerate(layout.selection.entries, start=1))[layout.span]
    first = not numbered or numbered[0][0] == 1
    story: list[Any] = [heading(layout, "sec:entries", "Entries in full")] if first else []
    for position, (index, chosen) in enumerate(numbered):
        if position:
            story.append(PageBreak())  # each entry is a document of its own in the load file (loadfile.py)
        story += entry_block(layout, chosen, index)
    story.append(PageBreak())
    return story


def _amount(fields: EntryFields) -> str:
    if fields.amount_cents is None:
        return ""
    whole, cents = divmod(abs(fields.amount_cents), 100)
    sign = "-" if fields.amount_cents < 0 else ""
    return f"{sign}{whole:,}.{cents:02d} {fields.currency or ''}".strip()


def entry_block(layout: Layout, chosen: SelectedEntry, index: int) -> list[Any]:
    s = styles()
    entry = chosen.entry
    f = entry.fields
    kind = ENTRY_KINDS.get(entry.kind, entry.kind)
    # the business time zone, as in the chronology and on the cover; the entry's own offset beside it
    zone = business_zone(layout)
    occurred = entry.occurred_at.astimezone(zone)
    title = f"{index}. {when_text(occurred)} · {kind} · {clip(f.title, HEADING_CHARS, 'the title in full follows')}"
    head = AnchoredHeading(
        markup(title), s["h3"], layout, f"entry:{entry.id}", outline=f"{index}. {f.title}"[:120], level=1
    )
    exhibits = exhibits_of(layout.exhibits, entry.id)

    own = when_text(entry.occurred_at) + (f", {f.occurred_tz}" if f.occurred_tz else "")
    if occurred.utcoffset() != entry.occurred_at.utcoffset():
        occurred_text = f"{when_text(occurred)} (own: {own})"
    else:
        occurred_text = when_text(occurred) + (f" ({f.occurred_tz})" if f.occurred_tz else "")
    delay = lag(entry.occurred_at, entry.recorded_at, late_days=layout.selection.late_days)
    facts = [
        ("Occurred", occurred_text),
        (
            "Recorded",
            f"{when_text(entry.recorded_at.astimezone(zone))} ({delay.describe()}; set from the computer's clock when first saved)",
        ),
        ("Participants", ", ".join(f.participants)),
        ("Duration", minutes_text(f.duration_min) if f.duration_min else ""),
        ("Time spent", minutes_text(f.time_spent_min) if f.time_spent_min else ""),
        ("Amount", _amount(f)),
        ("Tags", ", ".join(f.tags)),
        ("Exhibits", "; ".join(f"{ex.label} ({ex.attachment.name})" for ex in exhibits)),
        ("Entry", f"#{entry.id}, revision {entry.rev}" + (", marked private" if f.private else "")),
    ]
    table = FactList([(k, para(v, s["cell"])) for k, v in facts if v], 78, BOLD, 8)
    # Never a heading alone at the foot of a page: its facts are under 130 points.
    story: list[Any] = [CondPageBreak(130), head, table, Spacer(1, 4)]
    if f.private:
        story.append(
            _boxed(
                para(
                    "PRIVILEGED — marked private by the owner; included at counsel's request and not covered "
                    "by the records declaration.",
                    s["retracted"],
                ),
                colors.HexColor("#9b1c1c"),
            )
        )
    if len(f.title) > HEADING_CHARS:
        story += [para("Title in full:", s["muted"]), *body_paragraphs(f.title, s["body"])]
    if entry.retraction:
        story.append(
            _boxed(
                para(
                    f"RETRACTED on {when_text(entry.retraction.retracted_at.astimezone(zone))}. Reason: {entry.retraction.reason}. "
                    "The entry stays in the record as it was written.",
                    s["retracted"],
                ),
                colors.HexColor("#9b1c1c"),
            )
        )
    thread = thread_story(layout, chosen) if is_thread(chosen) and not chosen.revisions else []
    story += thread or body_paragraphs(f.body, s["body"]) or [para("(no text)", s["muted"])]
    if chosen.revisions:
        story += _revision_history(chosen, zone)
    story.append(Spacer(1, 6))
    return story


def _boxed(flowable: Any, colour: Any) -> Table:
    box = Table([[flowable]], colWidths=[FRAME_WIDTH])
    box.setStyle(
        TableStyle([("BOX", (0, 0), (-1, -1), 1, colour), ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fdf2f2"))])
    )
    return box


def _changed(old: EntryFields, new: EntryFields) -> list[str]:
    return [label for name, label in FIELD_LABELS.items() if getattr(old, name) != getattr(new, name)]


def _revision_history(chosen: SelectedEntry, zone: Any) -> list[Any]:
    """Every version, oldest first: when it was recorded, the note, what changed,
    and the earlier wording of anything that was changed."""
    s = styles()
    revisions = chosen.revisions
    rows = [cells("Rev.", "Recorded", "Note", "Changed", bold=True)]
    earlier: list[Any] = []
    for prev, rev in zip((None, *revisions[:-1]), revisions, strict=True):
        changed = "first version" if prev is None else ", ".join(_changed(prev.fields, rev.fields)) or "nothing"
        rows.append(cells(str(rev.rev), when_text(rev.recorded_at.astimezone(zone)), rev.note, changed))
        if prev is not None:
            for name in ("title", "body", "occurred_at"):
                if getattr(prev.fields, name) != getattr(rev.fields, name):
                    value = getattr(prev.fields, name)
                    text = when_text(value) if name == "occurred_at" else str(value)
                    earlier.append(para(f"Before revision {rev.rev}, {FIELD_LABELS[name]} read:", s["muted"]))
                    earlier += body_paragraphs(text, s["quote"])
    return [Paragraph("Revision history", s["h3"]), grid(rows, [30, 120, FRAME_WIDTH - 300, 150]), *earlier]
