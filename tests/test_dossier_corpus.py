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
