"""The ranking in two passes (score the window, then snippets for the page only) returns
exactly what the one-pass statement it replaced returned: the same hits, order and snippets."""

from __future__ import annotations

import io
import random

import pytest

import app.search
from app.records.entries import insert_entry
from app.records.models import EntryFields, SearchHit
from app.records.times import parse_when
from app.search import rank_window, resolve_prefix, to_fts_query
from app.vault import Vault
from app.vault.store import Connection

WORDS = ["invoice", "invoices", "lawyer", "tile", "court", "refund", "deck", "grout", "notice", "quote"]

# The statement iter_search ran before the two passes: bm25 and a snippet for every row
# of the window, then the sort. It is the reference the new one must match.
ONE_PASS = """
    SELECT e.id, e.client_id, c.name, e.kind, e.occurred_utc, e.title,
           snippet(search_index, -1, '[', ']', '…', 12)
    FROM search_index
    JOIN entries e ON e.id = search_index.rowid
    JOIN clients c ON c.id = e.client_id
    WHERE search_index MATCH ? {client_clause} AND search_index.rowid >= ?
    ORDER BY bm25(search_index, 10.0, 3.0, 2.0, 2.0), e.occurred_utc DESC, e.id DESC
    LIMIT ? OFFSET ?
"""


def one_pass(conn: Connection, text: str, *, client_id: int | None = None, limit: int = 50, offset: int = 0) -> list:
    query = resolve_prefix(conn, text, to_fts_query(text))
    client_clause = "AND e.client_id = ?" if client_id is not None else ""
    join = "JOIN entries e ON e.id = search_index.rowid" if client_id is not None else ""
    filters: list[object] = [query] + ([client_id] if client_id is not None else [])
    start = conn.execute(
        f"SELECT search_index.rowid FROM search_index {join} WHERE search_index MATCH ? {client_clause}"
        f" ORDER BY search_index.rowid DESC LIMIT 1 OFFSET {rank_window(text, limit, offset) - 1}",
        filters,
    ).fetchone()
    rows = conn.execute(
        ONE_PASS.format(client_clause=client_clause), [*filters, start[0] if start else 0, limit, offset]
    ).fetchall()
    return [SearchHit(*row) for row in rows]


def _fill(vault: Vault, n: int, seed: int = 3) -> list[int]:
    """``n`` entries of two clients, Zipf-like words in titles and bodies of varied length,
    on a few days only (so many rows tie on bm25 and on the day)."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    clients = [vault.clients.add("Gerald Invoice Whitmore"), vault.clients.add("Tile Court Ltd")]
    ids = []
    with vault.db.write() as conn:
        for i in range(n):
            when, _ = parse_when(f"2026-03-{1 + i % 5:02d}T10:00+00:00")
            title = " ".join(rng.choices(WORDS, weights, k=rng.randrange(1, 4)))
            body = " ".join(rng.choices(WORDS, weights, k=rng.randrange(0, 12)))
            ids.append(insert_entry(conn, clients[i % 2].id, EntryFields("note", when, title, body)))
    return ids


def _same(vault: Vault, text: str, **kwargs: object) -> list[SearchHit]:
    hits = vault.search(text, **kwargs)  # type: ignore[arg-type]
    with vault.db.read() as conn:
        assert hits == one_pass(conn, text, **kwargs), (text, kwargs)  # type: ignore[arg-type]
    return hits


QUERIES = ["invoice", "invoic", "lawyer", "Tile", "deck", "whitmore", "court grout", "invoice lawyer", "notice OR quote"]


def test_two_passes_rank_like_one_on_thousands_of_entries(vault: Vault) -> None:
    ids = _fill(vault, 3000)
    vault.attachments.add_stream(ids[-1], io.BytesIO(b"x"), "grout-invoice-photo.jpg")
    client_id = vault.entries.get(ids[0]).client_id
    for text in [*QUERIES, "nothing"]:
        for kwargs in ({}, {"limit": 20, "offset": 30}, {"limit": 1}, {"limit": 200}, {"client_id": client_id}):
            _same(vault, text, **kwargs)
    assert len(_same(vault, "invoice")) == 50


def test_ties_at_the_page_boundary_keep_newest_first(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.search, "RANK_WINDOW_ONE_WORD", 40)
    monkeypatch.setattr(app.search, "RANK_WINDOW", 60)
    gerald = vault.clients.add("Gerald")
    when, _ = parse_when("2026-03-08T10:00+00:00")
    later, _ = parse_when("2026-03-09T10:00+00:00")
    with vault.db.write() as conn:  # 90 rows with the same text: one score, two days
        same = [insert_entry(conn, gerald.id, EntryFields("note", later if i % 3 else when, "Call", "lawyer court")) for i in range(90)]
    for text in ("lawyer", "lawyer court"):
        for kwargs in ({"limit": 7}, {"limit": 10, "offset": 13}, {"limit": 100}, {"limit": 5, "offset": 38}):
            hits = _same(vault, text, **kwargs)
            assert hits
    on_later_day = sorted((i for n, i in enumerate(same) if n % 3), reverse=True)
    assert [h.entry_id for h in vault.search("lawyer", limit=5)] == on_later_day[:5]


def test_a_window_with_fewer_rows_than_the_page(vault: Vault) -> None:
    _fill(vault, 30, seed=9)
    for text in ("invoice", "court grout", "deck"):
        hits = _same(vault, text, limit=200)
        assert len(hits) <= 30
    assert _same(vault, "invoice", limit=10, offset=500) == []
