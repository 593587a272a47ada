"""The production load files, read as a review platform would: the .dat's fields and an
email's family, the .opt page by page, the per-document PDFs and texts, the chronology
spreadsheet."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

THREAT = "If you don't refund me by Friday, my lawyer will take you to court."


def _pdf_bytes(text: str, pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for n in range(pages):
        c.drawString(72, 720, f"{text} page {n + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def _jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 120, 160)).save(out, "JPEG")
    return out.getvalue()


def _email(tmp_path: Path) -> Path:
    msg = EmailMessage()
    msg["From"] = "Gerald Whitmore <gerald@whitmore.example>"
    msg["To"] = "Sam Rivera <sam@bright.example>"
    msg["Cc"] = "Counsel <law@lee.example>"
    msg["Subject"] = "Refund or court"
    msg["Date"] = "Mon, 09 Mar 2026 09:15:00 -0400"
    msg["Message-ID"] = "<threat-1@whitmore.example>"
    msg.set_content(THREAT)
    msg.add_attachment(_pdf_bytes("Invoice dispute", 2), maintype="application", subtype="pdf", filename="dispute.pdf")
    msg.add_attachment(_jpeg_bytes(), maintype="image", subtype="jpeg", filename="kitchen.jpg")
    path = tmp_path / "threat.eml"
    path.write_bytes(msg.as_bytes())
    return path


@pytest.fixture
def bundle(vault, tmp_path: Path):  # type: ignore[no-untyped-def]
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.ingest.importer import import_path
    from app.records.models import EntryFields

    vault.settings.set("display_timezone", "America/New_York")
    client = vault.clients.add("Gerald Whitmore", emails=["gerald@whitmore.example"])
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    vault.entries.log(client.id, EntryFields("call", start, "Call about the kitchen", participants=("Gerald",)))
    assert import_path(vault, client.id, _email(tmp_path)).status == "imported"
    note = vault.entries.log(client.id, EntryFields("note", start + timedelta(days=9), "=SUM(A1) is not a formula"))
    vault.entries.revise(note.id, EntryFields("note", start + timedelta(days=9), "=SUM(A1) is not a formula", body="x"))
    result = export_dossier(vault, DossierOptions(client.id, bates_prefix="LF"), tmp_path / "out")
    return result, zipfile.ZipFile(result.zip_path)


def _dat(zf: zipfile.ZipFile) -> list[dict[str, str]]:
    raw = zf.read("loadfile.dat")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as before
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[-1] == ""
    rows = [[v.removeprefix("þ").removesuffix("þ") for v in line.split("\x14")] for line in lines[:-1]]
    head = rows[0]
    assert all(len(r) == len(head) for r in rows)
    return [dict(zip(head, r, strict=True)) for r in rows[1:]]


def _number(bates: str) -> int:
    return int(bates.removeprefix("LF-"))


def test_the_dat_covers_every_page_once_with_the_full_field_list(bundle) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.loadfile import DAT_FIELDS

    result, zf = bundle
    assert "BEGBATES" in zf.read("loadfile.dat").decode("utf-8-sig").splitlines()[0]
    rows = _dat(zf)
    for name in ("BEGBATES", "ENDATTACH", "PARENT_BATES", "ATTACHMENT_BATES", "DOCTYPE", "TIMEZONE", "BCC",
                 "FILEEXT", "PAGECOUNT", "MD5HASH", "SHA256HASH", "TEXTPATH", "CONFIDENTIALITY", "DESCRIPTION"):  # fmt: skip
        assert name in DAT_FIELDS and name in rows[0]
    expected = 1
    for row in rows:  # no gap, no overlap, from the first page to the last
        assert _number(row["BEGBATES"]) == expected
        assert int(row["PAGECOUNT"]) == _number(row["ENDBATES"]) - _number(row["BEGBATES"]) + 1
        expected = _number(row["ENDBATES"]) + 1
    assert expected == result.pages + 1
    kinds = [r["DOCTYPE"] for r in rows]
    assert kinds.count("entry") == result.entries == 3
    assert kinds[0] == kinds[-1] == "report"
    assert sorted(k for k in kinds if k not in ("entry", "report")) == ["attachment", "attachment", "email"]


def test_an_email_and_its_attachments_form_a_family(bundle) -> None:  # type: ignore[no-untyped-def]
    _result, zf = bundle
    rows = _dat(zf)
    email = next(r for r in rows if r["DOCTYPE"] == "email")
    children = [r for r in rows if r["DOCTYPE"] == "attachment"]
    assert email["FROM"] == "Gerald Whitmore <gerald@whitmore.example>"
    assert email["TO"] == "Sam Rivera <sam@bright.example>" and email["CC"] == "Counsel <law@lee.example>"
    assert email["SUBJECT"] == "Refund or court" and email["FILEEXT"] == "eml"
    assert email["ATTACHMENT_BATES"] == ";".join(c["BEGBATES"] for c in children)
    assert email["BEGATTACH"] == email["BEGBATES"] and email["ENDATTACH"] == children[-1]["ENDBATES"]
    assert {c["FILENAME"] for c in children} == {"dispute.pdf", "kitchen.jpg"}
    for child in children:
        assert child["PARENT_BATES"] == email["BEGBATES"]
        assert (child["BEGATTACH"], child["ENDATTACH"]) == (email["BEGATTACH"], email["ENDATTACH"])
        native = zf.read(child["NATIVEPATH"])
        import hashlib

        assert child["MD5HASH"] == hashlib.md5(native).hexdigest()
        assert child["SHA256HASH"] == hashlib.sha256(native).hexdigest()
        assert child["FILESIZE"] == str(len(native))
    # The email entry (the business's record of it) points at nothing as parent, and its
    # exhibits name it; its date and time are in the business zone (9:15 EDT).
    entry = next(r for r in rows if r["DOCTYPE"] == "entry" and r["SUBJECT"] == "Refund or court")
    assert entry["PARENT_BATES"] == "" and email["ENTRY_BATES"] == entry["BEGBATES"]
    assert (entry["DATE"], entry["TIME"]) == ("03/09/2026", "09:15:00")
    assert entry["TIMEZONE"] == "America/New_York (UTC-04:00)"


def test_the_opt_has_one_line_per_page_and_documents_split_the_pdf(bundle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pikepdf

    result, zf = bundle
    rows = _dat(zf)
    opt = zf.read("loadfile.opt").decode("utf-8").split("\r\n")[:-1]
    assert len(opt) == result.pages
    assert [line.split(",")[0] for line in opt] == [f"LF-{n:06d}" for n in range(1, result.pages + 1)]
    breaks = [line.split(",") for line in opt if line.split(",")[3] == "Y"]
    assert [b[0] for b in breaks] == [r["BEGBATES"] for r in rows]
    total = 0
    for row, brk in zip(rows, breaks, strict=True):
        path = brk[2].replace("\\", "/")
        with pikepdf.open(io.BytesIO(zf.read(path))) as part:
            assert len(part.pages) == int(row["PAGECOUNT"]) == int(brk[6])
            total += len(part.pages)
        text = zf.read(row["TEXTPATH"]).decode("utf-8")
        assert text.strip(), row["TEXTPATH"]
    assert total == result.pages
    names = zf.namelist()
    assert (
        len([n for n in names if n.startswith("text/")])
        == len([n for n in names if n.startswith("documents/")])
        == len(rows)
    )
    # The texts say what the documents say.
    email = next(r for r in rows if r["DOCTYPE"] == "email")
    assert THREAT in zf.read(email["TEXTPATH"]).decode("utf-8")
    pdf_child = next(r for r in rows if r["FILENAME"] == "dispute.pdf")
    assert "Invoice dispute page 2" in zf.read(pdf_child["TEXTPATH"]).decode("utf-8")
    one = tmp_path / "one.pdf"
    one.write_bytes(zf.read(pdf_child["TEXTPATH"].replace("text/", "documents/").replace(".txt", ".pdf")))
    shown = subprocess.run(["pdftotext", str(one), "-"], capture_output=True, text=True, check=True).stdout
    assert "Invoice dispute page 1" in shown and pdf_child["BEGBATES"] in shown  # the stamped pages, copied


def test_the_chronology_exports_as_csv_and_xlsx_with_source_and_pin_cites(bundle) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    _result, zf = bundle
    rows = _dat(zf)
    table = list(csv.DictReader(io.StringIO(zf.read("chronology.csv").decode("utf-8-sig"))))
    assert [r["source"] for r in table] == ["phone call", "email received", "own observation"]
    call, email, note = table
    assert (call["date"], call["time"], call["zone"]) == ("2026-03-02", "10:00", "America/New_York (UTC-05:00)")
    assert call["own offset"] == "UTC+00:00"  # logged in UTC, printed in the business zone with its own beside it
    assert email["own offset"] == "" and email["time"] == "09:15"
    assert email["exhibits"] and email["exhibit Bates"].startswith("Ex. ")
    entry_docs = [r for r in rows if r["DOCTYPE"] == "entry"]
    assert [r["pin cite"].split(" – ")[0] for r in table] == [r["BEGBATES"] for r in entry_docs]
    assert note["revision"] == "rev. 2"
    sheet = load_workbook(io.BytesIO(zf.read("chronology.xlsx")), read_only=True)["Chronology"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:6] == ["date", "time", "zone", "own offset", "kind", "source"]
    assert [v[5] for v in values[1:]] == ["phone call", "email received", "own observation"]
    assert values[3][6] == "=SUM(A1) is not a formula"  # text, not a formula


def test_the_bundle_with_its_load_files_still_verifies(bundle) -> None:  # type: ignore[no-untyped-def]
    result, zf = bundle
    readme = zf.read("README.txt").decode("utf-8")
    assert "Windows" in readme and "macOS" in readme and "Linux" in readme and "Get-FileHash" in readme
    sums = zf.read("SHA256SUMS").decode("utf-8")
    for name in ("loadfile.dat", "loadfile.opt", "chronology.csv", "chronology.xlsx"):
        assert f"  {name}\n" in sums
    from app.dossier.verify_bundle import verify_bundle

    report = verify_bundle(result.zip_path)
    assert report.ok, report


def test_the_pdf_cross_references_both_ways_and_names_each_source(bundle) -> None:  # type: ignore[no-untyped-def]
    result, zf = bundle
    rows = _dat(zf)
    raw = subprocess.run(["pdftotext", str(result.pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(raw.split())  # reading order, cell by cell
    for source in ("phone call", "email received", "own observation"):
        assert source in text
    assert "(rev. 2)" in text
    assert "(own: 15:00 +00:00)" in text  # the call's own offset beside the business zone's time
    children = {r["FILENAME"]: r for r in rows if r["DOCTYPE"] == "attachment"}
    number = {name: int(r["DESCRIPTION"].split()[1]) for name, r in children.items()}
    # the email lists its attachments by exhibit number; the index points back to the entry's page
    assert f"dispute.pdf (Exhibit {number['dispute.pdf']})" in text
    assert f"kitchen.jpg (Exhibit {number['kitchen.jpg']})" in text
    entry = next(r for r in rows if r["DOCTYPE"] == "entry" and r["SUBJECT"] == "Refund or court")
    assert text.count(f"in full at {entry['BEGBATES']}") == 3  # the .eml and its two attachments


def test_money_is_summed_by_currency_with_refunds_and_discounts() -> None:
    from app.dossier.money import money_by_currency, money_rows
    from app.records.models import Entry, EntryFields, Retraction

    at = datetime(2026, 5, 1, tzinfo=UTC)

    def entry(
        n: int, kind: str, cents: int, currency: str = "USD", tags: tuple[str, ...] = (), gone: bool = False
    ) -> Entry:
        fields = EntryFields(kind, at, f"{kind} {n}", amount_cents=cents, currency=currency, tags=tags)
        return Entry(n, 1, at, 1, fields, at, retraction=Retraction("typo", at) if gone else None)

    entries = [
        entry(1, "agreement", 2_480_000),
        entry(2, "invoice", 992_000),
        entry(3, "invoice", 744_000),
        entry(4, "invoice", -50_000),  # a credit note
        entry(5, "payment", 992_000),
        entry(6, "payment", 10_000, tags=("refund",)),
        entry(7, "payment", 999_999, gone=True),  # retracted: not counted
        entry(8, "invoice", 30_000, currency="eur"),
        entry(9, "call", 12_345),  # an amount on a call is not money owed
    ]
    eur, usd = money_by_currency(entries)
    assert (usd.contracted, usd.invoiced, usd.discounts, usd.paid, usd.refunds) == (
        2_480_000,
        1_736_000,
        50_000,
        992_000,
        10_000,
    )
    assert usd.balance == 1_736_000 - 50_000 - 992_000 + 10_000
    assert (eur.currency, eur.invoiced, eur.balance) == ("EUR", 30_000, 30_000)
    table = dict((r[0], r[1:]) for r in money_rows([eur, usd]))
    assert table["Outstanding"] == ("300.00 EUR", "7,040.00 USD")
    overpaid = money_by_currency([entry(1, "invoice", 10_000), entry(2, "payment", 15_000)])
    assert dict((r[0], r[1]) for r in money_rows(overpaid))["Outstanding"] == "0.00 USD (overpaid by 50.00 USD)"


def test_the_bundle_is_made_without_temporary_files(request, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The chronology, the split documents and the text are assembled in memory: a temporary
    file would put the record in the clear outside the vault, if only for a moment (openpyxl and
    XlsxWriter's default mode assemble an .xlsx in the temp folder)."""
    import tempfile
    import time

    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    made: list[str] = []

    class Seen(FileSystemEventHandler):
        def on_created(self, event: FileSystemEvent) -> None:
            made.append(str(event.src_path))

    observer = Observer()
    observer.schedule(Seen(), str(temp), recursive=True)
    observer.start()
    try:
        _result, zf = request.getfixturevalue("bundle")  # the whole export, watched
        assert "chronology.xlsx" in zf.namelist()
        with tempfile.NamedTemporaryFile(prefix="probe-"):  # the watch itself sees a file made there
            pass
        deadline = time.monotonic() + 5
        while not any("probe-" in m for m in made) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        observer.stop()
        observer.join()
    assert [m for m in made if "probe-" not in m] == []
    assert any("probe-" in m for m in made)
