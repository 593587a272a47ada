"""Screenshots and scans get machine-read text: offline OCR, stored as a derivative, searchable."""

from __future__ import annotations

import threading
from pathlib import Path

from app.ingest.importer import import_path
from app.ingest.ocr import LABEL, candidates, ocr_text, run_ocr
from tests.helpers.screens import FONTS, chat_screenshot, letter_photo


def test_key_words_in_screenshots_are_found_by_search_after_ocr(vault, tmp_path: Path) -> None:
    client_id = vault.clients.add("Gerald Whitmore").id
    files = {
        "bubbles.png": chat_screenshot(
            [
                (False, "The tiles are cracked again"),
                (True, "I can come Thursday"),
                (False, "Refund or my lawyer calls"),
            ]
        ),
        "dark.png": chat_screenshot(
            [(False, "Pay the deposit back today"), (True, "Invoice 4471 is attached")],
            dark=True,
            font=FONTS[1],
            size=34,
        ),
        "letter.jpg": letter_photo(["FINAL NOTICE", "Balance owed: 1,250.00", "Small claims court next week"], size=30),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        assert import_path(vault, client_id, tmp_path / name).status == "imported"
    before_events = len(vault.events())
    assert not vault.search("lawyer")  # pixels only, before OCR
    assert len(candidates(vault, client_id)) == 3

    cancel = threading.Event()
    cancel.set()
    assert run_ocr(vault, client_id, cancel=cancel).remaining == 3  # stopped before the first: nothing done

    outcome = run_ocr(vault, client_id)
    assert outcome.done == 3 and outcome.with_text == 3 and not outcome.failed
    # (a monospaced line may lose its spaces, "Smallclaims court": words are chosen to be robust to it)
    for words in ("lawyer", "Thursday", "deposit", "Invoice 4471", "Balance owed", "court"):
        assert vault.search(words), words
    assert candidates(vault, client_id) == []  # resumable: nothing pending now
    assert len(vault.events()) == before_events  # a derivative, not evidence: no ledger event
    sha = vault.attachments.for_entry(vault.search("deposit")[0].entry_id)[0].sha256
    assert "deposit" in (ocr_text(vault, sha) or "").lower()
    assert LABEL == "Machine-read text (OCR, may contain errors)"
    assert vault.verify().ok


def test_ocr_from_the_command_line_and_the_off_setting(cli, tmp_path: Path) -> None:
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    shot = tmp_path / "shot.png"
    shot.write_bytes(chat_screenshot([(False, "Cancel the contract now")], size=36))
    cli.ok("import", "Gerald", str(shot))
    result = cli.ok("ocr", "Gerald", "--pending")
    assert "1 file read, 1 with text." in result.out
    assert cli.ok("search", "contract", "--json").json()
    assert "0 files read" in cli.ok("ocr", "--pending").out


def test_the_dossier_prints_the_machine_read_text_beside_the_screenshot(vault, tmp_path: Path) -> None:
    import pypdfium2

    from app.dossier.export import build_dossier_pdf
    from app.dossier.select import DossierOptions
    from app.ingest.ocr import store_text

    client_id = vault.clients.add("Gerald Whitmore").id
    shot = tmp_path / "shot.png"
    shot.write_bytes(chat_screenshot([(False, "See you in court")]))
    entry_id = import_path(vault, client_id, shot).entry_ids[0]
    sha = vault.attachments.for_entry(entry_id)[0].sha256
    store_text(vault, sha, "Gerald Whitmore\nSee you in court")  # what the engine read (tested above)
    built = build_dossier_pdf(vault, DossierOptions(client_id))
    document = pypdfium2.PdfDocument(built.pdf)
    try:
        text = " ".join(" ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document)))
    finally:
        document.close()
    assert f"{LABEL} Gerald Whitmore See you in court" in text


def test_the_detail_pane_shows_machine_read_text_under_its_label(vault, qapp, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.ocr import store_text
    from ui.widgets.detail_pane import DetailPane
    from ui.workers import Tasks

    client_id = vault.clients.add("Gerald Whitmore").id
    shot = tmp_path / "shot.png"
    shot.write_bytes(chat_screenshot([(False, "See you in court")]))
    entry_id = import_path(vault, client_id, shot).entry_ids[0]
    store_text(vault, vault.attachments.for_entry(entry_id)[0].sha256, "See you in court")
    tasks = Tasks(parent=qapp)
    pane = DetailPane(tasks)
    qtbot.addWidget(pane)
    pane.set_vault(vault)
    pane.show_entry(entry_id)
    shown = pane.text.toPlainText()
    assert LABEL in shown and shown.index(LABEL) < shown.index("See you in court")
    tasks.wait()
