"""Chats, screenshots and voice memos dropped on a client in the desktop app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from app.ingest.ocr import LABEL
from tests.helpers.chats import sms_backup, sms_line, whatsapp_chat, whatsapp_zip
from tests.helpers.screens import chat_screenshot
from tests.test_ui_ingest import _drop_on_client, _select


def test_dropped_phone_exports_become_thread_entries(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window = demo_session.window
    client = _select(window, "Gerald Whitmore")
    sms = tmp_path / "sms-backup.xml"
    sms.write_bytes(sms_backup([sms_line("+13125550147", 1_773_392_400_000, 1, "You will hear from my lawyer")]))
    chat = tmp_path / "WhatsApp Chat with Gerald Whitmore.zip"
    chat.write_bytes(whatsapp_zip(whatsapp_chat("android_uk", datetime(2026, 3, 13, 9, 0)), ios=False))
    before = window.vault.entries.count(client.id)
    _drop_on_client(window, [sms, chat])
    qtbot.waitUntil(lambda: window.vault.entries.count(client.id) == before + 5, timeout=20_000)
    titles = [e.title for e in window.vault.entries.timeline(client.id, kinds=("message",))]
    assert "1 SMS message with Gerald (+13125550147)" in titles
    assert "6 WhatsApp messages with Gerald Whitmore" in titles  # in the vault's zone, recorded in the export entry
    qtbot.waitUntil(lambda: not window.work.isVisible(), timeout=15_000)


def test_a_dropped_screenshot_gets_machine_read_text_on_a_worker(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    window = demo_session.window
    _select(window, "Gerald Whitmore")
    shot = tmp_path / "screenshot.png"
    shot.write_bytes(chat_screenshot([(False, "Cancel the contract now")], size=36))
    _drop_on_client(window, [shot])
    qtbot.waitUntil(lambda: window.ocr.running, timeout=20_000)  # the import committed; OCR follows
    qtbot.waitUntil(lambda: not window.ocr.running, timeout=60_000)
    qtbot.waitUntil(lambda: LABEL in window.detail.text.toPlainText(), timeout=5000)
    assert "contract" in window.detail.text.toPlainText()
    assert window.vault.search("contract")


def test_a_dropped_recording_warns_about_consent_once(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from tests.helpers.audio import wav

    window = demo_session.window
    client = _select(window, "Gerald Whitmore")
    wav(tmp_path / "call-recording.wav")
    before = window.vault.entries.count(client.id)
    _drop_on_client(window, [tmp_path / "call-recording.wav"])
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "recording-consent") is not None, timeout=15_000)
    assert window.vault.entries.count(client.id) == before + 1
    box = window.findChild(QMessageBox, "recording-consent")
    assert "consent" in box.text()
    box.checkBox().setChecked(True)  # "Don't remind me again": remembered across windows and runs
    box.close()
    box.deleteLater()
    assert demo_session.settings.recording_consent_acknowledged
    window.setProperty("recording_consent_shown", False)  # as in the next window
    wav(tmp_path / "second-call.wav", 3.0)  # other bytes: not a duplicate
    _drop_on_client(window, [tmp_path / "second-call.wav"])
    qtbot.waitUntil(lambda: window.vault.entries.count(client.id) == before + 2, timeout=15_000)
    qtbot.wait(200)
    assert not any(b.isVisible() for b in window.findChildren(QMessageBox, "recording-consent"))


def test_one_dropped_chat_asks_which_conversation_and_zone(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    from ui.dialogs.chat_import import ChatImportDialog

    window = demo_session.window
    client = _select(window, "Gerald Whitmore")
    sms = tmp_path / "sms-backup.xml"
    sms.write_bytes(
        sms_backup(
            [
                sms_line("+15559990000", 1_773_392_400_000, 1, "not him", contact="Bob"),
                sms_line("+15559990000", 1_773_392_460_000, 1, "still not him", contact="Bob"),
                sms_line("+13125550147", 1_773_392_400_000, 1, "Pay me back by Friday"),
            ]
        )
    )
    before = window.vault.entries.count(client.id)
    _drop_on_client(window, [sms])
    qtbot.waitUntil(lambda: window.findChild(ChatImportDialog, "chat-import") is not None, timeout=5000)
    dialog = window.findChild(ChatImportDialog, "chat-import")
    assert dialog.conversation.count() == 2 and "Bob" in dialog.conversation.itemText(0)
    assert "Gerald" in dialog.conversation.currentText()  # the client's own number, preselected
    assert dialog.zone.text() == window.vault.settings.get("display_timezone")  # the business's zone
    dialog.zone.setText("Nowhere/Special")
    dialog.accept_choice()
    assert dialog.isVisible() and "not a time zone" in dialog.error.text()
    dialog.zone.setText("America/Chicago")
    dialog.accept_choice()
    qtbot.waitUntil(lambda: window.vault.entries.count(client.id) == before + 2, timeout=15_000)
    texts = " ".join(e.fields.body for e in window.vault.entries.timeline(client.id, kinds=("message",)))
    assert "Pay me back by Friday" in texts and "not him" not in texts
    qtbot.waitUntil(lambda: not window.work.isVisible(), timeout=15_000)
