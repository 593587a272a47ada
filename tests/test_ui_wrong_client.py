"""Filing under the wrong client: an email from another client's address, or a drop onto a client
that is not the one on screen, is asked about before anything is stored; the result line names
the client."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from app.ingest.client_match import check_filing
from tests.conftest import CORPUS
from tests.test_ui_ingest import JPEG, _select


def _eml(folder: Path, name: str, sender: str, to: str, cc: str = "") -> Path:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, f"About the job ({name})"
    message["Date"] = "Tue, 03 Mar 2026 09:15:00 -0500"
    if cc:
        message["Cc"] = cc
    message.set_content("See the attached estimate.")
    path = folder / f"{name}.eml"
    path.write_bytes(message.as_bytes())
    return path


def _client(vault: Any, name: str) -> Any:
    return next(c for c in vault.clients.list() if c.name == name)


def _drop_on_row(window: Any, name: str, paths: list[Path]) -> None:
    """A real drag-and-drop onto the client list row called ``name`` (not necessarily the current one)."""
    view = window.client_view
    row = next(r for r in range(window.client_filter.rowCount()) if name in window.client_filter.index(r, 0).data())
    centre = view.visualRect(window.client_filter.index(row, 0)).center()
    mime = QMimeData(view)
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(view.viewport(), QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, buttons, keys))


def test_an_email_from_another_clients_current_or_former_address_is_named(demo_vault: Any, tmp_path: Path) -> None:
    vault = demo_vault
    priya, gerald = _client(vault, "Priya Natarajan"), _client(vault, "Gerald Whitmore")
    from_gerald = _eml(tmp_path, "from-gerald", "Gerald <GWhitmore+jobs@example.net>", "owner@brightline.example")
    check = check_filing(vault, priya.id, [from_gerald, JPEG])
    assert [(o.client_name, o.role) for o in check.others] == [("Gerald Whitmore", "from")]
    assert check.question == (
        "This email is from Gerald Whitmore's address (GWhitmore+jobs@example.net). "
        "File them under Priya Natarajan anyway?"
    )
    # Priya copied in: the email is hers too, nothing to ask; filed under Gerald: nothing either
    both = _eml(tmp_path, "both", "gwhitmore@example.net", "owner@brightline.example", cc="priya.n@example.org")
    assert check_filing(vault, priya.id, [both]).question == ""
    assert check_filing(vault, gerald.id, [from_gerald]).question == ""
    # a former address still counts once the client's email was changed
    vault.clients.update(gerald.id, emails=["gerald@whitmore-new.example"])
    to_gerald = _eml(tmp_path, "to-gerald", "owner@brightline.example", "gwhitmore@example.net")
    again = check_filing(vault, priya.id, [to_gerald])
    assert again.question.startswith("This email is to Gerald Whitmore's address (gwhitmore@example.net).")
    assert again.question.endswith("File it under Priya Natarajan anyway?")
    # an Outlook .msg is read too (sender, To, Cc)
    brian = vault.clients.add("Brian Zhou", emails=["brizhou@gmail.com"])
    msg = check_filing(vault, priya.id, [CORPUS / "email" / "msg" / "unicode.msg"])
    assert [(o.client_id, o.role) for o in msg.others] == [(brian.id, "from")]
    assert vault.verify().ok


def test_a_dropped_email_from_another_client_waits_for_the_owner(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window, vault = demo_session.window, demo_session.vault
    priya = _select(window, "Priya Natarajan")
    email = _eml(tmp_path, "estimate", "Gerald Whitmore <gwhitmore@example.net>", "owner@brightline.example")
    before = priya.entry_count
    _drop_on_row(window, "Priya Natarajan", [email])
    qtbot.waitUntil(lambda: isinstance(window.filing_question, QMessageBox) and window.filing_question.isVisible())
    box = window.filing_question
    assert "This email is from Gerald Whitmore's address" in box.text()
    assert "File it under Priya Natarajan anyway?" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    shots = Path(os.environ.get("CASEFILE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    assert box.grab().toImage().save(str(shots / "wrong-client-question.png"))
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Esc: nothing is filed
    demo_session.tasks.wait()
    assert vault.clients.get(priya.id).entry_count == before
    window.filing_question = None

    _drop_on_row(window, "Priya Natarajan", [email])
    qtbot.waitUntil(lambda: window.filing_question is not None and window.filing_question.isVisible())
    file_button = next(b for b in window.filing_question.buttons() if b.text() == "File under Priya Natarajan")
    qtbot.mouseClick(file_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vault.clients.get(priya.id).entry_count == before + 1, timeout=15_000)
    qtbot.waitUntil(lambda: "Imported 1 file into Priya Natarajan." in window.statusBar().currentMessage())
    assert vault.verify().ok


def test_a_drop_on_a_client_other_than_the_one_on_screen_is_asked_about(
    demo_session: Any, qtbot: Any, tmp_path: Path
) -> None:
    window, vault = demo_session.window, demo_session.vault
    _select(window, "Priya Natarajan")
    dale = _client(vault, "Dale Corbin")
    _drop_on_row(window, "Dale Corbin", [JPEG])
    qtbot.waitUntil(lambda: window.filing_question is not None and window.filing_question.isVisible())
    text = window.filing_question.text()
    assert "You dropped this file on Dale Corbin, not on Priya Natarajan (the client on screen)." in text
    assert text.endswith("File it under Dale Corbin anyway?")
    file_button = next(b for b in window.filing_question.buttons() if b.text() == "File under Dale Corbin")
    file_button.click()
    qtbot.waitUntil(lambda: vault.clients.get(dale.id).entry_count == dale.entry_count + 1, timeout=15_000)
    qtbot.waitUntil(lambda: "Imported 1 file into Dale Corbin." in window.statusBar().currentMessage())
    # her own email onto the client on screen is filed without a question
    window.filing_question = None
    priya = _client(vault, "Priya Natarajan")
    _drop_on_row(window, "Priya Natarajan", [_eml(tmp_path, "hers", "priya.n@example.org", "owner@brightline.example")])
    qtbot.waitUntil(lambda: vault.clients.get(priya.id).entry_count == priya.entry_count + 1, timeout=15_000)
    assert window.filing_question is None
