"""Settings → Mail accounts… and Client → Fetch mail…, real widgets against a real Dovecot."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.dovecot import PASSWORD, USER, Dovecot
from tests.test_mail_imap import CLIENT_ADDRESS, sent_message


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    dovecot = Dovecot()
    for n in range(40):
        dovecot.seed("INBOX", sent_message(n), seen=True)
    dovecot.start()
    yield dovecot
    dovecot.cleanup()


def settle(tasks: Any) -> None:
    """Let the finished task's signal object be deleted while its Tasks parent still lives."""
    from PySide6.QtCore import QCoreApplication, QEvent

    tasks.wait()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def add_account_with_the_dialog(vault: Any, server: Dovecot, qtbot: Any) -> None:
    from ui.dialogs.mail import MailAccountsDialog

    dialog = MailAccountsDialog(vault)
    qtbot.addWidget(dialog)
    dialog.preset.setCurrentIndex(dialog.preset.findData("fastmail"))
    assert dialog.host.text() == "imap.fastmail.com" and "app password" in dialog.hint.text()
    dialog.name.setText("local")
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(server.port)
    dialog.tls.setCurrentText("none")
    dialog.user.setText(USER)
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.accounts_changed, timeout=30_000):  # stored on the writer worker
        dialog.add_button.click()
    assert dialog.error.isHidden(), dialog.error.text()
    assert dialog.list.count() == 1 and dialog.list.item(0).text().startswith("local — ")
    assert dialog.password.text() == ""


def test_fetch_mail_dialog_fetches_with_progress(vault, server, qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.mail import FetchMailDialog
    from ui.workers import Tasks

    add_account_with_the_dialog(vault, server, qtbot)
    client = vault.clients.add("Doug Sauder", emails=[CLIENT_ADDRESS])
    tasks = Tasks(parent=qapp)  # a parentless QObject outliving QApplication crashes at exit
    dialog = FetchMailDialog(vault, tasks, client)
    qtbot.addWidget(dialog)
    steps: list[int] = []
    with qtbot.waitSignal(dialog.fetched, timeout=60_000) as signal:
        dialog.fetch_button.click()
        assert dialog.running and dialog.cancel_button.text() == "Cancel"
        dialog.bar.valueChanged.connect(steps.append)
    report = signal.args[0]
    assert report.imported == 40 and steps and max(steps) == 40
    assert dialog.status.text().startswith("40 imported")
    assert vault.entries.count() == 40
    settle(tasks)


def test_cancel_keeps_what_was_fetched(vault, server, qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    from app.mail import imap
    from ui.dialogs.mail import FetchMailDialog
    from ui.workers import Tasks

    add_account_with_the_dialog(vault, server, qtbot)
    client = vault.clients.add("Doug Sauder", emails=[CLIENT_ADDRESS])
    tasks = Tasks(parent=qapp)  # a parentless QObject outliving QApplication crashes at exit
    dialog = FetchMailDialog(vault, tasks, client)
    qtbot.addWidget(dialog)
    asked: list[int] = []  # progress comes per committed group of messages: cancel after the first

    def cancel_once(value: int) -> None:
        if value >= 3 and not asked:
            asked.append(value)
            dialog.cancel_or_close()

    dialog.bar.valueChanged.connect(cancel_once)
    saved, imap.BATCH_COUNT = imap.BATCH_COUNT, 5
    try:
        with qtbot.waitSignal(dialog.fetched, timeout=60_000) as signal:
            dialog.fetch_button.click()
    finally:
        imap.BATCH_COUNT = saved
    report = signal.args[0]
    assert report.cancelled and 3 <= report.imported < 40
    assert vault.entries.count() == report.imported and vault.verify().ok
    settle(tasks)
