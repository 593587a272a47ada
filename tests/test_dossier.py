"""Exporting the demo client's dossier: the PDF reads right and the bundle checks out."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.helpers.bundles import pdf_pages_text, rewrite_zip

SECTIONS = [
    "Contents",
    "Summary",
    "Chronology",
    "Entries in full",
    "Exhibits",
    "Records declaration",
    "Integrity appendix",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo vault's Whitmore dossier, exported once for this module."""
    from app.demo import build_demo_vault
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.vault import Vault

    root = tmp_path_factory.mktemp("dossier")
    build_demo_vault(root / "vault", PASSPHRASE)
    vault = Vault.open(root / "vault", PASSPHRASE)
    client = vault.clients.resolve("Gerald")
    titles = [e.title for e in vault.entries.timeline(client.id) if not e.fields.private]
    private = [e.title for e in vault.entries.timeline(client.id) if e.fields.private]
    result = export_dossier(vault, DossierOptions(client.id), root / "out")
    events = vault.events()
    vault.lock()
    return {"result": result, "titles": titles, "private": private, "events": events, "root": root}


def test_the_pdf_shows_every_section_and_every_entry_title(exported) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(pdf_pages_text(exported["result"].pdf_path))
    flat = re.sub(r"\s+", " ", text)
    for section in SECTIONS:
        assert section in text
    for title in exported["titles"]:
        assert re.sub(r"\s+", " ", title) in flat, title
    assert exported["private"], "the demo should have a private entry to leave out"
    for title in exported["private"]:
        assert title not in flat
    assert "Gerald Whitmore" in text and "Sam Rivera" in text and "Brightline Renovations" in text
    assert "RETRACTED" in text and "Revision history" in text


def test_every_page_has_its_bates_number_and_page_x_of_y(exported) -> None:  # type: ignore[no-untyped-def]
    pages = pdf_pages_text(exported["result"].pdf_path)
    total = len(pages)
    assert total == exported["result"].pages
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {total}" in page, f"page {number}"
        stamps = re.findall(r"BRIGHT-(\d{6})\s*$", page.rstrip())
        assert stamps == [f"{number:06d}"], f"page {number} footer: {page.rstrip()[-80:]!r}"


def test_the_appended_pdfs_keep_their_text_under_the_stamp(exported) -> None:  # type: ignore[no-untyped-def]
    pages = pdf_pages_text(exported["result"].pdf_path)
    contract = [i for i, p in enumerate(pages, start=1) if "2. Price: $24,800.00, fixed." in p]
    assert contract, "the contract PDF's own page should be in the dossier"
    assert f"BRIGHT-{contract[0]:06d}" in pages[contract[0] - 1]


