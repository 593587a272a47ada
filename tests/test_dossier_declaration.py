"""The declaration certifies only what the custodian can; late entries are named;
the legend and privilege log are the owner's choices."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers.bundles import pdf_pages_text


@pytest.fixture(scope="module")
def vault_with_scopes(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    root = tmp_path_factory.mktemp("declaration")
    vault, _ = Vault.create(root / "vault", PASSPHRASE)
    vault.settings.set("owner_name", "Sam Rivera")
    client = vault.clients.add("Gerald Whitmore")
    now = datetime.now(UTC).replace(microsecond=0)

    def log(ago: timedelta, kind: str, title: str, **kw: object) -> None:
        fields = EntryFields(kind, now - ago, title, "Words.", **kw)  # type: ignore[arg-type]
        vault.entries.log(client.id, fields)

    log(timedelta(days=40), "call", "Late call", participants=("Gerald",))  # 1: written 40 days later
    log(timedelta(days=20), "email", "Email from Gerald")  # 2: received material
    log(
        timedelta(days=10),
        "note",
        "Strategy for counsel",
        private=True,
        tags=("work-product",),
        participants=("Ann Lee",),
    )
    log(timedelta(hours=2), "incident", "Timely incident")  # 3 (or 4 with private): written 2 h later
    yield root, vault, client
    vault.lock()


def _export(vault_with_scopes, name: str, **options: object):  # type: ignore[no-untyped-def]
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    root, vault, client = vault_with_scopes
    result = export_dossier(vault, DossierOptions(client.id, **options), root / name)  # type: ignore[arg-type]
    pages = pdf_pages_text(result.pdf_path)
    return result, pages


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _declaration(pages: list[str]) -> str:
    """The declaration's pages, from 'I, …, declare:' to its signature block."""
    first = next(i for i, p in enumerate(pages) if "Records declaration (template)" in p and "declare:" in p)
    last = next(i for i, p in enumerate(pages) if i >= first and "Signature" in p and "Title / capacity" in p)
    return _flat("\n".join(pages[first : last + 1]))


def test_the_declaration_certifies_own_entries_and_names_the_late_ones(vault_with_scopes) -> None:  # type: ignore[no-untyped-def]
    _result, pages = _export(vault_with_scopes, "default")
    text = _declaration(pages)
    assert "THIS IS A TEMPLATE, NOT A SIGNED STATEMENT" in text and "Counsel decides" in text
    # Own records: the call (1) and the incident (3); the email (2) is received material.
    assert "The entries numbered 1 and 3 in the section 'Entries in full'" in text
    assert "Entry 3 was written down at or near the time" in text
    assert "Entry 1 (pages" in text and "was written down more than 7 days after the events" in text
    assert "I do not state that it was made at or near the time" in text  # one late entry
    assert "The entry numbered 2 records emails" in text and "identified by its SHA-256" in text
    assert "set from the computer's clock when the entry was first saved" in text
    assert "does not allow it to be changed" in text
    assert "Federal Rule of Evidence 1006" in text and "not themselves records certified" in text
    assert "I declare under penalty of perjury that the foregoing is true and correct. Executed on" in text
    assert "Notice under Rule 902(11)" in "\n".join(pages)
    everything = _flat("\n".join(pages))
    assert " proves " not in everything and "prepared for counsel" not in everything  # no over-claim, no legend
    # Contemporaneity in the chronology, the entry pages and the summary.
    assert "[written later" in everything  # the chronology row (wrapped in its column)
    assert "recorded 40 days after — entered later" in everything  # the entry's own page
    assert "recorded 2 h after" in everything
    assert "1 of 3 entries was written down within 7 days of the event; 2 were written down later" in everything


def test_the_signature_block_stays_on_the_page_of_the_attestation(vault_with_scopes) -> None:  # type: ignore[no-untyped-def]
    _result, pages = _export(vault_with_scopes, "signature")
    signed = [p for p in pages if "Title / capacity" in p]
    assert len(signed) == 1
    for words in ("penalty of perjury", "Signature", "Name", "Date", "Place", "hash chain stood at"):
        assert words in signed[0], words  # with the last paragraph of what is signed


def test_counts_of_emails_read_as_sentences() -> None:
    from app.dossier.declaration import _how_many

    assert _how_many(0, 1, "carries", "carry") == "It does not carry"
    assert _how_many(1, 1, "carries", "carry") == "It carries"
    assert _how_many(0, 3, "carries", "carry") == "None of them carries"
    assert _how_many(1, 3, "carries", "carry") == "1 of them carries"
    assert _how_many(2, 3, "carries", "carry") == "2 of them carry"
    assert _how_many(2, 2, "carries", "carry") == "Both carry"
    assert _how_many(3, 3, "was", "were") == "All 3 were"


def test_private_entries_left_out_are_in_the_privilege_log_and_its_csv(vault_with_scopes) -> None:  # type: ignore[no-untyped-def]
    result, pages = _export(vault_with_scopes, "log")
    everything = _flat("\n".join(pages))
    assert "Strategy for counsel" not in everything  # withheld: its title is not disclosed
    log_page = _flat(next(p for p in pages if "Privilege log" in p and "Basis" in p))
    assert "Note written by the business about" in log_page
    assert "Work product" in log_page and "withheld" in log_page and "Ann Lee" in log_page
    with zipfile.ZipFile(result.zip_path) as zf:
        rows = zf.read("privilege_log.csv").decode("utf-8-sig").splitlines()
    assert rows[0] == "date,kind,participants,description,basis,status"
    assert len(rows) == 2 and rows[1].endswith(",Note written by the business about the matter,Work product,withheld")


def test_included_private_entries_are_marked_privileged_and_not_certified(vault_with_scopes) -> None:  # type: ignore[no-untyped-def]
    _result, pages = _export(
        vault_with_scopes, "private", include_private=True, legend="aeo", declaration_form="outside-us"
    )
    everything = _flat("\n".join(pages))
    assert "PRIVILEGED — marked private by the owner" in everything
    assert "PRIVILEGED · Strategy for counsel" in everything  # the chronology row
    text = _declaration(pages)
    assert "Entry 3 is marked PRIVILEGED" in text and "not covered by this declaration" in text
    assert "The entries numbered 1 and 4 in the section" in text  # the private note (3) is not certified
    assert "under the laws of the United States of America" in text
    # The legend is on every page's footer, in the stamp's embedded DejaVu Sans (its en dash too).
    assert all("HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY" in page for page in pages)
    log_page = next(p for p in pages if "Privilege log" in p and "Basis" in p)
    assert "produced," in log_page and "PRIVILEGED" in log_page  # wrapped in its narrow column


def test_legend_and_form_choices_are_checked(vault_with_scopes) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.declaration import check_form, check_legend
    from app.errors import InvalidInput

    assert check_legend("none") == "" and check_legend("Confidential") == "CONFIDENTIAL"
    assert check_legend("Subject to protective order") == "Subject to protective order"
    assert check_legend("Конфиденциально – Ελληνικά") == "Конфиденциально – Ελληνικά"  # DejaVu has them
    for bad in ("x" * 61, "机密", "سري"):
        with pytest.raises(InvalidInput):
            check_legend(bad)
    with pytest.raises(InvalidInput, match="Unknown declaration form"):
        check_form("mars")
    _result, pages = _export(
        vault_with_scopes, "custom", legend="Subject to protective order", declaration_form="other"
    )
    assert all("Subject to protective order" in page for page in pages)
    assert "state law or another jurisdiction" in _declaration(pages)
