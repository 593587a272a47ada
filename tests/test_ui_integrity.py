"""Vault → Record integrity…: verify now on a worker, the seal for the lawyer, the status bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication


def _open_dialog(window: Any) -> Any:
    """Through the menu, as a user would: Vault → Record integrity…"""
    from ui.dialogs.integrity import IntegrityDialog

    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Vault"]
    (item,) = [a for a in menu.actions() if a.text() == "Record integrity…"]
    item.trigger()
    return window.findChildren(IntegrityDialog)[-1]


def test_verify_now_runs_on_a_worker_and_shows_the_result_and_the_status_bar(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    vault = demo_session.vault
    dialog = _open_dialog(window)
    qtbot.waitExposed(dialog)
    assert "Not checked yet" in dialog.result_label.text()
    head = vault.head()
    assert dialog.head_label.text() == head.hash and f"{head.count:,} events" == dialog.events_label.text()
    assert dialog.seal_label.text() == vault.seal()
    fingerprint = dialog.evidence_labels.get("Signing key")
    if hasattr(vault, "signing"):  # ev-sign's key is on main: its fingerprint is shown
        assert fingerprint is not None and fingerprint.text() == vault.signing.fingerprint()

    with qtbot.waitSignal(dialog.verified, timeout=60_000) as blocker:
        qtbot.mouseClick(dialog.verify_button, _left())
        assert not dialog.verify_button.isEnabled()  # the GUI thread is free while it runs
    last = blocker.args[0]
    assert last.ok and "The record is intact" in dialog.result_label.text()
    assert dialog.verify_button.isEnabled() and dialog.progress_bar.isHidden()
    assert window.verified_label.text().startswith("Verified ") and window.verified_label.isVisible()

    dialog.close()
    again = _open_dialog(window)  # the session remembers the last check
    assert "OK" in again.result_label.text()
    again.close()


def test_copy_seal_for_my_lawyer_puts_the_seal_on_the_clipboard(demo_session: Any, qtbot: Any) -> None:
    dialog = _open_dialog(demo_session.window)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, _left())
    assert QGuiApplication.clipboard().text() == demo_session.vault.seal()
    assert QGuiApplication.clipboard().text().startswith("CF1-")
    dialog.close()


def test_a_failed_record_is_shown_as_failed(demo_session: Any, qtbot: Any) -> None:
    from app.verify import VerifyReport
    from ui.dialogs.integrity import IntegrityDialog, summarize

    report = VerifyReport(head=demo_session.vault.head(), problems=["client:1 differs from what the ledger recorded."])
    dialog = IntegrityDialog(demo_session.vault, demo_session.tasks, summarize(report))
    qtbot.addWidget(dialog)
    assert "FAILED" in dialog.result_label.text() and "client:1 differs" in dialog.result_label.text()
    assert summarize(report).status_text().startswith("Verification FAILED")


def test_cancel_stops_a_running_verification(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.integrity import IntegrityDialog

    dialog = IntegrityDialog(demo_session.vault, demo_session.tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.verify_now()
    dialog.cancel()  # before the worker's first phase: it stops at its next step
    qtbot.waitUntil(lambda: dialog.verify_button.isEnabled(), timeout=60_000)
    assert "cancelled" in dialog.phase_label.text() and dialog.last is None


def _left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_pending_and_anchored_seals_are_shown(demo_session: Any, qtbot: Any) -> None:
    from tests.helpers.tsa import LocalTsa
    from ui.dialogs.integrity import IntegrityDialog

    vault = demo_session.vault
    vault.anchors.anchor_seal(["http://127.0.0.1:9/tsr"], timeout=2)  # offline: queued
    tsa = LocalTsa()
    try:
        (granted,) = vault.anchors.anchor_seal([tsa.url], timeout=20)
    finally:
        tsa.close()
    dialog = IntegrityDialog(vault, demo_session.tasks)
    qtbot.addWidget(dialog)
    assert dialog.evidence_labels["Pending anchors"].text() == "1 waiting for a time-stamping authority"
    assert "existed no later than" in dialog.evidence_labels["Anchored seals"].text()
    assert granted.anchor is not None and granted.anchor.sentence() in dialog.evidence_labels["Anchored seals"].text()
