"""Vault → Verify a bundle…: a lawyer's check of a received bundle, from the app."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt


def _export(session: Any, out: Path) -> Path:
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    vault = session.vault
    client = max(vault.clients.list(), key=lambda c: len(vault.entries.timeline_ids(c.id)))
    return export_dossier(vault, DossierOptions(client_id=client.id), out).zip_path


def _tampered(bundle: Path, out: Path) -> Path:
    """The same bundle with one byte of one native exhibit changed (and nothing else)."""
    with zipfile.ZipFile(bundle) as zf:
        members = [(info, zf.read(info.filename)) for info in zf.infolist()]
    target = next(info.filename for info, _ in members if info.filename.startswith("exhibits/"))
    with zipfile.ZipFile(out, "w") as zf:
        for info, data in members:
            if info.filename == target:
                data = bytes([data[0] ^ 1]) + data[1:]
            zf.writestr(info, data)
    return out


def test_a_fresh_bundle_checks_out_and_a_changed_one_does_not(demo_session: Any, qtbot: Any, tmp_path: Path) -> None:
    bundle = _export(demo_session, tmp_path / "out")
    dialog = demo_session.window.show_verify_bundle()
    qtbot.addWidget(dialog)
    assert dialog.verify_button.isDefault()

    dialog.path_edit.setText(str(bundle))
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.verify_button.isEnabled(), timeout=60_000)
    assert dialog.status.property("verdict") == "ok", dialog.result_view.toPlainText()
    assert "files match their SHA-256 checksums" in dialog.result_view.toPlainText()

    dialog.path_edit.setText(str(_tampered(bundle, tmp_path / "changed.zip")))
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.verify_button.isEnabled(), timeout=60_000)
    assert dialog.status.property("verdict") == "failed"
    assert "EX0001" in dialog.result_view.toPlainText() or "exhibits/" in dialog.result_view.toPlainText()


def test_no_file_chosen_says_so_in_one_line(demo_session: Any, qtbot: Any) -> None:
    dialog = demo_session.window.show_verify_bundle()
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Choose the bundle's .zip file first."


def test_about_names_the_versions_a_bug_report_needs(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.help import about_text

    text = about_text()
    for part in ("Casefile", "SQLCipher", "Qt (PySide6)", "Python", "GNU General Public License"):
        assert part in text
