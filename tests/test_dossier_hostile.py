"""Hostile content: huge bodies, unbreakable lines, scripts, markup, bad PDFs, huge photos."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers.bundles import pdf_pages_text

UNBREAKABLE = "x" * 5000
SCRIPTS = "Emoji 😀🔥 Hebrew שלום עולם Arabic مرحبا بالعالم Chinese 中文测试 Japanese 日本語 Korean 한국어"
MARKUP = "He wrote <b>bold</b> & <para>not a para</para> <font size=40>big</font> ]]> &amp; <br/>"


def _encrypted_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret"))
    return out.getvalue()


def _edge_to_edge_pdf() -> bytes:
    """Page 1 has text on its very last line; page 2 is rotated 90 degrees."""
    import pikepdf
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canv = Canvas(out, pagesize=(612, 792))
    canv.setFont("Helvetica", 10)
    canv.drawString(250, 4, "BOTTOMLINE of the original")
    canv.showPage()
    canv.drawString(72, 700, "ROTATEDPAGE original")
    canv.showPage()
    canv.save()
    pdf = pikepdf.open(io.BytesIO(out.getvalue()))
    pdf.pages[1].obj.Rotate = 90
    rotated = io.BytesIO()
    pdf.save(rotated)
    return rotated.getvalue()


def _photo(width: int, height: int, orientation: int | None = None) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (width, height), (200, 40, 40))
    img.paste((40, 40, 200), (width // 2, 0, width, height))  # left red, right blue
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.save(out, "JPEG", quality=60, exif=exif)
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    root = tmp_path_factory.mktemp("hostile")
    vault, _ = Vault.create(root / "vault", PASSPHRASE)
    client = vault.clients.add("Ünïcode & <Client> 客户")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def log(offset: int, kind: str, title: str, body: str) -> int:
        return vault.entries.log(client.id, EntryFields(kind, start + timedelta(days=offset), title, body)).id

    big_body = "\n".join(f"Line {i}: " + "lorem ipsum dolor sit amet " * 7 for i in range(1100))
    assert len(big_body) >= 200_000
    log(0, "note", "A very long note", big_body)
    log(1, "note", "An unbreakable line", UNBREAKABLE)
    log(2, "message", "Scripts: שלום 中文 😀", SCRIPTS)
    log(3, "complaint", "Markup <b>not bold</b> & co", MARKUP)
    crowd = tuple(f"Neighbour number {i} of Linden Avenue" for i in range(400))
    vault.entries.log(
        client.id,
        EntryFields(
            "meeting", start + timedelta(days=3, hours=1), "T" * 1000, "A crowded meeting.", participants=crowd
        ),
    )
    pdfs = log(4, "document", "Two bad PDFs and a text file", "See the attachments.")
    vault.attachments.add_stream(pdfs, io.BytesIO(_encrypted_pdf()), "locked.pdf")
    vault.attachments.add_stream(pdfs, io.BytesIO(b"%PDF-1.7\nthis is not really a PDF\n%%EOF\n"), "broken.pdf")
    vault.attachments.add_stream(pdfs, io.BytesIO(b"PK\x03\x04 not a real docx"), "notes.docx")
    vault.attachments.add_stream(pdfs, io.BytesIO(_edge_to_edge_pdf()), "edge-to-edge.pdf")
    photos = log(5, "photo", "A huge photo and a rotated one", "12 000 × 9 000 pixels; and one shot sideways.")
    vault.attachments.add_stream(photos, io.BytesIO(_photo(12_000, 9_000)), "huge.jpg")
    vault.attachments.add_stream(
        photos,
        io.BytesIO(_photo(400, 200, orientation=6)),
        "sideways.jpg",
        metadata={"exif_taken": "2026:03:06 08:59:00", "gps": {"lat": 41.88, "lon": -87.63}},
    )
    truncated = _photo(1200, 900)
    vault.attachments.add_stream(photos, io.BytesIO(truncated[: len(truncated) // 3]), "truncated.jpg")
    result = export_dossier(vault, DossierOptions(client.id), root / "out")
    vault.lock()
    return result


def test_hostile_content_is_all_in_the_pdf(hostile) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(pdf_pages_text(hostile.pdf_path))
    flat = re.sub(r"\s+", "", text)
    assert "Line 1099:" in text  # the end of the 200 KB body
    assert "Neighbour number 399 of Linden Avenue" in text  # 400 participants, over a page of them
    assert flat.count("x" * 50) >= 5000 // 50 - 2  # the unbreakable line, wrapped, not cut
    # pdfium knows the standard CJK character maps, which poppler needs a language pack for.
    pdfium_text = _pdfium_text(hostile.pdf_path)
    assert "😀🔥" in pdfium_text  # DejaVu draws 😀, Symbola (fonts-symbola) 🔥
    for word in ("שלום", "مرحبا", "中文测试", "日本語", "한국어"):
        assert word in pdfium_text or word[::-1] in pdfium_text, word  # RTL may come out in visual order
    assert "<b>bold</b> & <para>not a para</para>" in text
    assert "Ünïcode & <Client> 客户" in pdfium_text
    assert (
        "Recorded metadata: Taken (camera clock): 2026-03-06 08:59:00 · Location: latitude 41.88, longitude -87.63"
        in pdfium_text
    )


def _pdfium_text(pdf_path: Path) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_bad_pdfs_and_unknown_files_are_natives_with_a_reason(hostile) -> None:  # type: ignore[no-untyped-def]
    import json

    with zipfile.ZipFile(hostile.zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        natives = {ex["file_name"]: ex for ex in manifest["exhibits"]}
        assert zf.read(natives["locked.pdf"]["native_path"]) == _encrypted_pdf_bytes_in(zf, natives)
    assert natives["locked.pdf"]["rendered_as"] == "native" and "encrypted" in natives["locked.pdf"]["note"]
    assert natives["broken.pdf"]["rendered_as"] == "native" and "damaged" in natives["broken.pdf"]["note"]
    assert natives["notes.docx"]["rendered_as"] == "native"
    text = re.sub(r"\s+", " ", "\n".join(pdf_pages_text(hostile.pdf_path)))
    assert "This exhibit is produced as a native file: the PDF is encrypted" in text
    assert "This exhibit is produced as a native file: the PDF is damaged" in text
    assert natives["huge.jpg"]["rendered_as"] == "image"
    assert "could not be decoded" in natives["truncated.jpg"]["note"]
    assert "This image could not be decoded" in text


def _encrypted_pdf_bytes_in(zf: zipfile.ZipFile, natives: dict) -> bytes:  # type: ignore[type-arg]
    """The bundle holds the original bytes, whatever the dossier could make of them."""
    import hashlib

    data = zf.read(natives["locked.pdf"]["native_path"])
    assert hashlib.sha256(data).hexdigest() == natives["locked.pdf"]["sha256"]
    return data


def test_photos_are_downscaled_and_turned_upright(hostile) -> None:  # type: ignore[no-untyped-def]
    import pikepdf

    sizes = []
    with pikepdf.open(hostile.pdf_path) as pdf:
        for page in pdf.pages:
            for _name, xobject in page.resources.get("/XObject", {}).items():
                if xobject.get("/Subtype") == "/Image":
                    sizes.append((int(xobject.Width), int(xobject.Height)))
    assert len(sizes) == 2  # the truncated photo has a note instead of pixels
    huge, sideways = sizes
    assert max(huge) <= 1500 and huge[0] > huge[1]  # downscaled once, landscape kept
    assert sideways[1] > sideways[0]  # EXIF orientation 6: shown portrait


def test_the_hostile_bundle_verifies(hostile, cli) -> None:  # type: ignore[no-untyped-def]
    cli.ok("verify-bundle", str(hostile.zip_path))


def test_rendered_pages_are_not_blank(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The scripts page, rendered by poppler, has ink on it (the fonts are embedded)."""
    import subprocess

    from PIL import Image

    pages = pdf_pages_text(hostile.pdf_path)
    page = next(i for i, p in enumerate(pages, start=1) if "Arabic" in p and "Korean" in p)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), str(hostile.pdf_path), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 2000


