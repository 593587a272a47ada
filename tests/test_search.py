"""Full-text search as the owner uses it: a few words, results ranked, newest first on ties."""

from __future__ import annotations

import io

import pytest

from app.errors import InvalidQuery
from app.records.models import EntryFields
from app.records.times import parse_when
from app.search import to_fts_query
from app.vault import Vault


def _log(vault: Vault, client_id: int, day: int, title: str, body: str = "") -> int:
    when, _ = parse_when(f"2026-03-{day:02d}T10:00+00:00")
    return vault.entries.log(client_id, EntryFields("note", when, title, body)).id


def test_finds_titles_bodies_client_names_and_attachment_names(vault: Vault) -> None:
    gerald = vault.clients.add("Gerald Whitmore")
    a = _log(vault, gerald.id, 1, "Invoice dispute", "He refused to pay")
    b = _log(vault, gerald.id, 2, "Site visit", "Cracked backsplash tile")
    vault.attachments.add_stream(b, io.BytesIO(b"x"), "backsplash-photo.jpg")
    c = _log(vault, gerald.id, 3, "Quiet day")
    assert [h.entry_id for h in vault.search("refused")] == [a]
    assert [h.entry_id for h in vault.search("photo")] == [b]
    assert {h.entry_id for h in vault.search("whitmore")} == {a, b, c}


def test_ranked_with_newest_first_on_ties(vault: Vault) -> None:
    gerald = vault.clients.add("Gerald")
    old = _log(vault, gerald.id, 1, "Call", "lawyer")
    new = _log(vault, gerald.id, 9, "Call", "lawyer")
    best = _log(vault, gerald.id, 5, "Lawyer letter", "lawyer lawyer")
    assert [h.entry_id for h in vault.search("lawyer")] == [best, new, old]


def test_prefix_while_typing_and_accents(vault: Vault) -> None:
    gerald = vault.clients.add("Zoë Müller")
    entry = _log(vault, gerald.id, 1, "Réunion", "Threatened to sue")
    assert [h.entry_id for h in vault.search("threat")] == [entry]
    assert [h.entry_id for h in vault.search("reunion")] == [entry]
    assert [h.entry_id for h in vault.search("muller")] == [entry]


def test_edits_and_renames_update_the_index(vault: Vault) -> None:
    gerald = vault.clients.add("Gerald")
    entry = _log(vault, gerald.id, 1, "Call", "calm")
    fields = vault.entries.get(entry).fields
    vault.entries.revise(entry, EntryFields(**{**fields.__dict__, "body": "furious"}))
    assert vault.search("calm") == [] and [h.entry_id for h in vault.search("furious")] == [entry]
    vault.clients.update(gerald.id, name="Gerald Whitmore")
    assert [h.entry_id for h in vault.search("whitmore")] == [entry]


def test_client_filter_and_snippets(vault: Vault) -> None:
    a = vault.clients.add("A")
    b = vault.clients.add("B")
    _log(vault, a.id, 1, "Tile", "tile cracked")
    mine = _log(vault, b.id, 2, "Tile", "tile cracked again")
    hits = vault.search("cracked", client_id=b.id)
    assert [h.entry_id for h in hits] == [mine]
    assert "[cracked]" in hits[0].snippet


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "title:", "(", "NEAR(a"])
def test_query_syntax_errors_are_one_line(vault: Vault, query: str) -> None:
    _log(vault, vault.clients.add("Gerald").id, 1, "Call", "unbalanced words")
    with pytest.raises(InvalidQuery) as info:
        vault.search(query)
    assert str(info.value).startswith("Cannot search for") and "\n" not in str(info.value)


def test_empty_query_is_refused() -> None:
    with pytest.raises(InvalidQuery, match="Type something"):
        to_fts_query("   ")
    with pytest.raises(InvalidQuery, match="no words"):
        to_fts_query("!!!")


def test_plain_words_become_a_safe_prefix_query() -> None:
    assert to_fts_query("cracked tile") == '"cracked" "tile"*'
    assert to_fts_query('"exact phrase"') == '"exact phrase"'


def test_very_common_words_rank_only_the_newest_window(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.search

    monkeypatch.setattr(app.search, "RANK_WINDOW_ONE_WORD", 3)
    monkeypatch.setattr(app.search, "RANK_WINDOW", 4)
    gerald = vault.clients.add("Gerald")
    oldest_best = _log(vault, gerald.id, 1, "Lawyer lawyer court", "lawyer lawyer lawyer court")
    newer = [_log(vault, gerald.id, day, "Call", "lawyer court") for day in (2, 3, 4, 5)]
    hits = [h.entry_id for h in vault.search("lawyer", limit=3)]
    assert oldest_best not in hits  # one word: outside the newest three matches
    assert hits == sorted(newer[-3:], reverse=True)  # equal rank: newest first
    assert [h.entry_id for h in vault.search("lawyer", client_id=gerald.id, limit=3)] == hits
    two = [h.entry_id for h in vault.search("lawyer court", limit=3)]
    assert oldest_best not in two and two == sorted(newer, reverse=True)[:3]  # two words: the newest four ranked
    # a page asked for beyond the window widens it: every match is ranked, the best first
    assert vault.search("lawyer", limit=5)[0].entry_id == oldest_best
    assert [h.entry_id for h in vault.search("lawyer", limit=2, offset=3)] == sorted(newer, reverse=True)[2:4]
