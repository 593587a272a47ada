"""The dossier in every script and with every kind of appended page: Arabic and
Hebrew read right to left and come out of the text layer in logical order, every
font is embedded (the Bates stamp's too), emoji are drawn or named the same way
everywhere, and appended pages with odd boxes or rotations keep all their content."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ARABIC_NAME = "محمد العلي"
HEBREW_SUBJECT = "הצעת מחיר לשיפוץ המטבח"
MIXED_NOTE = f"Called back; {ARABIC_NAME} said the invoice was wrong."
ARABIC_BODY = "اتصل العميل وقال إن الفاتورة خاطئة، ثم طلب خصما كبيرا على الأعمال."
UNDRAWABLE_EMOJI = "\U0001f97a"  # face with pleading eyes: in neither DejaVu nor Symbola
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")  # poppler wraps right-to-left runs in these

# (tag, page size, MediaBox, CropBox, /Rotate): the appended pages the stamp must not cover
ODD_PAGES = (
    ("ROTA", (612, 792), None, None, 90),
    ("ROTB", (612, 792), None, None, 180),
    ("ROTC", (612, 792), None, None, 270),
    ("CROP", (612, 792), None, (60, 80, 552, 712), 0),
    ("ORIG", (712, 892), (100, 100, 712, 892), None, 0),
    ("WIDE", (792, 612), None, None, 0),
)


def _odd_pdf() -> bytes:
    """One page per ODD_PAGES row, with a word in each corner of its visible box."""
    import pikepdf
    from reportlab.pdfgen import canvas

    from app.dossier.text import SANS, register_fonts

    register_fonts()
    out = io.BytesIO()
    canv = canvas.Canvas(out, initialFontName=SANS)  # embedded, so that pdffonts can be strict
    for tag, size, media, crop, _rotate in ODD_PAGES:
        canv.setPageSize(size)
        x0, y0, x1, y1 = crop or media or (0, 0, *size)
        canv.setFont(SANS, 11)
        canv.drawString(x0 + 4, y1 - 14, f"{tag}NW")
        canv.drawRightString(x1 - 4, y1 - 14, f"{tag}NE")
        canv.drawString(x0 + 4, y0 + 5, f"{tag}SW")
        canv.drawRightString(x1 - 4, y0 + 5, f"{tag}SE")
        canv.showPage()
    canv.save()
    pdf = pikepdf.open(io.BytesIO(out.getvalue()))
    for page, (_tag, _size, media, crop, rotate) in zip(pdf.pages, ODD_PAGES, strict=True):
        if media:
            page.obj.MediaBox = pikepdf.Array(media)
        if crop:
            page.obj.CropBox = pikepdf.Array(crop)
        if rotate:
            page.obj.Rotate = rotate
    data = io.BytesIO()
    pdf.save(data)
    return data.getvalue()


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    root = tmp_path_factory.mktemp("scripts")
    vault, _ = Vault.create(root / "vault", PASSPHRASE)
    client = vault.clients.add(ARABIC_NAME)
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def log(days: int, kind: str, title: str, body: str) -> int:
        return vault.entries.log(client.id, EntryFields(kind, start + timedelta(days=days), title, body)).id

    log(0, "email", HEBREW_SUBJECT, "שלום, מצורפת הצעת המחיר.")
    log(1, "call", "Call about the invoice", MIXED_NOTE)
    log(2, "note", "ملاحظة", ARABIC_BODY)
    log(3, "note", "中文测试 客户", "他说：我们明天再谈。")
    log(4, "message", f"Emoji 😀🔥 {UNDRAWABLE_EMOJI}", f"Sent 👍 and {UNDRAWABLE_EMOJI}.")
    pages = log(5, "document", "Odd pages", "Rotated, cropped and offset pages.")
    vault.attachments.add_stream(pages, io.BytesIO(_odd_pdf()), "odd-pages.pdf")
    vault.attachments.add_stream(pages, io.BytesIO(b"PK\x03\x04 a Word file's bytes"), "عقد-الإيجار.docx")
    result = export_dossier(vault, DossierOptions(client.id), root / "out")
    vault.lock()
    return result


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return BIDI_MARKS.sub("", out)


def test_arabic_and_hebrew_come_out_of_the_text_layer_in_logical_order(scripts) -> None:  # type: ignore[no-untyped-def]
    text = _text(scripts.pdf_path)
    assert ARABIC_NAME in text  # cover, running header, chronology
    assert text.count(ARABIC_NAME) >= 5
    assert HEBREW_SUBJECT in text
    assert ARABIC_BODY.split("،")[0] in text  # a whole Arabic sentence, lam-alef ligatures included
    assert "الأعمال" in text
    assert ARABIC_NAME[::-1] not in text and HEBREW_SUBJECT[::-1] not in text
    # poppler moves the space after a right-to-left run before it; the words are in order
    assert re.search("Called back;\\s*" + ARABIC_NAME + "\\s*said the invoice was wrong", text)


def test_arabic_is_shaped_and_drawn_right_to_left(scripts) -> None:  # type: ignore[no-untyped-def]
    """The glyphs on the page are the joined forms, in visual order: the content
    stream holds presentation forms (the ToUnicode maps them back to letters)."""
    import pikepdf

    from app.dossier.bidi import visual_order

    with pikepdf.open(scripts.pdf_path) as pdf:
        fonts = [f for page in pdf.pages for f in page.obj.Resources.get("/Font", {}).values()]
        maps = b"".join(f.ToUnicode.read_bytes() for f in fonts if "/ToUnicode" in f)
    # محمد starts with an initial-form meem: glyph U+FEE3, read back as U+0645
    assert re.search(rb"<[0-9A-F]{2}> <0645>", maps)
    # lam-alef (one glyph, drawn right to left) reads back as alef, lam: readers reverse the run
    assert b"<06270644>" in maps
    assert visual_order(["L", "", "R", "", "R", "", "L"], rtl_base=False) == [0, 1, 4, 3, 2, 5, 6]
    assert visual_order(["R", "", "R", "", "L", "", "L"], rtl_base=True) == [4, 5, 6, 3, 2, 1, 0]


def test_emoji_are_drawn_or_named_alike_in_every_section(scripts) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(scripts.pdf_path))
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    assert "😀🔥" in text and "👍" in text  # DejaVu and Symbola glyphs, in the text layer
    # chronology, entry title and entry body: the same name each time
    assert text.count("[emoji: face with pleading eyes]") >= 3
    assert UNDRAWABLE_EMOJI not in text and "[U+1F97A]" not in text


def test_every_font_is_embedded_the_bates_stamp_too(scripts) -> None:  # type: ignore[no-untyped-def]
    listing = subprocess.run(["pdffonts", str(scripts.pdf_path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    names = " ".join(row.split()[0] for row in rows)
    for expected in ("DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "Symbola"):
        assert expected in names, listing
    for row in rows:
        assert row.split()[-5] == "yes", row
    stamp = _stamp_fonts(scripts.pdf_path)
    assert "+DejaVuSans-Bold" in stamp and "+DejaVuSans " in stamp + " " and "Helvetica" not in stamp


def _stamp_fonts(pdf_path: Path) -> str:
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        return " ".join(
            str(font.get("/BaseFont"))
            for page in pdf.pages
            for name, font in page.obj.Resources.Font.items()
            if name.startswith("/CFStamp")
        )


def _words(pdf_path: Path, page: int) -> tuple[float, float, list[tuple[str, float, float, float, float]]]:
    """(width, height, [(word, xMin, yMin, xMax, yMax)]) of one page as displayed, y downwards."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    assert size
    words = [
        (m[4], float(m[0]), float(m[1]), float(m[2]), float(m[3]))
        for m in re.findall(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>', html
        )
    ]
    return float(size[1]), float(size[2]), words


