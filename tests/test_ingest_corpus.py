"""Importing the shared corpus: real emails, Outlook messages and camera photos."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from app.ingest.importer import import_path, import_paths
from tests.conftest import CORPUS, PASSPHRASE

EML = CORPUS / "email" / "eml"
ORIENTATION = CORPUS / "images" / "jpeg" / "orientation"
MESSAGE_ID_000 = "<NDBBIAKOPKHFGPLCODIGKEKECHAA.doug@example.com>"


@pytest.fixture
def client(vault):  # type: ignore[no-untyped-def]
    return vault.clients.add("Gerald Whitmore")


@pytest.fixture(scope="module")
def corpus_import(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The whole corpus imported once for this module's read-only checks."""
    from app.vault import Vault

    vault, _ = Vault.create(tmp_path_factory.mktemp("corpus") / "vault", PASSPHRASE)
    client = vault.clients.add("Gerald Whitmore")
    results = import_paths(vault, client.id, [CORPUS])
    yield vault, {Path(r.path).name: r for r in results}
    vault.lock()


@pytest.fixture
def imported(corpus_import):  # type: ignore[no-untyped-def]
    return corpus_import[1]


@pytest.fixture
def cvault(corpus_import):  # type: ignore[no-untyped-def]
    return corpus_import[0]


def _entry(vault, results, name):  # type: ignore[no-untyped-def]
    result = results[name]
    assert result.status == "imported", result.line()
    return vault.entries.get(result.entry_ids[0])


def test_every_corpus_file_imports_or_is_refused_with_a_reason(cvault, imported) -> None:
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    assert len(imported) == len(files)
    for result in imported.values():
        assert result.status in ("imported", "refused")
        if result.status == "refused":
            assert result.reason
    assert all(r.status == "imported" for r in imported.values())
    assert cvault.verify().ok


def test_email_headers_are_read_with_their_own_offset(cvault, imported) -> None:
    entry = _entry(cvault, imported, "000.eml")
    assert entry.kind == "email"
    assert entry.title == "Test message from Microsoft Outlook 00"
    assert entry.occurred_at.isoformat() == "2000-05-17T19:35:05-04:00"
    assert "Doug Sauder <doug@example.com>" in entry.fields.participants
    original = cvault.attachments.for_entry(entry.id)[0]
    assert original.media_type == "message/rfc822"
    assert original.metadata["message_id"] == MESSAGE_ID_000
    assert original.metadata["date_source"] == "Date header"


def test_encoded_and_raw_8bit_headers_decode(cvault, imported) -> None:
    assert _entry(cvault, imported, "010.eml").title == "Die Hasen und die Frösche"  # raw ISO-8859-1 bytes
    assert _entry(cvault, imported, "034.eml").title == "Die Hasen und die Frösche"  # UTF-7
    assert "Jürgen Schmürgen" in " ".join(_entry(cvault, imported, "016.eml").fields.participants)


def test_attachment_counts_match_the_mime_structure(cvault, imported) -> None:
    # the original message plus its MIME attachments
    expected = {"000.eml": 2, "008.eml": 4, "015.eml": 5, "014.eml": 1, "rfc-004.eml": 3}
    for name, count in expected.items():
        entry = _entry(cvault, imported, name)
        assert len(cvault.attachments.for_entry(entry.id)) == count, name
    names = [a.name for a in cvault.attachments.for_entry(_entry(cvault, imported, "008.eml").id)]
    assert names[1:] == ["blueball.png", "greenball.png", "redball.png"]


def test_missing_date_falls_back_to_the_file_time_and_says_so(cvault, imported) -> None:
    result = imported["rfc-002.eml"]
    assert any("no Date header" in n for n in result.notes)
    entry = _entry(cvault, imported, "rfc-002.eml")
    mtime = (EML / "rfc-002.eml").stat().st_mtime
    assert abs(entry.occurred_at.timestamp() - mtime) < 1


