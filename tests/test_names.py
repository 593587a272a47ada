"""Names: one spelling per name (NFC), and do-not-serve sees through look-alike letters."""

from __future__ import annotations

import unicodedata

from app.parting.dns import match_person


def test_client_names_are_stored_nfc_and_found_in_either_spelling(vault) -> None:  # type: ignore[no-untyped-def]
    decomposed = unicodedata.normalize("NFD", "Café Lumière")
    client = vault.clients.add(decomposed)
    assert client.name == "Café Lumière" and unicodedata.is_normalized("NFC", client.name)
    assert vault.clients.resolve(decomposed).id == client.id
    assert vault.clients.resolve("Café Lumière").id == client.id
    renamed = vault.clients.update(client.id, name=unicodedata.normalize("NFD", "Crème Brûlée Ltd"))
    assert renamed.name == "Crème Brûlée Ltd"
    assert vault.verify().ok


def test_do_not_serve_matches_a_cyrillic_o_in_mallory(vault) -> None:  # type: ignore[no-untyped-def]
    mallory = vault.clients.add("Mallory Sharp")
    vault.clients.set_status(mallory.id, "do_not_serve", "Threatened staff.")
    disguised = "Mall\u043ery Sharp"  # CYRILLIC SMALL LETTER O
    assert disguised != "Mallory Sharp"
    (match,) = match_person(vault, name=disguised)
    assert match.client_id == mallory.id and match.matched_on == "name"
    assert match_person(vault, name="Sharp Ma\u217clory")  # SMALL ROMAN NUMERAL FIFTY for an l, word order free
    assert match_person(vault, name="Mallary Sharp") == []  # a stranger with a similar name is not warned about
    assert match_person(vault, name="Malory Sharp") == []
