"""A message-thread entry (one conversation-day, app/ingest/chats.py) printed as a thread.

Each message is a row: its own time with offset, direction and sender, the text, and
inline thumbnails of the images it carried with their exhibit labels (other media are
named with their exhibit). Incoming messages are shaded grey, outgoing blue, system
lines italic — the colours only repeat what the arrow column says. Rows are cut into
30-row tables, like the chronology, so a 2 000-message day lays out in linear time.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

from app.dossier.exhibits import exhibits_of
from app.dossier.layout import Layout
from app.dossier.sections import FRAME_WIDTH
from app.dossier.select import SelectedEntry
from app.dossier.text import para, styles
from app.ingest.chats import THREAD_MEDIA_TYPE
from app.words import plural

ROWS_PER_TABLE = 30
THUMB_PT = 72
_ARROWS = {"in": "←", "out": "→", "system": "·", "other": "←"}


def is_thread(chosen: SelectedEntry) -> bool:
    return any(a.media_type == THREAD_MEDIA_TYPE for a in chosen.attachments)


def thread_story(layout: Layout, chosen: SelectedEntry) -> list[Any]:
    """Flowables for the thread, or [] when its thread file cannot be read (the body is printed instead)."""
    from reportlab.lib import colors
    from reportlab.platypus import Image, Spacer, Table, TableStyle

    part = next(a for a in chosen.attachments if a.media_type == THREAD_MEDIA_TYPE)
    try:
        loaded = json.loads(layout.vault.attachments.read_bytes(part.sha256).decode("utf-8"))
        messages = list(loaded["messages"])
    except (ValueError, KeyError, TypeError):
        return []
    s = styles()
    exhibits = {ex.attachment.name: ex for ex in exhibits_of(layout.exhibits, chosen.entry.id)}
    thread_ex = exhibits.get(part.name)
    widths = [58, 92, FRAME_WIDTH - 150]
    rows: list[list[Any]] = []
    shading: list[tuple[int, str]] = []
    for number, message in enumerate(messages, start=1):
        try:
            when = datetime.fromisoformat(message["time"])
        except (KeyError, ValueError):
            continue
        offset = when.strftime("%z")
        stamp = [para(f"{when:%H:%M:%S}", s["cell"])] + (
            [para(f"{offset[:3]}:{offset[3:]}", s["muted"])] if offset else []
        )
        direction = str(message.get("direction", ""))
        who = f"{_ARROWS.get(direction, '')} {message.get('sender') or '(system)'}"
        cell: list[Any] = []
        text = str(message.get("text", ""))
        style = s["muted"] if direction == "system" else s["cell"]
        if text:
            cell += [para(line, style) for line in text.split("\n")[:200] if line.strip()] or [para(text, style)]
        for name in message.get("media", []):
            ex = exhibits.get(name)
            if ex is None:
                cell.append(para(f"[{name}]", s["muted"]))
                continue
            if ex.category == "image":
                from app.dossier.photos import downscaled_jpeg

                try:
                    jpeg = downscaled_jpeg(layout.vault, ex, THUMB_PT, THUMB_PT)
                    from PIL import Image as PILImage

                    with PILImage.open(io.BytesIO(jpeg)) as probe:
                        w, h = probe.size
                    scale = THUMB_PT / max(w, h)
                    cell.append(Image(io.BytesIO(jpeg), width=w * scale, height=h * scale, hAlign="LEFT"))
                except Exception:  # a broken image is still named below
                    pass
            cell.append(para(f"{ex.label}: {name}", s["muted"]))
        for name in message.get("media_missing", []):
            cell.append(para(f"[{name} — named in the export, file not in it]", s["muted"]))
        rows.append([stamp, para(f"#{number} {who}", s["cell"]), cell or para("", s["cell"])])
        shading.append((len(rows) - 1, direction))
    if not rows:
        return []
    source = f" (from {thread_ex.label}, {part.name})" if thread_ex else f" ({part.name})"
    story: list[Any] = [para(f"{plural(len(rows), 'message')}, each with its own time and sender{source}.", s["muted"])]
    for start in range(0, len(rows), ROWS_PER_TABLE):
        chunk = rows[start : start + ROWS_PER_TABLE]
        table = Table(chunk, colWidths=widths)
        commands: list[Any] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#dddddd")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        for index, direction in shading[start : start + ROWS_PER_TABLE]:
            colour = {"out": "#e8f0fb", "in": "#f3f3f3", "other": "#f7f3ea"}.get(direction)
            if colour:
                commands.append(("BACKGROUND", (0, index - start), (-1, index - start), colors.HexColor(colour)))
        table.setStyle(TableStyle(commands))
        story += [table, Spacer(1, 2)]
    return story