def test_outlook_messages_give_the_same_entry_as_eml(cvault, imported) -> None:
    entry = _entry(cvault, imported, "unicode.msg")
    assert entry.kind == "email"
    assert entry.title == "Test for TIF files"
    assert entry.occurred_at.utcoffset() == timedelta(hours=2)
    atts = cvault.attachments.for_entry(entry.id)
    assert [a.name for a in atts[1:]] == ["import OleFileIO.tif", "raised value error.tif"]
    assert atts[0].metadata["message_id"].startswith("<CADtJ4eN")
    assert "no readable sent date" in imported["strangeDate.msg"].notes[0]


def test_exif_time_with_offset_camera_and_gps(cvault, imported) -> None:
    heic = _entry(cvault, imported, "IMG_5195.HEIC")
    assert heic.kind == "photo"
    assert heic.occurred_at.isoformat() == "2021-04-11T15:47:53-05:00"
    meta = cvault.attachments.for_entry(heic.id)[0].metadata
    assert meta["camera_model"] == "iPhone 11 Pro Max"
    assert meta["gps"]["latitude"] == pytest.approx(39.0513, abs=1e-3)
    nikon = cvault.attachments.for_entry(_entry(cvault, imported, "DSCN0010.jpg").id)[0].metadata
    assert nikon["camera_make"] == "NIKON"
    assert nikon["gps"]["longitude"] == pytest.approx(11.885, abs=1e-3)


def test_heic_decodes_into_upright_thumbnails(cvault, imported) -> None:
    att = cvault.attachments.for_entry(_entry(cvault, imported, "IMG_5195.HEIC").id)[0]
    big = Image.open(io.BytesIO(cvault.attachments.derivative(att.sha256, "thumb1600")))
    assert big.format == "JPEG" and max(big.size) == 1600 and big.height > big.width
    small = Image.open(io.BytesIO(cvault.attachments.derivative(att.sha256, "thumb256")))
    assert max(small.size) == 256


def _is_upright(thumb: Image.Image, reference: Image.Image) -> bool:
    """Compare a thumbnail with the orientation-1 sample scaled the same way."""
    ref = reference.convert("L").resize((32, 32))
    got = thumb.convert("L").resize((32, 32))
    diff = sum(abs(a - b) for a, b in zip(ref.tobytes(), got.tobytes(), strict=True)) / (32 * 32)
    return diff < 20


@pytest.mark.parametrize("shape", ["landscape", "portrait"])
def test_all_eight_orientations_stand_upright(cvault, imported, shape: str) -> None:
    reference = Image.open(ORIENTATION / f"{shape}_1.jpg")
    for n in range(1, 9):
        att = cvault.attachments.for_entry(_entry(cvault, imported, f"{shape}_{n}.jpg").id)[0]
        thumb = Image.open(io.BytesIO(cvault.attachments.derivative(att.sha256, "thumb256")))
        assert (thumb.width > thumb.height) == (shape == "landscape"), f"{shape}_{n}"
        assert _is_upright(thumb, reference), f"{shape}_{n} is not upright"


def test_same_bytes_twice_are_recognised_not_stored_again(vault, client) -> None:
    first = import_path(vault, client.id, EML / "000.eml")
    second = import_path(vault, client.id, EML / "000.eml")
    assert first.status == "imported" and second.status == "duplicate"
    assert second.entry_ids == first.entry_ids
    assert vault.entries.count() == 1
    other = vault.clients.add("Another client")
    third = import_path(vault, other.id, EML / "000.eml")
    assert third.status == "imported" and third.linked_entry_ids == first.entry_ids
    blobs = vault.db.scalar("SELECT count(*) FROM blobs")
    assert blobs == 2  # the message and its one PNG, each stored once


def test_pdf_text_is_searchable(vault, client, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(200, 200)
    pdf.save(tmp_path / "contract.pdf")
    result = import_path(vault, client.id, tmp_path / "contract.pdf")
    assert result.status == "imported"
    att = vault.attachments.for_entry(result.entry_ids[0])[0]
    assert att.media_type == "application/pdf" and att.metadata["pages"] == 1
    (tmp_path / "note.txt").write_text("The client refused the invoice on Tuesday.")
    text_result = import_path(vault, client.id, tmp_path / "note.txt")
    assert vault.entries.get(text_result.entry_ids[0]).kind == "document"
    assert [h.entry_id for h in vault.search("refused invoice")] == list(text_result.entry_ids)
