"""Settings → Backups, the status bar's backup line and warning, and the backup at lock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.vault.backups import auto_backup, check_backup, list_backups
from tests.helpers.ui import PASSPHRASE

T0 = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


def test_choosing_a_folder_and_backing_up_now_in_settings(demo_session: Any, tmp_path: Path, qtbot: Any) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    vault = demo_session.vault
    dialog = demo_session.show_settings()
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentIndex(1)
    assert dialog.tabs.tabText(1) == "Backups" and dialog.backup_keep.value() == 14
    qtbot.keyClicks(dialog.backup_folder, str(usb))
    dialog.backup_keep.setValue(5)
    qtbot.mouseClick(dialog.backup_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not demo_session.backups.busy, timeout=30_000)
    assert dialog.backup_last.text().startswith("Last verified backup: "), (
        dialog.backup_last.text(),
        dialog.error.text(),
    )
    (written,) = list_backups(usb, vault.vault_id)
    assert check_backup(written[1], PASSPHRASE).head == vault.head()
    dialog.grab().save(str(tmp_path / "settings-backups.png"))
    with qtbot.waitSignal(dialog.applied, timeout=30_000):  # written on the window's writer worker
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert vault.settings.get("backup_folder") == str(usb) and vault.settings.get("backup_keep") == "5"
    assert vault.verify().ok
    label = demo_session.window.backup_label
    qtbot.waitUntil(lambda: label.isVisible() and label.text().startswith("Last verified backup: "), timeout=30_000)


def test_a_folder_that_does_not_exist_is_refused_in_one_line(demo_session: Any, tmp_path: Path, qtbot: Any) -> None:
    dialog = demo_session.show_settings()
    dialog.tabs.setCurrentIndex(1)
    qtbot.keyClicks(dialog.backup_folder, str(tmp_path / "not-plugged-in"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "does not exist" in dialog.error.text()
    assert demo_session.vault.settings.get("backup_folder") == ""


def test_the_daily_round_backs_up_only_when_due_and_warns_once_a_day(
    demo_session: Any, tmp_path: Path, qtbot: Any
) -> None:
    from ui.auto_backups import AutoBackups

    vault, window = demo_session.vault, demo_session.window
    usb = tmp_path / "usb"
    usb.mkdir()
    vault.settings.set("backup_folder", str(usb))
    auto_backup(vault, now=T0 - dt.timedelta(hours=3))
    clock = [T0]
    rounds = AutoBackups(demo_session.tasks, window, clock=lambda: clock[0])
    rounds.status_changed.connect(window.backup_label.show_status)
    rounds.warned.connect(window.show_backup_warning)
    warnings: list[str] = []
    rounds.warned.connect(warnings.append)
    rounds.start(vault)

    with qtbot.waitSignal(rounds.status_changed, timeout=30_000):
        rounds.tick()  # the last one is 3 hours old: nothing to do
    assert len(list_backups(usb, vault.vault_id)) == 1 and warnings == []
    clock[0] = T0 + dt.timedelta(days=1)
    with qtbot.waitSignal(rounds.backup_written, timeout=30_000):
        rounds.tick()
    assert len(list_backups(usb, vault.vault_id)) == 2 and warnings == []

    usb.rename(tmp_path / "unplugged")  # the drive goes away
    for _ in range(2):
        with qtbot.waitSignal(rounds.status_changed, timeout=30_000):
            rounds.tick()
    assert len(warnings) == 1 and "is not there" in warnings[0]
    assert "is not there" in window.statusBar().currentMessage()
    clock[0] += dt.timedelta(days=1)
    with qtbot.waitSignal(rounds.warned, timeout=30_000):
        rounds.tick()  # the next day: said again
    rounds.stop()
    window.grab().save(str(tmp_path / "status-bar.png"))


def test_locking_backs_up_when_the_last_backup_is_a_day_old(demo_session: Any, tmp_path: Path, qtbot: Any) -> None:
    vault = demo_session.vault
    usb = tmp_path / "usb"
    usb.mkdir()
    vault.settings.set("backup_folder", str(usb))
    auto_backup(vault, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    head = vault.head()
    vault_id = vault.vault_id
    demo_session.lock()
    assert demo_session.vault is None
    backups = list_backups(usb, vault_id)
    assert len(backups) == 2
    assert check_backup(backups[-1][1], PASSPHRASE).head == head