def test_appended_pages_keep_every_corner_and_the_stamp_stays_outside(scripts) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.bundles import pdf_pages_text

    pages = pdf_pages_text(scripts.pdf_path)
    for tag, *_boxes, rotate in ODD_PAGES:
        number = next(i for i, text in enumerate(pages, start=1) if f"{tag}NW" in text)
        width, height, words = _words(scripts.pdf_path, number)
        if rotate in (90, 270):  # poppler gives the unrotated size, the words as shown
            width, height = height, width
        corners = [w for w in words if w[0].startswith(tag)]
        assert sorted(w[0] for w in corners) == sorted(f"{tag}{c}" for c in ("NE", "NW", "SE", "SW")), (tag, words)
        for _word, x0, y0, x1, y1 in corners:
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, (tag, corners, width, height)
        bates = [w for w in words if re.fullmatch(r"[A-Z]+-?\d{6}", w[0])]
        assert bates, (tag, words)
        bottom_of_original = max(w[4] for w in corners)
        assert bates[0][2] > bottom_of_original, (tag, bates, corners)  # below the original's content
        assert bates[0][4] <= height
        assert any(w[0] == "Exhibit" for w in words)


def test_exhibit_metadata_is_written_for_people(scripts) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.describe import media_type_name, metadata_text

    text = _text(scripts.pdf_path)
    index = text[text.index("Every attached file") :]
    assert "Type: PDF document" in index and "Type: Word document" in index
    assert "chosen in the file picker" in re.sub(r"\s+", " ", index)  # the source, not its code
    for internal in ("application/", "message/rfc822", "None", "picker,", "exif_"):
        assert internal not in text, internal
    assert media_type_name("image/jpeg") == "JPEG photo" and media_type_name("message/rfc822") == "Email message"
    assert media_type_name("application/octet-stream", "plan.DOCX") == "Word document"
    assert media_type_name(None, "scan.xyz") == "XYZ file" and media_type_name("", "") == "File"
    shown = metadata_text({"exif_taken": "2026:03:06 08:59:00", "camera_model": None, "derivatives": {"a": 1}})
    assert shown == "Taken (camera clock): 2026-03-06 08:59:00"