def test_the_manifest_matches_the_pdf(exported) -> None:  # type: ignore[no-untyped-def]
    import pikepdf

    result = exported["result"]
    with zipfile.ZipFile(result.zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert zf.read(manifest["pdf"]["path"]) == result.pdf_path.read_bytes()
        dat = zf.read("loadfile.dat").decode("utf-8-sig").splitlines()
    with pikepdf.open(result.pdf_path) as pdf:
        assert len(pdf.pages) == manifest["pdf"]["pages"] == result.pages
        assert str(pdf.docinfo["/Title"]) == "Record of dealings: Gerald Whitmore"
        assert "Sam Rivera" in str(pdf.docinfo["/Author"])
        assert "/CreationDate" in pdf.docinfo
        assert len(pdf.open_outline().root) >= len(SECTIONS)
    assert manifest["pdf"]["bates_first"] == "BRIGHT-000001"
    assert manifest["pdf"]["bates_last"] == f"BRIGHT-{result.pages:06d}"
    assert len(manifest["exhibits"]) == result.exhibits == 9
    assert dat[0].split("\x14")[:4] == ["þBEGBATESþ", "þENDBATESþ", "þBEGATTACHþ", "þENDATTACHþ"]
    # one row per document: every entry, every exhibit and the generated reports
    assert len(dat) >= 1 + result.exhibits + result.entries


def test_every_demo_page_says_it_is_a_demonstration(exported) -> None:  # type: ignore[no-untyped-def]
    pages = pdf_pages_text(exported["result"].pdf_path)
    assert all("DEMONSTRATION — fictional data" in page for page in pages)
    everything = " ".join(" ".join(pages).split())
    assert "All 16 entries were written down within 7 days of the event." in everything  # not "0 were … later"


def test_the_export_is_recorded_in_the_ledger(exported) -> None:  # type: ignore[no-untyped-def]
    last = exported["events"][-1]
    assert last.action == "dossier.export"
    # Its own subject: "client:N" must keep carrying the client's state for verify (issue 10);
    # the production register's row is production:N, ledgered in the same transaction.
    assert last.subject.startswith("dossier:client:")
    assert any(e.subject.startswith("production:") for e in exported["events"])
    assert last.payload["pdf_sha256"] == exported["result"].pdf_sha256
    assert last.payload["pages"] == exported["result"].pages


def test_sha256sum_accepts_the_bundle(exported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(exported["result"].zip_path) as zf:
        zf.extractall(tmp_path)
    run = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    listed = (tmp_path / "SHA256SUMS").read_text().splitlines()
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "SHA256SUMS"]
    documents = len((tmp_path / "loadfile.dat").read_text("utf-8-sig").splitlines()) - 1
    # + manifest.sig, signing_key.pem, verify_bundle.py, privilege_log.csv, .opt, chronology .csv/.xlsx,
    # and one PDF and one text file per document
    expected = 12 + exported["result"].exhibits + 2 * documents
    assert run.stdout.count(": OK") == len(listed) == len(files) == expected


def _verify(cli, path: Path):  # type: ignore[no-untyped-def]
    return cli("verify-bundle", str(path))


def test_verify_bundle_passes_on_the_bundle_as_written(exported, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli.ok("verify-bundle", str(exported["result"].zip_path))
    assert result.out.startswith("OK:")


def test_verify_bundle_names_a_changed_exhibit(exported, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "changed.zip"
    target = "exhibits/EX0004_fridge-panel-gap.jpg"

    def flip(name: str, data: bytes) -> bytes:
        return data[:100] + bytes([data[100] ^ 1]) + data[101:] if name == target else data

    rewrite_zip(exported["result"].zip_path, bad, flip)
    result = _verify(cli, bad)
    assert result.code == 3
    assert f"{target} was changed" in result.err
    assert all(line.startswith("casefile: ") for line in result.err.splitlines())


def test_verify_bundle_names_a_removed_file(exported, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "removed.zip"
    target = "exhibits/EX0002_email-20260529.eml"
    rewrite_zip(exported["result"].zip_path, bad, lambda name, data: None if name == target else data)
    result = _verify(cli, bad)
    assert result.code == 3
    assert f"{target} was removed" in result.err


def test_verify_bundle_names_an_added_file(exported, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "added.zip"
    rewrite_zip(exported["result"].zip_path, bad, lambda name, data: data, add={"exhibits/EX0099_extra.txt": b"hi"})
    result = _verify(cli, bad)
    assert result.code == 3
    assert "exhibits/EX0099_extra.txt was added" in result.err


def test_a_changed_file_with_rewritten_sums_is_still_caught(exported, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Someone who edits an exhibit and fixes SHA256SUMS still trips the manifest."""
    import hashlib

    bad = tmp_path / "forged.zip"
    target = "exhibits/EX0001_contract-summary.pdf"
    with zipfile.ZipFile(exported["result"].zip_path) as zf:
        forged = zf.read(target) + b"\n% appended\n"
        sums = zf.read("SHA256SUMS").decode()
    old = next(line.split()[0] for line in sums.splitlines() if line.endswith(target))
    new_sums = sums.replace(old, hashlib.sha256(forged).hexdigest()).encode()

    def change(name: str, data: bytes) -> bytes:
        return forged if name == target else new_sums if name == "SHA256SUMS" else data

    rewrite_zip(exported["result"].zip_path, bad, change)
    result = _verify(cli, bad)
    assert result.code == 3
    assert f"{target} does not match the SHA-256 in manifest.json" in result.err


def test_cli_export_writes_both_files_and_honours_filters(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.ok("demo")
    out = tmp_path / "out"
    result = cli.ok("export", "Gerald", "--out", str(out), "--from", "2026-08-01", "--to", "2026-08-31",
                    "--kinds", "incident", "complaint", "call", "--bates-prefix", "WHIT")  # fmt: skip
    written = [Path(line) for line in result.out.splitlines()]
    assert [p.suffix for p in written] == [".pdf", ".zip"] and all(p.exists() for p in written)
    text = "\n".join(pdf_pages_text(written[0]))
    assert "Client told the tile crew to leave the site" in text  # an August incident
    assert "will sue" not in text  # September, and not a chosen kind
    assert "WHIT-000001" in text
    cli.ok("verify-bundle", str(written[1]))
    # demo → export → verify: the export must not make the record look edited (issue 10).
    assert "OK: the record is intact" in cli.ok("verify").out


def test_bad_choices_fail_in_one_line_and_write_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.ok("demo")
    out = tmp_path / "out"
    for args in (
        ["--kinds", "gossip"],
        ["--bates-prefix", "no spaces"],
        ["--from", "2026-09-01", "--to", "2026-08-01"],
    ):
        result = cli("export", "Gerald", "--out", str(out), *args)
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err
    assert not out.exists() or not any(out.iterdir())


def test_a_cancelled_export_leaves_nothing_behind(demo_vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.export import ExportCancelled, export_dossier
    from app.dossier.select import DossierOptions

    cancel = threading.Event()
    seen: list[str] = []

    def progress(phase: str, done: int, total: int) -> None:
        seen.append(phase)
        if phase == "layout" and done >= 3:
            cancel.set()

    client = demo_vault.clients.resolve("Gerald")
    before = demo_vault.head()
    with pytest.raises(ExportCancelled):
        export_dossier(demo_vault, DossierOptions(client.id), tmp_path / "out", progress=progress, cancel=cancel)
    assert "layout" in seen
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert demo_vault.head() == before  # no export event for an export that did not happen


def test_the_saved_pdf_is_the_one_previewed_from_memory(demo_vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The GUI's path: build in memory, render a preview page, then save exactly that."""
    import pypdfium2

    from app.dossier.export import build_dossier_pdf, save_dossier
    from app.dossier.select import DossierOptions

    client = demo_vault.clients.resolve("Gerald")
    built = build_dossier_pdf(demo_vault, DossierOptions(client.id))
    assert not (tmp_path / "out").exists()  # nothing written by the preview
    document = pypdfium2.PdfDocument(built.pdf)
    try:
        bitmap = document[0].render(scale=0.5).to_pil()
        assert bitmap.width > 200 and len(document) == built.pages
    finally:
        document.close()
    result = save_dossier(demo_vault, built, tmp_path / "out")
    assert result.pdf_path.read_bytes() == built.pdf
    assert demo_vault.events()[-1].payload["pdf_sha256"] == result.pdf_sha256


def _outline_pages(pdf_path: Path) -> dict[str, int]:
    """Bookmark title -> page number (1-based), at every level."""
    import pikepdf

    found: dict[str, int] = {}
    with pikepdf.open(pdf_path) as pdf:
        page_numbers = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        with pdf.open_outline() as outline:
            stack = list(outline.root)
            while stack:
                item = stack.pop()
                found[item.title] = page_numbers[item.destination[0].objgen]
                stack.extend(item.children)
    return found


def test_bookmarks_lead_to_the_right_pages_and_the_index_gives_bates_ranges(exported) -> None:  # type: ignore[no-untyped-def]
    result = exported["result"]
    pages = pdf_pages_text(result.pdf_path)
    marks = _outline_pages(result.pdf_path)
    with zipfile.ZipFile(result.zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    for section in ("Summary", "Chronology", "Entries in full", "Exhibits", "Integrity appendix"):
        assert pages[marks[section] - 1].lstrip().splitlines()[2:4], section
        assert section in pages[marks[section] - 1]
    for ex in manifest["exhibits"]:
        first = marks[ex["description"]]
        assert ex["bates_first"] == f"BRIGHT-{first:06d}"
        assert ex["description"] in re.sub(r"\s+", " ", pages[first - 1])
    index = "\n".join(pages[marks["Exhibits"] - 1 : marks[manifest["exhibits"][0]["description"]] - 1])
    for ex in manifest["exhibits"]:
        assert ex["bates_first"] in index and ex["bates_last"] in index, ex["number"]
    for entry in manifest["entries"]:  # pin cites: the entry's title is on its Bates page
        page = pages[int(entry["bates"].split("-")[-1]) - 1]
        assert re.sub(r"\s+", " ", entry["title"])[:30] in re.sub(r"\s+", " ", page), entry["title"]


def test_a_byte_flipped_inside_the_zip_names_the_damaged_file(exported, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Tampering with the ZIP itself (not rebuilding it): the CRC or the hash catches it."""
    target = "exhibits/EX0005_backsplash-tile-photo-1.jpg"
    with zipfile.ZipFile(exported["result"].zip_path) as zf:
        info = zf.getinfo(target)
    data = bytearray(exported["result"].zip_path.read_bytes())
    header = info.header_offset
    name_len, extra_len = (
        int.from_bytes(data[header + 26 : header + 28], "little"),
        int.from_bytes(data[header + 28 : header + 30], "little"),
    )
    data[header + 30 + name_len + extra_len + 200] ^= 0x01  # a byte of the stored PNG
    bad = tmp_path / "flipped.zip"
    bad.write_bytes(bytes(data))
    result = _verify(cli, bad)
    assert result.code == 3
    assert target in result.err and len(result.err.strip().splitlines()) == 1


def test_something_that_is_not_a_bundle_fails_verification(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"not a zip at all")
    result = _verify(cli, fake)
    assert result.code == 3 and "not a readable ZIP" in result.err
    assert _verify(cli, tmp_path / "missing.zip").code == 1


def test_contents_lines_and_pin_cites_are_links_to_their_pages(exported) -> None:  # type: ignore[no-untyped-def]
    import pikepdf

    result = exported["result"]
    with zipfile.ZipFile(result.zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    targets: set[int] = set()
    with pikepdf.open(result.pdf_path) as pdf:
        numbers = {page.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        for page in pdf.pages[:6]:  # contents and chronology
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Link":
                    targets.add(numbers[annot.Dest[0].objgen])
    entry_pages = {int(e["bates"].split("-")[-1]) for e in manifest["entries"]}
    exhibit_pages = {int(e["bates_first"].split("-")[-1]) for e in manifest["exhibits"]}
    assert entry_pages | exhibit_pages <= targets


def test_chronology_shows_status_changes_the_letter_and_the_follow_up(exported) -> None:  # type: ignore[no-untyped-def]
    pages = pdf_pages_text(exported["result"].pdf_path)
    chronology = re.sub(r"\s+", " ", "\n".join(p for p in pages if "Chronology" in p or "Pin cite" in p))
    assert "Client status set to Watch" in chronology
    assert "Client status set to Parting ways" in chronology
    letter = chronology.index("Letter ending the engagement")
    assert chronology.index("Client status set to Parting ways") > chronology.index("Email stating he will sue")
    assert chronology.index("Follow-up call after the letter") > letter


def test_a_second_export_in_the_same_second_gets_its_own_name_and_overwrites_nothing(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from app.dossier.export import build_dossier_pdf, file_stem, save_dossier
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields

    client = vault.clients.add("Gerald Whitmore")
    vault.entries.log(client.id, EntryFields("call", datetime(2026, 9, 1, 10, 0, tzinfo=UTC), "Call"))
    built = build_dossier_pdf(vault, DossierOptions(client.id))
    out = tmp_path / "out"
    out.mkdir()
    stem = file_stem(built.layout.selection, f"{built.layout.prepared_at:%Y%m%d-%H%M%S}")
    (out / f"{stem}.pdf").write_bytes(b"an earlier export of the same second")
    result = save_dossier(vault, built, out)
    assert result.pdf_path.name == f"{stem}-2.pdf" and result.zip_path.name == f"{stem}-2.zip"
    assert (out / f"{stem}.pdf").read_bytes() == b"an earlier export of the same second"
    with zipfile.ZipFile(result.zip_path) as bundle:
        assert f"{stem}-2.pdf" in bundle.namelist()
    assert vault.verify().ok
