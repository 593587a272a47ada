"""The dossier's layout shortcuts change nothing a reader sees.

A part printed twice (front, exhibit index, back) is first only measured, without
drawing: it must land on the same pages, with every heading on the same page, as
when it is drawn. A paragraph keeps its lines between two wraps at the same width
(a table measures a cell, then wraps it again to draw it) and breaks them again at
another width."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from app.demo import build_demo_vault
    from app.dossier.export import build_dossier_pdf
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    root = tmp_path_factory.mktemp("passes")
    build_demo_vault(root / "vault", PASSPHRASE)
    vault = Vault.open(root / "vault", PASSPHRASE)
    client = vault.clients.resolve("Gerald")
    start = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    for i in range(60):  # a chronology and a contents that run over several pages
        fields = EntryFields("note", start + timedelta(hours=7 * i), f"Site visit {i}", "The grout cracked. " * 30)
        entry = vault.entries.log(client.id, fields)
        if i % 20 == 0:
            vault.attachments.add_stream(entry.id, io.BytesIO(b"%d\n" % i), f"note-{i}.txt")
    result = build_dossier_pdf(vault, DossierOptions(client.id))
    yield vault, result
    vault.lock()


def test_a_measured_part_lands_on_the_pages_a_drawn_one_does(built) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.pdf import PARTS, Piece, lay_out

    _vault, result = built
    layout = result.layout
    checked = 0
    for index, (sections, twice) in enumerate(PARTS):
        if not twice:
            continue
        runs = {}
        for measure in (True, False):
            laid = lay_out(layout, Piece(index), measure=measure)
            runs[measure] = (laid.pages, laid.recorded.pages, laid.recorded.outline, len(laid.pdf))
        measured, drawn = runs[True], runs[False]
        assert measured[0] == drawn[0] > 0, sections
        assert measured[1] == drawn[1] and measured[1], sections  # every heading on the same page
        assert measured[2] == drawn[2], sections
        assert measured[3] < drawn[3], "the measuring pass drew the pages"
        checked += 1
    assert checked == 3
    assert result.pages > 10


def test_the_contents_page_numbers_are_where_the_sections_are(built) -> None:  # type: ignore[no-untyped-def]
    import re

    import pypdfium2

    _vault, result = built
    pdf = pypdfium2.PdfDocument(result.pdf)
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    contents = next(t for t in texts if "Contents" in t and "Chronology" in t)
    for title in ("Summary", "Chronology", "Entries in full", "Integrity appendix"):
        found = re.search(rf"{re.escape(title)}\s+(\d+)\s", contents)
        assert found, title
        page = int(found.group(1))
        assert title in texts[page - 1].replace("\r", "").replace("\n", " "), (title, page)


def test_a_paragraph_keeps_its_lines_at_one_width_and_rewraps_at_another() -> None:
    from app.dossier.text import para, styles

    p = para("words that wrap " * 40, styles()["body"])
    _w, wide = p.wrap(400, 1e6)
    lines = p.blPara
    assert p.wrap(400, 1e6)[1] == wide and p.blPara is lines  # kept, not broken again
    _w, narrow = p.wrap(200, 1e6)
    assert narrow > wide and p.blPara is not lines
    assert p.wrap(400, 1e6)[1] == wide
    head, tail = p.split(400, 3 * 13)  # split across a page: both halves wrap afresh
    assert head.wrap(400, 1e6)[1] == 3 * 13
    assert tail.wrap(400, 1e6)[1] == wide - 3 * 13
    assert p.split(400, 5) == [] and p.wrap(400, 1e6)[1] == wide  # a refused split dropped the lines


def test_a_part_laid_out_with_reused_parsing_reads_as_one_parsed_afresh(built) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2

    from app.dossier.pdf import Piece, lay_out

    _vault, result = built
    layout = result.layout

    def read(data: bytes) -> list[str]:
        pdf = pypdfium2.PdfDocument(data)
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]

    front = Piece(0)
    fresh = lay_out(layout, front)
    parsed: dict[object, object] = {}
    lay_out(layout, front, measure=True, parsed=parsed)  # fills it, as the first pass does
    assert len(parsed) > 100  # the chronology's and the contents' cells
    reused = lay_out(layout, front, parsed=parsed)
    assert reused.pages == fresh.pages
    assert read(reused.pdf) == read(fresh.pdf)
    assert "Chronology" in "".join(read(reused.pdf))


def test_reused_parsing_gives_each_paragraph_its_own_fragments() -> None:
    from app.dossier.bidi import reuse_parsing
    from app.dossier.text import para, styles

    store: dict[tuple[str, int], tuple[object, str, list[object]]] = {}
    with reuse_parsing(store):
        first = para("Invoice <b> & 'quotes' 42", styles()["cell"])
        second = para("Invoice <b> & 'quotes' 42", styles()["cell"])
        other = para("Invoice <b> & 'quotes' 42", styles()["body"])  # another style: parsed on its own
    assert len(store) == 2
    def text(p: object) -> str:
        return "".join(f.text for f in p.frags)  # type: ignore[attr-defined]

    assert text(first) == text(second) == "Invoice <b> & 'quotes' 42"
    assert all(a is not b for a, b in zip(first.frags, second.frags, strict=True))
    second.frags[0].text = "changed"
    third = para("Invoice <b> & 'quotes' 42", styles()["cell"])  # no store: parsed afresh
    assert text(first) == text(third) == "Invoice <b> & 'quotes' 42"
    assert other.frags[0].fontSize != first.frags[0].fontSize
