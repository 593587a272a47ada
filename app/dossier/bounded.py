"""Content never breaks the layout: bounded text and table rows that split.

reportlab raises ``LayoutError`` ("Flowable … too large") when one table row is
taller than a page: a cell listing 500 exhibit numbers, an email header with
5 000 recipients. Two rules keep every export laid out:

* Text that only summarises (a table cell, a heading, an email header) is cut at
  a bound, with a pointer to where the whole of it is (the entry in full, the
  native file). ``clip`` and ``number_ranges`` do that.
* Any row still taller than a page is split into continuation rows, each cell's
  paragraph cut where the page ends (``split_tall_rows``); nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FRAME_HEIGHT = 792 - 2 * 54
# A row may use most of a page; the rest is for the repeated header row and the
# heading above the table.
MAX_ROW_HEIGHT = FRAME_HEIGHT - 120
HEADING_CHARS = 300  # a heading longer than this is cut (the text in full follows it)
HEADER_CHARS = 2_000  # one email header line, on the exhibit page


def clip(text: str, limit: int, where: str) -> str:
    """``text`` up to ``limit`` characters; longer, it ends with how much was left
    out and where the rest is (``where``: "see the entry in full")."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters; {where}]"


def number_ranges(numbers: Iterable[int]) -> str:
    """1, 2, 3, 5, 7, 8, 9 → '1–3, 5, 7–9': 500 exhibit numbers in a short cell."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = prev = None
    for n in ordered:
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = n
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}–{prev}")
    return ", ".join(parts)


def split_tall_rows(
    data: list[list[Any]],
    widths: list[float],
    heights: list[float],
    pad_x: float,
    pad_y: float,
    limit: float = MAX_ROW_HEIGHT,
) -> tuple[list[list[Any]], list[float]]:
    """Rows taller than ``limit`` become several rows, each cell's flowable split
    at ``limit`` (reportlab's ``Flowable.split``). Returns the new data and heights."""
    if all(h <= limit for h in heights):
        return data, heights
    from reportlab.platypus import Spacer

    out_data: list[list[Any]] = []
    out_heights: list[float] = []
    for row, height in zip(data, heights, strict=True):
        if height <= limit:
            out_data.append(row)
            out_heights.append(height)
            continue
        pending: list[Any] = list(row)
        while pending:
            chunk: list[Any] = []
            rest: list[Any] = []
            for cell, width in zip(pending, widths, strict=True):
                inner = width - 2 * pad_x
                if cell is None or cell.wrap(inner, 1e6)[1] <= limit - 2 * pad_y:
                    chunk.append(cell if cell is not None else Spacer(1, 0))
                    rest.append(None)
                    continue
                parts = cell.split(inner, limit - 2 * pad_y)
                if len(parts) != 2:  # cannot split (e.g. one huge image): a bounded stand-in
                    parts = [_too_tall(), None]
                chunk.append(parts[0])
                rest.append(parts[1])
            out_data.append(chunk)
            out_heights.append(_height(chunk, widths, pad_x, pad_y))
            pending = rest if any(c is not None for c in rest) else []
    return out_data, out_heights


def _height(row: list[Any], widths: list[float], pad_x: float, pad_y: float) -> float:
    tallest = 0.0
    for cell, width in zip(row, widths, strict=True):
        tallest = max(tallest, cell.wrap(width - 2 * pad_x, 1e6)[1])
    return tallest + 2 * pad_y


def _too_tall() -> Any:
    from reportlab.platypus import Paragraph

    from app.dossier.text import styles

    return Paragraph("[this cell is too tall to print; see the entry in full]", styles()["cell"])