def test_bundle_names_are_safe_and_unique() -> None:
    from app.dossier.exhibits import safe_bundle_name

    assert safe_bundle_name(1, "../../etc/passwd") == "exhibits/EX0001_etc_passwd"
    assert safe_bundle_name(2, "C:\\Users\\x\\photo 1.JPG") == "exhibits/EX0002_C_Users_x_photo_1.JPG"
    assert safe_bundle_name(3, "Überweisung €.pdf") == "exhibits/EX0003_Uberweisung.pdf"
    assert safe_bundle_name(4, "写真.jpg") == "exhibits/EX0004_file.jpg"  # the extension survives any script
    assert safe_bundle_name(6, "صورة-الضرر.jpg") == "exhibits/EX0006_file.jpg"
    assert safe_bundle_name(7, "CON.txt.") == "exhibits/EX0007_CON.txt"
    assert len(safe_bundle_name(8, "a" * 500 + ".jpeg")) <= 200
    assert safe_bundle_name(5, "...") == "exhibits/EX0005_file"
    assert len({safe_bundle_name(n, "same.pdf") for n in range(1, 50)}) == 49


def test_the_stamp_never_covers_an_appended_page(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The original's last line stays above the Bates stamp (the page is shrunk to make room)."""
    import subprocess

    html = subprocess.run(
        ["pdftotext", "-bbox", str(hostile.pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = html.split("<page ")[1:]
    page = next(p for p in pages if ">BOTTOMLINE<" in p)
    words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<', page)
    bottom = next(float(y_max) for _y_min, y_max, word in words if word == "BOTTOMLINE")
    stamp = next(float(y_min) for y_min, _y_max, word in words if word.startswith("CF-"))
    assert bottom < stamp  # y grows downwards in pdftotext's boxes
    rotated = next(p for p in pages if ">ROTATEDPAGE<" in p)
    assert re.search(r">CF-\d{6}<", rotated)


def test_exhibit_pages_say_which_exhibit_and_page_and_photos_say_reduced(hostile) -> None:  # type: ignore[no-untyped-def]
    pages = pdf_pages_text(hostile.pdf_path)
    marked = [page for page in pages if re.search(r"Exhibit \d+, page \d+ of \d+", page)]
    # The edge-to-edge PDF: its slip page and both appended pages, as pages 1-3 of 3.
    edge = [page for page in marked if re.search(r"Exhibit \d+, page \d of 3", page)]
    assert len(edge) >= 3 and any("ROTATEDPAGE" in page for page in edge)
    flat = re.sub(r"\s+", " ", "\n".join(pages))
    assert re.search(r"Reduced copy; the original 12000 × 9000 pixel file is native exhibits/EX\d{4}_huge\.jpg", flat)
    assert all(not re.search(r"Exhibit \d+, page", page) for page in pages[:3])  # not on the cover and contents


def test_hostile_emails_kept_as_plain_files_are_natives_in_the_dossier(tmp_path: Path) -> None:
    """What import kept as a plain file for its header or MIME tree (100 000 addresses,
    16 000 encoded words, 10 000 nested parts) is not handed to the stdlib parser at
    export either (the export ran for more than 10 minutes): a native with the reason."""
    import json

    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.ingest.importer import import_path
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    head = b"From: a@example.com\nDate: Mon, 1 Jan 2024 10:00:00 +0100\n"
    files = {
        "to.eml": head + b"To: " + b", ".join(b"u%d@example.com" % i for i in range(100_000)) + b"\n\nx\n",
        "words.eml": head + b"Subject: " + b" ".join([b"=?utf-8?b?YWJj?="] * 16_000) + b"\n\nx\n",
        "deep.eml": head
        + b"Subject: nest\n"
        + b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(10_000))
        + b"Content-Type: text/plain\n\nhi\n",
        "fine.eml": head + b"To: b@example.com\nSubject: An ordinary message\n\nPay the invoice.\n",
    }
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    client = vault.clients.add("Acme")
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        assert import_path(vault, client.id, tmp_path / name).status == "imported"
    result = export_dossier(vault, DossierOptions(client.id), tmp_path / "out")
    vault.lock()
    with zipfile.ZipFile(result.zip_path) as zf:
        exhibits = {ex["file_name"]: ex for ex in json.loads(zf.read("manifest.json"))["exhibits"]}
    assert exhibits["fine.eml"]["rendered_as"] == "email"
    for name, why in (("to.eml", "header is over"), ("words.eml", "encoded words"), ("deep.eml", "nested more than")):
        assert exhibits[name]["rendered_as"] == "native", exhibits[name]
        assert "not laid out on paper" in exhibits[name]["note"] and why in exhibits[name]["note"], exhibits[name]
    text = re.sub(r"\s+", " ", "\n".join(pdf_pages_text(result.pdf_path)))
    assert "This exhibit is produced as a native file: the email is not laid out on paper" in text
    assert "Pay the invoice." in text
