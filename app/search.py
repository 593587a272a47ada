"""Full-text search over entries with SQLite FTS5 (inside the encrypted database).

One FTS row per entry (rowid = entry id) holds the current title, body and
participants, the client's name and the attachments' names and extracted text
(with their machine-read OCR text, a derivative: app/ingest/ocr.py).
The row is rebuilt in the same transaction as any change that affects it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from app.errors import CasefileError, InvalidQuery
from app.records.models import SearchHit
from app.vault.store import Connection, OperationalError, widen_cache_for_search

_INDEX_SQL = """
INSERT INTO search_index(rowid, title, body, client, attachments)
SELECT e.id, r.title, r.body || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(r.participants)), ''), c.name,
       coalesce((SELECT group_concat(a.name || ' ' || a.text, ' ') FROM attachments a WHERE a.entry_id = e.id), '')
       || coalesce((SELECT ' ' || group_concat(CAST(d.data AS TEXT), ' ') FROM attachments a
                    JOIN derivatives d ON d.sha256 = a.sha256 AND d.kind = 'ocr-text' WHERE a.entry_id = e.id), '')
FROM entries e
JOIN revisions r ON r.entry_id = e.id AND r.rev = e.current_rev
JOIN clients c ON c.id = e.client_id
WHERE e.id = ?
"""


def index_entry(conn: Connection, entry_id: int) -> None:
    conn.execute("DELETE FROM search_index WHERE rowid = ?", (entry_id,))
    conn.execute(_INDEX_SQL, (entry_id,))


def reindex_client(conn: Connection, client_id: int) -> None:
    for (entry_id,) in conn.execute("SELECT id FROM entries WHERE client_id = ?", (client_id,)).fetchall():
        index_entry(conn, entry_id)


# Characters that make a query "advanced": then it is passed to FTS5 as written.
_OPERATORS = re.compile(r'["*():^+]|\b(AND|OR|NOT|NEAR)\b')
_WORD = re.compile(r"\w+", re.UNICODE)


MAX_QUERY_CHARS = 1000  # a query, not a document: longer ones only cost time


def to_fts_query(text: str) -> str:
    """Turn what a person types into an FTS5 query.

    Plain words are ANDed and the last one is a prefix (results while typing);
    text with FTS5 syntax (quotes, AND/OR/NOT, *, column:) is used as written.
    """
    text = text.strip()
    if not text:
        raise InvalidQuery("Type something to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"The search is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS}).")
    if _OPERATORS.search(text):
        return text
    words = _WORD.findall(text)
    if not words:
        raise InvalidQuery(f"{text!r} has no words to search for.")
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


# A prefix phrase ("invoice"*) makes FTS5 read and merge the whole doclist of every
# term with that prefix before it returns a row, on every query: 5x the time of the
# word itself for a common word at 1 M entries. While typing, the last word is often
# already whole: when the index holds no longer term with that prefix, the word is
# searched as itself (the same rows, the same bm25 score). Finding that out reads the
# term list just past the word (search_terms, migration 11), itself proportional to the
# word's doclist but several times cheaper than the prefix merge, which happens twice.
_PLAIN_TERM = re.compile(r"[a-z0-9]+")  # what unicode61 leaves of ASCII letters and digits


def resolve_prefix(conn: Connection, text: str, query: str, vocab: str = "search_terms") -> str:
    """``query`` (from ``to_fts_query(text)``) with its trailing prefix dropped when no
    longer term in the index starts with the last word (see above)."""
    if _OPERATORS.search(text.strip()) or not query.endswith("*"):
        return query
    last = _WORD.findall(text)[-1].lower()
    if not _PLAIN_TERM.fullmatch(last) or not query.lower().endswith(f'"{last}"*'):
        return query  # accents, other scripts: the tokenizer's folding is not repeated here
    above = last[:-1] + chr(ord(last[-1]) + 1)
    # "\x01" puts the lower bound strictly after the word: its own row is never counted.
    longer = conn.execute(
        f"SELECT 1 FROM {vocab} WHERE term >= ? AND term < ? LIMIT 1", (last + "\x01", above)
    ).fetchone()
    return query if longer else query[:-1]


# Ranking every match of a very common word costs time in proportion to the matches
# (~0.85 s at 1 M entries, in plain FTS5 too). Only the most recently recorded matches are
# ranked (bm25 and its snippet for each, SQLite computes both before it sorts); finding
# where that window starts walks the index in rowid order, which needs no scoring. Fewer
# matches than that: all are ranked. One plain word has the longest doclists and the most
# matches, so its window is the smallest (docs/performance.md, "Vault core": the window is
# what the ranking costs, in plain FTS5 as in the vault). A page beyond the window widens it.
RANK_WINDOW = 5_000  # several words, or a query in FTS5 syntax
RANK_WINDOW_ONE_WORD = 2_000


def rank_window(text: str, limit: int, offset: int) -> int:
    """How many of the newest matches are ranked for ``text`` (at least the page asked for)."""
    one_word = not _OPERATORS.search(text) and len(_WORD.findall(text)) == 1
    return max(RANK_WINDOW_ONE_WORD if one_word else RANK_WINDOW, limit + offset)


# The ranking in two passes over the same window, in one statement. SQLite computes every
# result column of every row before it sorts, so ranking and showing in one pass made a
# snippet (the row's text read and tokenized) and an entries row for each of the window's
# thousands of rows, to keep 50; for a rare word whose matches are spread over years
# that is a page per row, each decrypted on a cache miss. Now (1) `ranked` scores the
# window (bm25 reads the doclists and FTS5's row sizes, nothing else); (2) `top` keeps the
# rows scoring at least as well as the page's last one (all ties with it included, so the
# newest-first order among equals is decided below, exactly as before); (3) the window is
# walked again in rowid order (cached pages, no IDF: no bm25 here) and only `top`'s rows
# get their entry, client and snippet. `+rowid IN (...)` keeps SQLite from handing the
# list to FTS5 (one doclist seek per row) and filters before anything else is read.
# Same scores (one bm25 pass), same order, same rows (tests/test_search_rank.py).
_RANKED_SQL = """
    WITH ranked AS MATERIALIZED (
        SELECT search_index.rowid AS id, bm25(search_index, 10.0, 3.0, 2.0, 2.0) AS score
        FROM search_index {join}
        WHERE search_index MATCH :query {client_clause} AND search_index.rowid >= :start
    ),
    top AS MATERIALIZED (
        SELECT id, score FROM ranked
        WHERE score <= coalesce((SELECT score FROM ranked ORDER BY score LIMIT 1 OFFSET :limit + :offset - 1), 1e308)
    )
    SELECT e.id, e.client_id, c.name, e.kind, e.occurred_utc, e.title,
           snippet(search_index, -1, '[', ']', '…', 12)
    FROM search_index
    CROSS JOIN top ON top.id = search_index.rowid
    CROSS JOIN entries e ON e.id = top.id
    CROSS JOIN clients c ON c.id = e.client_id
    WHERE search_index MATCH :query AND search_index.rowid >= :start AND +search_index.rowid IN (SELECT id FROM top)
    ORDER BY top.score, e.occurred_utc DESC, e.id DESC
    LIMIT :limit OFFSET :offset
