"""The production register: Bates numbers continue and are never reused, exhibit
numbers stay with their attachment, and every production is in the ledger."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers.bundles import pdf_pages_text


def _small_vault(root: Path):  # type: ignore[no-untyped-def]
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    vault, _ = Vault.create(root / "vault", PASSPHRASE)
    vault.settings.set("bates_prefix", "bright")
    client = vault.clients.add("Gerald Whitmore")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    ids = []
    for day in range(3):
        entry = vault.entries.log(
            client.id, EntryFields("note", start + timedelta(days=day), f"Note of day {day}", "Some words.")
        )
        vault.attachments.add_stream(entry.id, io.BytesIO(f"file of day {day}\n".encode()), f"day-{day}.txt")
        ids.append(entry.id)
    return vault, client, ids


@pytest.fixture(scope="module")
def two_productions(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from app.dossier.export import export_dossier
    from app.dossier.productions import productions
    from app.dossier.select import DossierOptions

    root = tmp_path_factory.mktemp("productions")
    vault, client, _ids = _small_vault(root)
    later = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    first = export_dossier(vault, DossierOptions(client.id, date_from=later, recipient="Smith & Lee LLP"), root / "one")
    second = export_dossier(vault, DossierOptions(client.id, supersedes=first.production, bates_digits=8), root / "two")
    register = productions(vault)
    report = vault.verify()
    events = vault.events()
    vault.lock()
    return {"first": first, "second": second, "register": register, "report": report, "events": events}


def _bates_on_pages(pdf: Path) -> list[str]:
    return [re.findall(r"BRIGHT-\d+", page)[-1] for page in pdf_pages_text(pdf)]


def test_bates_numbers_continue_across_productions_and_are_never_reused(two_productions) -> None:  # type: ignore[no-untyped-def]
    first, second = two_productions["first"], two_productions["second"]
    one, two = _bates_on_pages(first.pdf_path), _bates_on_pages(second.pdf_path)
    assert one == [f"BRIGHT-{n:06d}" for n in range(1, first.pages + 1)]
    # The second production starts right after the first, in its own digit count.
    assert two == [f"BRIGHT-{n:08d}" for n in range(first.pages + 1, first.pages + second.pages + 1)]
    assert not {int(b.split("-")[1]) for b in one} & {int(b.split("-")[1]) for b in two}
    assert (first.production, second.production) == ("BRIGHT-PROD-001", "BRIGHT-PROD-002")


def test_exhibit_numbers_stay_with_their_attachment(two_productions) -> None:  # type: ignore[no-untyped-def]
    first, second = two_productions["register"]
    # The first production held days 1 and 2 (exhibits 1, 2); day 0, produced only
    # in the second, gets the next free number and days 1 and 2 keep theirs.
    assert [n for _a, n in first.exhibits] == [1, 2]
    assert dict(second.exhibits) == {**dict(first.exhibits), **{a: 3 for a, n in second.exhibits if n == 3}}
    assert second.exhibit_range == "1–3"
    text = "\n".join(pdf_pages_text(two_productions["second"].pdf_path))
    assert re.search(r"Exhibit 3 – 2026-03-01", text) and re.search(r"Exhibit 1 – 2026-03-02", text)


def test_the_register_is_ledgered_and_verify_passes(two_productions) -> None:  # type: ignore[no-untyped-def]
    first, second = two_productions["register"]
    assert two_productions["report"].ok, two_productions["report"].problems
    assert two_productions["report"].checked["productions"] == 2
    exports = [e for e in two_productions["events"] if e.action == "dossier.export"]
    assert [e.subject for e in exports] == [f"production:{first.id}", f"production:{second.id}"]
    assert exports[1].payload["state"]["pdf_sha256"] == two_productions["second"].pdf_sha256
    assert [e.payload["production"] for e in exports] == ["BRIGHT-PROD-001", "BRIGHT-PROD-002"]
    assert second.supersedes_id == first.id and first.recipient == "Smith & Lee LLP"
    cover = pdf_pages_text(two_productions["second"].pdf_path)[0]
    assert "BRIGHT-PROD-002" in cover and "Supersedes" in cover and "BRIGHT-PROD-001" in cover


def test_the_register_row_cannot_be_edited_behind_casefiles_back(two_productions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    vault, client, _ids = _small_vault(tmp_path)
    export_dossier(vault, DossierOptions(client.id), tmp_path / "out")
    with vault.db.write() as conn:
        conn.execute("UPDATE productions SET bates_last = bates_last - 1")
    assert any("production:1 differs" in p for p in vault.verify().problems)
    vault.lock()


def test_bates_options_are_checked_and_prefixes_normalised(tmp_path: Path) -> None:
    from app.dossier.export import export_dossier
    from app.dossier.productions import check_digits, normalise_prefix
    from app.dossier.select import DossierOptions
    from app.errors import InvalidInput

    assert normalise_prefix("x_") == "X_" and normalise_prefix(" bright ") == "BRIGHT-"
    assert normalise_prefix("CF-") == "CF-"
    for bad in ("", "-X", "a b", "X" * 21):
        with pytest.raises(InvalidInput):
            normalise_prefix(bad)
    for digits in (3, 11):
        with pytest.raises(InvalidInput, match="4 to 10 digits"):
            check_digits(digits)
    vault, client, _ids = _small_vault(tmp_path)
    done = export_dossier(vault, DossierOptions(client.id, bates_prefix="x_", bates_start=500), tmp_path / "a")
    assert (done.bates_first, done.production) == ("X_000500", "X_PROD_001")
    for start in (1, 500, 500 + done.pages - 1):
        with pytest.raises(InvalidInput, match="never reused"):
            export_dossier(vault, DossierOptions(client.id, bates_prefix="X_", bates_start=start), tmp_path / "b")
    with pytest.raises(InvalidInput, match="no production"):
        export_dossier(vault, DossierOptions(client.id, supersedes="NOPE-PROD-9"), tmp_path / "c")
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())
    # Another prefix has its own numbers.
    other = export_dossier(vault, DossierOptions(client.id, bates_prefix="Y"), tmp_path / "d")
    assert other.bates_first == "Y-000001"
    vault.lock()


def test_a_preview_whose_numbers_were_taken_is_refused_on_save(tmp_path: Path) -> None:
    from app.dossier.export import build_dossier_pdf, save_dossier
    from app.dossier.select import DossierOptions
    from app.errors import InvalidInput

    vault, client, _ids = _small_vault(tmp_path)
    preview_a = build_dossier_pdf(vault, DossierOptions(client.id))
    preview_b = build_dossier_pdf(vault, DossierOptions(client.id))
    save_dossier(vault, preview_a, tmp_path / "a")
    with pytest.raises(InvalidInput, match="prepare it again"):
        save_dossier(vault, preview_b, tmp_path / "b")
    assert not list((tmp_path / "b").glob("*"))
    assert vault.verify().ok
    vault.lock()


def test_cli_productions_lists_the_register(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.ok("demo")
    out = str(tmp_path / "out")
    cli.ok("export", "Gerald", "--out", out, "--kinds", "call", "--bates-prefix", "whit", "--recipient", "Smith & Lee")
    listing = cli.ok("productions").out
    assert "WHIT-PROD-001" in listing and "WHIT-000001" in listing and "to Smith & Lee" in listing
    rows = cli.ok("productions", "--json").json()
    assert rows[-1]["number"] == "WHIT-PROD-001" and rows[-1]["client"].startswith("Gerald")
    failed = cli("export", "Gerald", "--out", out, "--kinds", "call", "--bates-prefix", "WHIT", "--bates-start", "1")
    assert failed.code != 0 and len(failed.err.strip().splitlines()) == 1
    assert "never reused" in failed.err
