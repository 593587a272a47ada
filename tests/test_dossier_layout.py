"""Layout never fails on content: 500 attachments, 5 000 recipients, a 1 MB body,
a header line that never ends, table cells taller than a page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers.bundles import pdf_pages_text

CROWD = tuple(f"person{i}@example.com" for i in range(5000))


def _crowd_email() -> bytes:
    return (
        "From: Gerald <gerald@example.com>\r\nTo: "
        + ", ".join(CROWD)
        + "\r\nSubject: "
        + "S" * 1_000_000
        + "\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nThe body of the crowded email.\r\n"
    ).encode()


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    root = tmp_path_factory.mktemp("crowded")
    vault, _ = Vault.create(root / "vault", PASSPHRASE)
    client = vault.clients.add("Crowded Client")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def log(days: int, kind: str, title: str, body: str, **kw: object) -> int:
        fields = EntryFields(kind, start + timedelta(days=days), title, body, **kw)  # type: ignore[arg-type]
        return vault.entries.log(client.id, fields).id

    many = log(0, "document", "Five hundred files", "Each file is a short note.")
    for i in range(500):
        vault.attachments.add_stream(many, io.BytesIO(f"note {i}\n".encode()), f"note-{i:03d}.txt")
    log(1, "email", "Five thousand participants", "A mailing.", participants=CROWD)
    mail = log(2, "email", "The crowded email", "See the exhibit.")
    vault.attachments.add_stream(mail, io.BytesIO(_crowd_email()), "crowded.eml")
    body = "y" * 1_000_000 + " END-OF-THE-MEGABYTE"
    log(3, "note", "T" * 1000, body)
    noted = log(4, "note", "A revised note", "First wording.")
    vault.entries.revise(
        noted,
        EntryFields("note", start + timedelta(days=4), "A revised note", "Second wording."),
        note="because " * 620 + "END-OF-THE-NOTE",
    )
    vault.clients.set_status(client.id, "watch", "reason " * 700 + "END-OF-THE-REASON")
    result = export_dossier(vault, DossierOptions(client.id), root / "out")
    vault.lock()
    return result


def test_every_kind_of_oversized_content_exports(crowded) -> None:  # type: ignore[no-untyped-def]
    pages = pdf_pages_text(crowded.pdf_path)
    assert crowded.exhibits == 501 and len(pages) == crowded.pages
    text = "\n".join(pages)
    flat = re.sub(r"\s+", "", text)
    # The chronology names the 500 exhibits as a range, the entry in full lists them all.
    assert "1–50" in text  # "1–500", wrapped in its narrow column
    assert "Exhibit500(note-499.txt)" in flat
    # The 5 000 participants are all in the entry in full (the chronology cell is cut).
    assert "person4999@example.com" in flat
    assert "(5000inall;seetheentry)" in flat
    # An email whose header never ends is not laid out: it is produced as a native file, with
    # the reason and a pointer to the original bytes (the same limits as at import).
    assert "Thisexhibitisproducedasanativefile:theemailisnotlaidoutonpaper:itsheaderisover" in flat
    assert "Theoriginalbytesareinthebundleatexhibits/EX0501_crowded.eml" in flat
    # A 1 MB body is there to its last word; the 1 000-character title is cut in the
    # heading and the chronology, given in full below the heading.
    assert "END-OF-THE-MEGABYTE" in text
    assert "Titleinfull:" in flat and "T" * 1000 in flat
    # Cells taller than a page (a revision note, a status change's reason) continue
    # on the next page: nothing is lost.
    assert "END-OF-THE-NOTE" in flat and "END-OF-THE-REASON" in flat


def test_a_row_taller_than_a_page_is_split_into_rows_that_fit() -> None:
    from app.dossier.bounded import MAX_ROW_HEIGHT, number_ranges, split_tall_rows
    from app.dossier.sections import PAD_X, PAD_Y, cells, row_height

    widths = [60.0, 200.0]
    rows = [cells("short", "word " * 3000 + "LAST")]
    heights = [row_height(row, widths) for row in rows]
    assert heights[0] > 3 * MAX_ROW_HEIGHT
    split, split_heights = split_tall_rows(rows, widths, heights, PAD_X, PAD_Y)
    assert len(split) >= 3 and all(h <= MAX_ROW_HEIGHT for h in split_heights)
    assert sum(split_heights) >= heights[0] - len(split) * 2 * PAD_Y
    assert number_ranges([7, 1, 2, 3, 5, 8, 9, 9]) == "1–3, 5, 7–9"


def test_every_font_is_embedded_with_cjk_and_hangul(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.dossier.text import cjk_font
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    assert cjk_font() == "CasefileCJK", "install fonts-droid-fallback (scripts/install-system-deps.sh)"
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    client = vault.clients.add("客户 김민수")
    when = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    vault.entries.log(
        client.id, EntryFields("note", when, "中文测试 日本語 한국어", "他说：我们明天再谈。 안녕하세요.")
    )
    result = export_dossier(vault, DossierOptions(client.id), tmp_path / "out")
    vault.lock()
    listing = subprocess.run(["pdffonts", str(result.pdf_path)], capture_output=True, text=True, check=True).stdout
    fonts = listing.splitlines()[2:]
    assert any("DroidSansFallback" in line and line.split()[-5] == "yes" for line in fonts)
    assert any("NanumGothic" in line and line.split()[-5] == "yes" for line in fonts)
    # name, type, encoding, emb, sub, uni, object: every font embedded, the stamp's DejaVu too
    for line in fonts:
        assert line.split()[-5] == "yes", line
