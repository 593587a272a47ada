"""Export dossier from the desktop app: choices, a build on a worker, the preview from memory, save."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

SHOTS = os.environ.get("CASEFILE_SCREENSHOTS")  # a folder: grab the preview there to look at it


def _select(window: Any, name: str) -> Any:
    from ui.models.roles import ID_ROLE

    for row in range(window.clients.rowCount()):
        if window.clients.index(row, 0).data() == name:
            window.select_client(window.clients.index(row, 0).data(ID_ROLE))
            return window.current_client()
    raise AssertionError(name)


def _non_white(image: Any, step: int = 3) -> int:
    return sum(
        image.pixelColor(x, y).lightness() < 200
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    )


def test_export_builds_previews_and_saves_a_verifiable_bundle(demo_session: Any, tmp_path: Path, qtbot: Any) -> None:
    from app.dossier.verify_bundle import verify_bundle
    from ui.dialogs.export_dossier import ExportDossierDialog

    window = demo_session.window
    client = _select(window, "Gerald Whitmore")
    window.activateWindow()
    window.timeline_view.setFocus()
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Ctrl+E
    dialog = window.findChild(ExportDossierDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.client_box.currentData() == client.id  # the selected client is preselected
    assert dialog.bates_prefix.text() == (demo_session.vault.settings.get("bates_prefix") or "")
    phases: list[str] = []
    dialog.bar.valueChanged.connect(lambda _v: phases.append(dialog.phase.text()))

    with qtbot.waitSignal(dialog.built, timeout=60_000) as built:
        qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    dossier = built.args[0]
    assert dossier.pdf.startswith(b"%PDF") and dossier.pages > 3
    assert "Laying out pages" in phases  # progress reached the GUI, by phase
    preview = dialog.preview
    assert preview.page_count == dossier.pages == preview.thumbs.count()
    qtbot.waitUntil(lambda: preview.page_image is not None, timeout=10_000)
    assert _non_white(preview.page_image) > 500  # a real rendered page, not a blank one
    qtbot.waitUntil(lambda: preview.thumbnails == dossier.pages, timeout=20_000)
    first_page = preview.page_image
    with qtbot.waitSignal(preview.page_shown, timeout=10_000) as shown:
        qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert shown.args == [1] and preview.position.text() == f"Page 2 of {dossier.pages}"
    assert preview.page_image != first_page
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "export-preview.png"))

    out = tmp_path / "for-counsel"
    with qtbot.waitSignal(dialog.saved, timeout=60_000) as saved:
        dialog.save_to(out)
    result = saved.args[0]
    assert result.pdf_path.read_bytes() == dossier.pdf  # what was previewed is what was written
    assert result.zip_path.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([result.pdf_path.name, result.zip_path.name])
    report = verify_bundle(result.zip_path)
    assert report.ok, report.problems
    assert report.pages == dossier.pages
    message = window.statusBar().currentMessage()
    assert result.pdf_path.name in message and result.zip_path.name in message
    assert any(e.action == "dossier.export" for e in demo_session.vault.events())
    # The register in the dialog shows the new production and where it continues from.
    assert result.production in dialog.register.text() and result.bates_first in dialog.register.text()
    dialog.reject()


def test_cancel_stops_a_build_and_nothing_is_previewed(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    _select(window, "Gerald Whitmore")
    dialog = window.export_dossier()
    dialog.build()
    assert dialog.busy and dialog.cancel_button.isEnabled()
    dialog.cancel()  # the worker sees the Event at its next page
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert "cancelled" in dialog.phase.text()
    assert dialog.dossier is None and dialog.preview.page_count == 0
    assert not dialog.save_button.isEnabled()
    assert not any(e.action == "dossier.export" for e in demo_session.vault.events())
    dialog.reject()


def test_bad_choices_give_one_line_and_no_build(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    _select(window, "Gerald Whitmore")
    dialog = window.export_dossier()
    dialog.bates_prefix.setText("no spaces allowed")
    dialog.build()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10_000)
    assert "Bates prefix" in dialog.error.text() and "\n" not in dialog.error.text()
    assert dialog.dossier is None
    dialog.bates_prefix.setText("GW")
    for i in range(dialog.kinds.count()):
        dialog.kinds.item(i).setCheckState(Qt.CheckState.Unchecked)
    dialog.build()
    assert dialog.error.text() == "Tick at least one kind of entry." and not dialog.busy
    dialog.reject()


def test_legend_declaration_form_and_replaced_production_are_chosen_in_the_dialog(
    demo_session: Any, tmp_path: Path
) -> None:
    from app.dossier.export import export_dossier
    from tests.helpers.bundles import footer_words, pdf_pages_text
    from ui.dialogs.export_dossier import ExportDossierDialog

    window = demo_session.window
    client = _select(window, "Gerald Whitmore")
    vault = demo_session.vault
    first = export_dossier(vault, ExportDossierDialog(vault, window._tasks, client, window).options(), tmp_path / "a")
    dialog = ExportDossierDialog(vault, window._tasks, client, window)
    options = dialog.options()
    assert options.legend == "" and options.declaration_form == "us" and options.supersedes is None  # the defaults
    dialog.legend.setCurrentIndex(dialog.legend.findText("HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY"))
    dialog.declaration_form.setCurrentIndex(dialog.declaration_form.findData("outside-us"))
    assert dialog.supersedes.count() == 2  # "—" and the production just made
    dialog.supersedes.setCurrentIndex(dialog.supersedes.findData(first.production))
    options = dialog.options()
    assert options.declaration_form == "outside-us" and options.supersedes == first.production
    result = export_dossier(vault, options, tmp_path / "b")
    pages = pdf_pages_text(result.pdf_path)
    # the demo's notice and counsel's legend are long together: never over "page x of y"
    for words in footer_words(result.pdf_path):
        centre = next(x0 for word, x0, _x1 in words if word == "page")
        assert max(x1 for word, _x0, x1 in words if word in ("ONLY", "data")) < centre
    assert all("HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY" in page for page in pages)
    everything = " ".join(" ".join(pages).split())
    assert "under the laws of the United States of America" in everything and first.production in pages[0]
    dialog.show_register()  # as after a save: the new production can be replaced too
    assert [dialog.supersedes.itemData(i) for i in range(dialog.supersedes.count())] == [
        "",
        result.production,
        first.production,
    ]
    dialog.legend.setEditText("Subject to protective order")  # counsel's own wording, typed
    assert dialog.options().legend == "Subject to protective order"
    dialog.done(0)
    assert vault.verify().ok


def test_the_dialog_starts_its_child_ahead_without_the_vault_and_the_build_uses_it(
    demo_session: Any, qtbot: Any
) -> None:
    """The export's child is spawned as the dialog opens (its imports and fonts, ~0.5 s, while
    the owner chooses): it has nothing of the vault open until Build hands it over, the dossier
    is prepared at the time of the build, and one that died meanwhile is simply replaced."""
    import signal

    from app.records.times import now_utc
    from tests.helpers.processes import gone

    window = demo_session.window
    _select(window, "Gerald Whitmore")
    vault_dir = Path(demo_session.vault.path).resolve()

    def vault_files(pid: int) -> list[str]:
        fds = Path(f"/proc/{pid}/fd")
        return [t for t in (os.readlink(fd) for fd in fds.iterdir() if fd.is_symlink()) if t.startswith(str(vault_dir))]

    dialog = window.export_dossier()
    spare = dialog._spare
    qtbot.waitUntil(lambda: spare.pid is not None, timeout=15_000)
    qtbot.wait(500)  # warming up
    assert spare.alive and vault_files(spare.pid) == []  # no key, no vault: only the imports and fonts
    before = now_utc()
    with qtbot.waitSignal(dialog.built, timeout=60_000):
        dialog.build()
    assert dialog.child is spare and spare._prepared_at >= before
    pid = spare.pid
    dialog.reject()
    assert gone(pid)

    dialog = window.export_dossier()
    spare = dialog._spare
    qtbot.waitUntil(lambda: spare.pid is not None, timeout=15_000)
    pid = spare.pid
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not spare.alive, timeout=10_000)
    with qtbot.waitSignal(dialog.built, timeout=60_000):
        dialog.build()
    assert dialog.child is not spare and dialog.dossier is not None and dialog.dossier.pages > 3
    child = dialog.child.pid
    dialog.reject()
    assert gone(pid) and gone(child)
