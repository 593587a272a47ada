"""Search as the window runs it: pages from one read, a stale query cancelled, prefixes resolved."""

from __future__ import annotations

import pytest

from app.records.models import EntryFields
from app.records.times import parse_when
from app.search import SearchCancelled, resolve_prefix, to_fts_query
from app.vault import Vault


def _log_many(vault: Vault, n: int, body: str) -> list[int]:
    client = vault.clients.add("Gerald Whitmore")
    when, _ = parse_when("2026-03-08T10:00+00:00")
    return [vault.entries.log(client.id, EntryFields("note", when, f"Call {i}", body)).id for i in range(n)]


def test_pages_come_from_one_ranked_read_and_match_a_plain_search(vault: Vault) -> None:
    _log_many(vault, 12, "invoice disputed")
    pages = list(vault.search_pages("invoice", limit=10, page=4))
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [h.entry_id for p in pages for h in p] == [h.entry_id for h in vault.search("invoice", limit=10)]


def test_a_cancelled_search_stops_with_search_cancelled(vault: Vault) -> None:
    _log_many(vault, 30, "invoice disputed")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(SearchCancelled):
        list(vault.search_pages("invoice", limit=30, page=5, cancelled=cancelled))
    assert vault.search("invoice", limit=30)  # the reader is fine afterwards


def test_a_whole_last_word_is_searched_as_itself_and_a_partial_one_as_a_prefix(vault: Vault) -> None:
    ids = _log_many(vault, 2, "invoice")
    client = vault.clients.list()[0]
    when, _ = parse_when("2026-03-09T10:00+00:00")
    invoiced = vault.entries.log(client.id, EntryFields("note", when, "Later", "invoiced twice")).id
    with vault.db.read() as conn:
        assert resolve_prefix(conn, "call disputed", to_fts_query("call disputed")) == '"call" "disputed"'
        assert resolve_prefix(conn, "invoice", to_fts_query("invoice")) == '"invoice"*'  # "invoiced" exists
        assert resolve_prefix(conn, "invoiced", to_fts_query("invoiced")) == '"invoiced"'
        assert resolve_prefix(conn, '"invoice"', to_fts_query('"invoice"')) == '"invoice"'  # advanced: as written
    assert {h.entry_id for h in vault.search("invoice")} == {*ids, invoiced}
    assert [h.entry_id for h in vault.search("invoiced")] == [invoiced]
    assert {h.entry_id for h in vault.search("invo")} == {*ids, invoiced}