"""

# How often (in SQLite VM steps) a running search checks whether it was cancelled.
CANCEL_CHECK_STEPS = 2_000


class SearchCancelled(CasefileError):
    """A newer query replaced this one before it finished (nothing to show)."""


def iter_search(
    conn: Connection,
    text: str,
    *,
    client_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    page: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[list[SearchHit]]:
    """Ranked hits (bm25, title weighted highest), newest first on ties, in pages.

    The ranking runs once; the hits come out ``page`` at a time so a window can show
    the first ones while the rest are read. ``cancelled`` is polled while SQLite works
    (a progress handler) and between pages: a stale query stops with SearchCancelled.
    """
    query = to_fts_query(text)
    widen_cache_for_search(conn)
    query = resolve_prefix(conn, text, query)
    client_clause = "AND e.client_id = :client" if client_id is not None else ""
    join = "JOIN entries e ON e.id = search_index.rowid" if client_id is not None else ""
    params: dict[str, object] = {"query": query, "client": client_id, "limit": limit, "offset": offset}
    window_sql = f"""
        SELECT search_index.rowid FROM search_index {join}
        WHERE search_index MATCH :query {client_clause}
        ORDER BY search_index.rowid DESC LIMIT 1 OFFSET {rank_window(text, limit, offset) - 1}
    """
    sql = _RANKED_SQL.format(join=join, client_clause=client_clause)
    if cancelled is not None:
        conn.set_progress_handler(lambda: 1 if cancelled() else 0, CANCEL_CHECK_STEPS)
    try:
        start = conn.execute(window_sql, params).fetchone()
        cursor = conn.execute(sql, {**params, "start": start[0] if start else 0})
        while rows := cursor.fetchmany(page or limit):
            if cancelled is not None and cancelled():
                raise SearchCancelled("The search was replaced by a newer one.")
            yield [SearchHit(*row) for row in rows]
    except OperationalError as error:
        message = str(error).removeprefix("fts5: ")
        if "interrupt" in message.lower():
            if cancelled is not None and cancelled():
                raise SearchCancelled("The search was replaced by a newer one.") from None
            raise  # the vault is being locked: the reader reports it
        # FTS5 reports every query problem (syntax, unterminated string, unknown
        # column) as an OperationalError; a damaged database is DatabaseError.
        raise InvalidQuery(f"Cannot search for {text.strip()!r}: {message}.") from None
    finally:
        if cancelled is not None:
            conn.set_progress_handler(None, 0)


def search(
    conn: Connection, text: str, *, client_id: int | None = None, limit: int = 50, offset: int = 0
) -> list[SearchHit]:
    """Ranked hits (bm25, title weighted highest), newest first on ties."""
    return [hit for hits in iter_search(conn, text, client_id=client_id, limit=limit, offset=offset) for hit in hits]
