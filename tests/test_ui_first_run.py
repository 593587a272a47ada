"""The first run, as a new owner goes through it: Enter does what the dialog is for, the recovery key
is readable and leaves no trace on the clipboard, the Emergency Kit lands where the owner chose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.helpers.ui import PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent


def _create_dialog_on_key_page(session: Any, folder: Path, qtbot: Any) -> Any:
    session.start(folder)
    dialog = session.gate
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClicks(dialog.repeat, PASSPHRASE)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=20_000)
    return dialog


def test_enter_creates_the_vault_and_then_opens_it(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    session = make_session()
    dialog = _create_dialog_on_key_page(session, tmp_path / "new", qtbot)
    assert (tmp_path / "new" / "vault.key").is_file()
    assert dialog.isVisible() and dialog.finish.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc cannot skip the recovery key
    assert dialog.isVisible()
    dialog.stored.setChecked(True)
    with qtbot.waitSignal(session.unlocked, timeout=5_000):
        qtbot.keyClick(dialog.stored, Qt.Key.Key_Return)
    assert session.vault is not None


def test_esc_on_the_first_page_cancels_without_creating(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    session = make_session()
    session.start(tmp_path / "new")
    dialog = session.gate
    qtbot.waitExposed(dialog)
    assert dialog.create_button.isDefault()
    assert not [
        b for b in dialog.findChildren(type(dialog.create_button)) if b.isDefault() and b is not dialog.create_button
    ]
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert not (tmp_path / "new").exists()


def test_enter_in_new_client_adds_the_client_and_esc_cancels(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    before = window.clients.rowCount()
    dialog = window.new_client()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.name, "Odette Marchetti")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.clients.rowCount() == before + 1, timeout=5_000)
    assert not dialog.isVisible()
    assert "Odette Marchetti" in [c.name for c in demo_session.vault.clients.list()]

    dialog = window.new_client()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.name, "Nobody Added")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert "Nobody Added" not in [c.name for c in demo_session.vault.clients.list()]


def test_enter_saves_in_the_status_settings_and_retract_dialogs(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.settings import SettingsDialog

    window = demo_session.window
    status = window.set_status()
    assert status is not None and status.save_button.isDefault()
    status.reject()
    settings = SettingsDialog(demo_session.settings, demo_session.vault, parent=window)
    settings.show()
    qtbot.waitExposed(settings)
    assert settings.save_button.isDefault()
    settings.reject()
    window.timeline_view.setCurrentIndex(window.timeline.index(0, 0))
    retract = window.retract_entry()
    assert retract is not None and retract.ok.isDefault()
    retract.reject()


def test_the_emergency_kit_lands_only_where_the_owner_chose(
    make_session: Any, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.dialogs.create_vault as create_module

    session = make_session()
    dialog = _create_dialog_on_key_page(session, tmp_path / "new", qtbot)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    asked: list[tuple[str, str]] = []
    answer = [""]

    def save_dialog(_parent: Any, title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append((title, start))
        return answer[0], "PDF (*.pdf)"

    # The system's save dialog is the one part replaced: it stands for the owner's choice.
    monkeypatch.setattr(create_module.QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    dialog.kit_button.click()  # the owner cancels the save dialog
    assert list(cwd.iterdir()) == [] and not dialog.kit_note.isVisible()
    answer[0] = str(tmp_path / "papers" / "kit.pdf")
    (tmp_path / "papers").mkdir()
    dialog.kit_button.click()
    assert list(cwd.iterdir()) == []  # no file named "False", nothing in the current folder
    assert (tmp_path / "papers" / "kit.pdf").read_bytes().startswith(b"%PDF")
    title, start = asked[-1]
    assert "in the clear" in title
    assert Path(start).parent in (Path.home(), Path.home() / "Documents") or Path(start).parent.name == "Documents"
    assert str(tmp_path / "papers" / "kit.pdf") in dialog.kit_note.text()
    assert "in the clear" in dialog.kit_note.text() and dialog.kit_note.isVisible()


@pytest.mark.parametrize("width", [480, 620, 900])
def test_the_recovery_key_is_fully_visible_selectable_and_monospace(
    make_session: Any, tmp_path: Path, qtbot: Any, width: int
) -> None:
    from PySide6.QtGui import QFontInfo

    session = make_session()
    dialog = _create_dialog_on_key_page(session, tmp_path / "new", qtbot)
    dialog.resize(width, dialog.height())
    qtbot.waitUntil(lambda: dialog.width() == max(width, dialog.minimumSizeHint().width()))
    assert dialog.width() <= max(width, 480)
    label = dialog.recovery_key
    key = label.key()
    assert len(key) == 39
    shown = label.text()
    assert shown.replace("\n", "") == key  # every character, nothing elided
    rect = label.contentsRect()
    needed = label.fontMetrics().boundingRect(rect, int(label.alignment()), shown)
    assert needed.width() <= rect.width() and needed.height() <= rect.height()
    assert label.mapTo(dialog, rect.topLeft()).x() >= 0
    assert label.mapTo(dialog, rect.bottomRight()).x() <= dialog.width()
    assert QFontInfo(label.font()).fixedPitch()
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    if width == 900:
        assert "\n" not in shown  # one line when it fits


def test_a_copied_recovery_key_is_cleared_only_if_still_ours(qapp: Any, qtbot: Any) -> None:
    from ui.clipboard import SecureClipboard

    clipboard = QGuiApplication.clipboard()
    ours = SecureClipboard(seconds=0.2)
    ours.copy("AAAA-BBBB")
    assert clipboard.text() == "AAAA-BBBB"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=2_000)

    ours.copy("AAAA-BBBB")
    clipboard.setText("the owner's own text")
    qtbot.wait(400)
    assert clipboard.text() == "the owner's own text"
    clipboard.clear()


def test_copy_on_the_key_page_is_cleared_when_the_vault_locks(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    session = make_session()
    dialog = _create_dialog_on_key_page(session, tmp_path / "new", qtbot)
    assert "30 s" in dialog.copy_button.text()
    dialog.copy_button.click()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == dialog.recovery_key.key()
    dialog.stored.setChecked(True)
    dialog.finish.click()
    assert session.window is not None
    session.lock()
    assert clipboard.text() == ""


def test_passphrase_can_be_shown_and_caps_lock_is_warned(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    session = make_session()
    session.start(tmp_path / "new")
    dialog = session.gate
    qtbot.waitExposed(dialog)
    field = dialog.passphrase
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    assert field.echoMode() == QLineEdit.EchoMode.Password
    field.toggle.trigger()
    assert field.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.repeat.echoMode() == QLineEdit.EchoMode.Normal  # both fields follow one toggle
    field.toggle.trigger()
    assert field.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClick(field, "C")  # an upper-case letter without Shift: Caps Lock is on
    assert field.caps_warning.isVisible() and "Caps Lock" in field.caps_warning.text()
    qtbot.keyClick(field, "A", Qt.KeyboardModifier.ShiftModifier)  # upper case with Shift: a lower-case key
    qtbot.keyClick(field, "b")
    assert not field.caps_warning.isVisible()
    assert field.text() == "CAb"


def test_the_unlock_screen_names_the_vault_and_lists_recent_ones(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    from app.vault import Vault

    for name in ("Bakery", "Workshop"):
        Vault.create(tmp_path / name, PASSPHRASE)[0].lock()
    session = make_session()
    session.settings.remember_vault(tmp_path / "Workshop")
    session.settings.remember_vault(tmp_path / "Bakery")
    session.start()
    dialog = session.gate
    assert "Bakery" in dialog.heading.text()
    texts = [dialog.recent.itemText(i) for i in range(dialog.recent.count())]
    assert len(texts) == 2 and "Workshop" in texts[1]
    assert dialog.recent_row.isVisibleTo(dialog)
    dialog.recent.activated.emit(1)
    assert session.gate is not dialog and session.gate.path == tmp_path / "Workshop"
    assert "Workshop" in session.gate.heading.text()
    buttons = {b.text() for b in session.gate.findChildren(type(session.gate.unlock_button))}
    assert {"Open another vault…", "Create a new vault…"} <= buttons


def test_the_demo_is_not_remembered_as_the_vault_to_open(qapp: Any, qsettings: Any, tmp_path: Path, qtbot: Any) -> None:
    from app.demo import DEMO_PASSPHRASE
    from ui.app_settings import AppSettings
    from ui.launch import start_session

    session = start_session(qapp, ["--demo", "--vault", str(tmp_path / "demo-vault")], qsettings)
    try:
        qtbot.keyClicks(session.gate.passphrase, DEMO_PASSPHRASE)
        with qtbot.waitSignal(session.unlocked, timeout=20_000):
            qtbot.keyClick(session.gate.passphrase, Qt.Key.Key_Return)
        settings = AppSettings(qsettings)
        assert settings.last_vault != tmp_path / "demo-vault"
        assert tmp_path / "demo-vault" in settings.recent_vaults
    finally:
        qapp.aboutToQuit.disconnect(session.shut_down)
        session.shut_down()
        session.window and session.window.close()


def test_casefile_with_only_a_vault_option_starts_the_app() -> None:
    from app.cli.main import starts_the_app

    assert starts_the_app([]) and starts_the_app(["--vault", "/v"]) and starts_the_app(["--vault=/v", "--demo"])
    assert not starts_the_app(["--vault", "/v", "timeline", "x"]) and not starts_the_app(["client", "list"])


@pytest.mark.parametrize("args", [[], ["--vault", "somewhere"]])
def test_without_a_display_the_app_says_so_in_one_line(tmp_path: Path, args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(PYTHONPATH=str(ROOT), HOME=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "graphical session" in lines[0] and "casefile --help" in lines[0]
    assert "Reinstalling" not in proc.stderr
