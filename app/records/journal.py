"""The timeline as a journal: one light row per entry with what a reader sees at a glance.

``journal_rows`` is the page read behind the desktop timeline (and anything else that wants
the same story view): the time with the entry's own offset, the kind, the title, the start of
the body, how many attachments and revisions, the retraction reason, and the SHA-256 of the
first photo that has a stored 256 px thumbnail. One query per page of ids, no Qt.
"""

from __future__ import annotations

from typing import Any, NamedTuple

SNIPPET_CHARS = 320  # the first two lines of a body at any sensible width, no more
SNIPPET_PREFIX = 2 * SNIPPET_CHARS  # kept in entries.snippet (before folding whitespace)
THUMB_KIND = "thumb256"  # made by ingest (app/ingest/images.py)


class JournalRow(NamedTuple):
    """Immutable like the frozen dataclass it was, but made ~5× faster (1.4 vs 6–9 µs): a page is 257 of them,
    built on a worker or (after a jump) on the GUI thread, and a frozen dataclass's ``__init__``
    (one ``object.__setattr__`` per field) was most of a page's build time."""

    id: int
    client_id: int
    kind: str
    occurred_utc: str
    occurred_offset: int  # minutes east of UTC, as written
    occurred_tz: str | None
    title: str
    snippet: str  # the body's start, whitespace folded into single spaces
    attachment_count: int
    revisions: int  # 1 = never revised
    retracted: bool
    retraction_reason: str
    private: bool
    thumb_sha256: str | None  # the first attachment with a 256 px thumbnail


def snippet_of(body: str) -> str:
    """The body's start with its whitespace folded (``str.split``: a regex substitution made
    this most of a page's build for prose-long e-mails)."""
    return " ".join(body[:SNIPPET_PREFIX].split())[:SNIPPET_CHARS]


def journal_rows(db: Any, ids: list[int]) -> list[JournalRow]:
    """The rows for a page of ids, in the order given (ids not found are left out).

    Read from ``entries`` alone, which keeps what a row shows of the current revision (schema
    12: its offset, zone and the body's start): a revision row holding a long e-mail fills a
    page of its own, and after every commit elsewhere the reader's page cache is cold, so
    joining the revisions meant decrypting ~one page per row. Entries written before schema
    12 (``snippet`` NULL) are completed from their revision."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = db.all(
        "SELECT e.id, e.client_id, e.kind, e.occurred_utc, e.occurred_offset, e.occurred_tz, e.title,"
        " e.snippet, e.attachment_count, e.current_rev, e.retracted,"
        " CASE WHEN e.retracted THEN (SELECT x.reason FROM retractions x WHERE x.entry_id = e.id) END, e.private,"
        " CASE WHEN e.attachment_count > 0 THEN (SELECT a.sha256 FROM attachments a JOIN derivatives d"
        f"   ON d.sha256 = a.sha256 AND d.kind = '{THUMB_KIND}' WHERE a.entry_id = e.id ORDER BY a.id LIMIT 1) END"
        f" FROM entries e WHERE e.id IN ({marks})",
        ids,
    )
    missing = [r[0] for r in rows if r[7] is None]
    older = {
        r[0]: r[1:]
        for r in (
            db.all(
                f"SELECT e.id, r.occurred_offset, r.occurred_tz, substr(r.body, 1, {SNIPPET_PREFIX}) FROM entries e"
                " JOIN revisions r ON r.entry_id = e.id AND r.rev = e.current_rev"
                f" WHERE e.id IN ({','.join('?' * len(missing))})",
                missing,
            )
            if missing
            else ()
        )
    }
    by_id = {}
    for r in rows:
        offset, zone, start = (r[4], r[5], r[7]) if r[7] is not None else older.get(r[0], (0, None, ""))
        by_id[r[0]] = JournalRow(
            r[0], r[1], r[2], r[3], offset, zone, r[6], snippet_of(start or ""), r[8], r[9], bool(r[10]),
            r[11] or "", bool(r[12]), r[13],
        )  # fmt: skip
    return [by_id[i] for i in ids if i in by_id]
