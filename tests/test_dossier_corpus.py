"""Real files from other software: every corpus email and every EXIF orientation."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from tests.conftest import CORPUS, PASSPHRASE


@pytest.fixture(scope="module")
def corpus_export(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields
    from app.vault import Vault

    root = tmp_path_factory.mktemp("corpus")
    vault, _ = Vault.create(root / "vault", PASSPHRASE)
    client = vault.clients.add("Corpus Client")
    mail = vault.entries.log(client.id, EntryFields("email", datetime(2026, 1, 5, tzinfo=UTC), "Every corpus email"))
    for path in sorted((CORPUS / "email" / "eml").glob("*.eml")) + sorted((CORPUS / "email" / "msg").glob("*.msg")):
        vault.attachments.add_stream(mail.id, io.BytesIO(path.read_bytes()), path.name)
    photos = vault.entries.log(client.id, EntryFields("photo", datetime(2026, 1, 6, tzinfo=UTC), "Orientations"))
    for path in sorted((CORPUS / "images" / "jpeg" / "orientation").glob("*.jpg")):
        vault.attachments.add_stream(photos.id, io.BytesIO(path.read_bytes()), path.name)
    result = export_dossier(vault, DossierOptions(client.id), root / "out")
    vault.lock()
    return result


def test_every_corpus_email_is_rendered_or_listed_as_native(corpus_export) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(corpus_export.zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    by_name = {ex["file_name"]: ex for ex in manifest["exhibits"]}
    emails = [ex for name, ex in by_name.items() if name.endswith(".eml")]
    assert len(emails) == len(list((CORPUS / "email" / "eml").glob("*.eml")))
    rendered = [ex for ex in emails if ex["rendered_as"] == "email"]
    assert len(rendered) >= len(emails) - 2, [ex["file_name"] for ex in emails if ex["rendered_as"] != "email"]
    assert all(ex["note"] for ex in emails if ex["rendered_as"] == "native")  # a reason for each native
    assert by_name["unicode.msg"]["rendered_as"] == "native"


def test_photos_in_every_exif_orientation_come_out_upright(corpus_export) -> None:  # type: ignore[no-untyped-def]
    """The corpus has landscape_N and portrait_N for each orientation N: after the
    transpose, landscapes are wider than tall and portraits taller than wide."""
    import pikepdf

    with zipfile.ZipFile(corpus_export.zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    pages = {ex["bates_first"]: ex["file_name"] for ex in manifest["exhibits"] if ex["file_name"].endswith(".jpg")}
    seen = 0
    with pikepdf.open(corpus_export.pdf_path) as pdf:
        for bates, name in pages.items():
            page = pdf.pages[int(bates.split("-")[-1]) - 1]
            for _key, xobject in page.resources.get("/XObject", {}).items():
                if xobject.get("/Subtype") == "/Image":
                    width, height = int(xobject.Width), int(xobject.Height)
                    assert (width > height) == name.startswith("landscape"), (name, width, height)
                    seen += 1
    assert seen == 16


def test_the_dossier_reuses_only_the_thumbnail_recorded_at_import(vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Ingest's upright 1600 px copy saves decoding 12 MP photos, but only while its
    SHA-256 still matches the one the ledger recorded with the attachment."""
    from types import SimpleNamespace

    from app.dossier.photos import trusted_preview
    from app.ingest.importer import import_path

    client = vault.clients.add("Photos")
    photo = next(p for p in sorted((CORPUS / "images" / "jpeg").glob("*.jpg")))
    result = import_path(vault, client.id, photo)
    attachment = vault.attachments.for_entry(result.entry_ids[0])[0]
    assert set(attachment.metadata["derivatives"]) == {"thumb1600", "thumb256"}
    exhibit = SimpleNamespace(attachment=attachment)
    assert trusted_preview(vault, exhibit, (900, 600)) == vault.attachments.derivative(attachment.sha256, "thumb1600")
    assert trusted_preview(vault, exhibit, (2400, 1600)) is None  # too small for that size: decode the original
    vault.attachments.put_derivative(attachment.sha256, "thumb1600", b"\xff\xd8 not the photo")
    assert trusted_preview(vault, exhibit, (900, 600)) is None  # swapped behind our back: not used


def test_photos_imported_are_laid_out_from_the_size_recorded_at_import(vault) -> None:  # type: ignore[no-untyped-def]
    """Ingest records width, height and EXIF orientation: the dossier lays the photo out from them
    (no 1 MB chunk decrypted per photo) and they are what the stored file's own header says."""
    from app.dossier.exhibits import _image_header, _recorded_header
    from app.dossier.export import build_dossier_pdf
    from app.dossier.select import DossierOptions
    from app.ingest.importer import import_paths

    client = vault.clients.add("Orientations")
    paths = sorted((CORPUS / "images" / "jpeg" / "orientation").glob("*.jpg"))
    results = import_paths(vault, client.id, paths)
    assert [r.status for r in results] == ["imported"] * 16
    orientations = set()
    for result in results:
        att = vault.attachments.for_entry(result.entry_ids[0])[0]
        recorded = _recorded_header(att.metadata)
        assert recorded == _image_header(vault.attachments.read_bytes(att.sha256)), att.name
        orientations.add(recorded[2])
    assert orientations == set(range(1, 9))
    built = build_dossier_pdf(vault, DossierOptions(client.id))
    sizes = {ex.attachment.name: ex.image_size for ex in built.layout.exhibits}
    assert len(sizes) == 16
    for name, (width, height) in sizes.items():
        assert (width > height) == name.startswith("landscape"), (name, width, height)