def test_content_streams_are_encoded_to_the_same_bytes_as_reportlab_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """app/dossier/text.py replaces reportlab's ``pdfdocEnc`` (a charmap codec: 0.33 s of an
    800-page dossier) with the ASCII codec where that gives the same bytes: every character alone
    and mixed, then a whole PDF with text in several scripts, byte for byte."""
    import random

    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfdoc
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from app.dossier.text import _pdfdoc_encoded, register_fonts, styles

    def reportlabs(value: Any) -> Any:  # reportlab's own, as released
        return value.encode("extpdfdoc") if isinstance(value, str) else value

    def same(text: str) -> None:
        try:
            expected: Any = reportlabs(text)
        except UnicodeEncodeError:
            expected = UnicodeEncodeError
        try:
            got: Any = _pdfdoc_encoded(text)
        except UnicodeEncodeError:
            got = UnicodeEncodeError
        assert got == expected, repr(text)

    rng = random.Random(17)
    for code in range(0x300):
        same(chr(code))
        same(f"BT /F1 12 Tf (x{chr(code)}y) Tj ET\n")
    for _ in range(2000):
        same("".join(chr(rng.choice((rng.randrange(0x20, 0x7F), rng.randrange(0x100)))) for _ in range(40)))
    assert _pdfdoc_encoded(b"\x18 bytes pass") == b"\x18 bytes pass"

    register_fonts()
    monkeypatch.setattr(rl_config, "invariant", 1)  # no dates or random ids in the file
    s = styles()

    def build() -> bytes:
        out = io.BytesIO()
        story = [Paragraph(t, s["body"]) for t in ("Plain words (and parentheses)", "Ünïcödé – “quotes”", "שלום", "中文")]
        SimpleDocTemplate(out, pagesize=A4).build(story * 20)
        return out.getvalue()

    monkeypatch.setattr(pdfdoc, "pdfdocEnc", reportlabs)
    theirs = build()
    monkeypatch.setattr(pdfdoc, "pdfdocEnc", _pdfdoc_encoded)
    assert build() == theirs
