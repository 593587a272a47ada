"""The start flow as a user goes through it: create a vault, unlock, wrong passphrase, recovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.helpers.ui import PASSPHRASE


def _vault_with_recovery_key(path: Path) -> str:
    from app.vault import Vault

    vault, recovery_key = Vault.create(path, PASSPHRASE)
    vault.clients.add("Gerald Whitmore")
    vault.lock()
    return recovery_key


def test_creating_a_vault_shows_the_recovery_key_once_then_opens(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    from ui.dialogs.create_vault import CreateVaultDialog

    session = make_session()
    session.start(tmp_path / "new-vault")
    dialog = session.gate
    assert isinstance(dialog, CreateVaultDialog)
    qtbot.keyClicks(dialog.passphrase, "password1")
    qtbot.keyClicks(dialog.repeat, "password1")
    dialog.create_button.click()
    assert "too easy" in dialog.error.text()
    assert not (tmp_path / "new-vault").exists()

    dialog.passphrase.clear()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClicks(dialog.repeat, PASSPHRASE + "x")
    dialog.create_button.click()
    assert dialog.error.text() == "The two passphrases differ."

    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, PASSPHRASE)
    assert dialog.meter.score >= 3
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=20_000)
    key = dialog.recovery_key.text()
    assert len(key) == 39 and key.count("-") == 7
    assert not dialog.finish.isEnabled()  # not before "I have stored it"
    kit = dialog.save_emergency_kit(tmp_path / "kit.pdf")
    import pypdfium2

    kit_pdf = pypdfium2.PdfDocument(str(kit))
    assert key in kit_pdf[0].get_textpage().get_text_range()
    kit_pdf.close()
    dialog.reject()  # Esc cannot skip the recovery key
    assert dialog.isVisible()
    dialog.stored.setChecked(True)
    dialog.finish.click()
    assert session.window is not None and session.vault is not None
    assert session.settings.last_vault == tmp_path / "new-vault"
    assert (tmp_path / "new-vault" / "vault.key").is_file()


def test_unlocking_with_the_right_passphrase_opens_the_main_window(
    make_session: Any, tmp_path: Path, qtbot: Any
) -> None:
    from ui.dialogs.unlock import UnlockDialog

    _vault_with_recovery_key(tmp_path / "v")
    session = make_session()
    session.start(tmp_path / "v")
    dialog = session.gate
    assert isinstance(dialog, UnlockDialog)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    with qtbot.waitSignal(session.unlocked, timeout=20_000):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert session.window.clients.rowCount() == 1
    assert session.window.current_client().name == "Gerald Whitmore"


def test_a_wrong_passphrase_says_so_and_keeps_the_dialog(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    _vault_with_recovery_key(tmp_path / "v")
    session = make_session()
    session.start(tmp_path / "v")
    dialog = session.gate
    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.busy.isVisible()  # the KDF runs on a worker: the dialog stays responsive
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=20_000)
    assert "passphrase" in dialog.error.text().lower()
    assert "Traceback" not in dialog.error.text()
    assert session.vault is None and session.window is None
    assert dialog.passphrase.isEnabled() and dialog.passphrase.selectedText() == "not the passphrase"


def test_recovery_key_opens_the_vault_and_sets_a_new_passphrase(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    from app.vault import Vault

    recovery_key = _vault_with_recovery_key(tmp_path / "v")
    session = make_session()
    session.start(tmp_path / "v")
    session.gate.recovery_requested.emit()
    dialog = session.gate
    qtbot.keyClicks(dialog.recovery_key, recovery_key.lower())
    qtbot.keyClicks(dialog.new_passphrase, "a brand new lantern passphrase")
    qtbot.keyClicks(dialog.repeat, "a brand new lantern passphrase")
    with qtbot.waitSignal(session.unlocked, timeout=20_000):
        dialog.ok.click()
    session.lock()
    Vault.open(tmp_path / "v", "a brand new lantern passphrase").lock()


def test_demo_mode_builds_the_demo_vault_and_hints_the_passphrase(
    qapp: Any, qsettings: Any, tmp_path: Path, qtbot: Any
) -> None:
    from app.demo import DEMO_PASSPHRASE
    from ui.launch import start_session

    session = start_session(qapp, ["--demo", "--vault", str(tmp_path / "demo-vault")], qsettings)
    try:
        assert (tmp_path / "demo-vault" / "vault.key").is_file()
        dialog = session.gate
        assert DEMO_PASSPHRASE in dialog.hint.text() and dialog.hint.isVisibleTo(dialog)
        qtbot.keyClicks(dialog.passphrase, DEMO_PASSPHRASE)
        with qtbot.waitSignal(session.unlocked, timeout=20_000):
            dialog.unlock_button.click()
        names = [session.window.clients.index(r, 0).data() for r in range(session.window.clients.rowCount())]
        assert "Gerald Whitmore" in names
    finally:
        qapp.aboutToQuit.disconnect(session.shut_down)
        session.shut_down()
        session.window and session.window.close()
