"""Inbox folders: one per chosen client, never one for two; names stay private until asked."""

from __future__ import annotations

from pathlib import Path

from app.ingest.inbox import Inbox
from app.ingest.inbox_folders import add_client_folder, assigned, folder_key, resolve

LOOK_ALIKES = ["A/B Plumbing", "A:B Plumbing", "Acme", "Acme.", "Acme ", "ACME", "Cafe\u0301 Lumière", "Café Lumière"]


def test_look_alike_names_get_one_folder_each_and_files_reach_their_client(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = [vault.clients.add(name).id for name in LOOK_ALIKES]
    names = [add_client_folder(vault, client_id) for client_id in ids]
    assert len({folder_key(n) for n in names}) == len(names), names  # distinct on every file system
    assert names[:6] == ["A_B Plumbing", "A_B Plumbing (2)", "Acme", "Acme (2)", "Acme (3)", "ACME (4)"]
    assert add_client_folder(vault, ids[3]) == "Acme (2)"  # asked again: the same folder
    inbox = Inbox(vault, tmp_path / "Inbox", settle_seconds=0)
    inbox.prepare()
    for n, name in enumerate(names):
        (inbox.root / name / f"note-{n}.txt").write_text(f"note for client {ids[n]}")
    results = inbox.drain(timeout=10)
    assert all(r.status == "imported" for r in results), [r.line() for r in results]
    for n, client_id in enumerate(ids):
        titles = [e.fields.title for e in vault.entries.timeline(client_id)]
        assert titles == [f"note-{n}.txt"], (LOOK_ALIKES[n], titles)
    assert vault.verify().ok


def test_folders_only_for_chosen_clients_private_and_neutral_on_request(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = vault.clients.add("Gerald Whitmore")
    chosen = vault.clients.add("Dale Corbin")
    assert add_client_folder(vault, chosen.id, neutral=True) == f"C-{chosen.id:04d}"
    root = tmp_path / "Inbox"
    Inbox(vault, root).prepare()
    made = sorted(p.name for p in root.iterdir())
    assert made == [f"C-{chosen.id:04d}", "Failed", "Imported"]  # no client's name in the clear
    assert all((root / name).stat().st_mode & 0o777 == 0o700 for name in [*made, "."])
    assert assigned(vault) == {f"C-{chosen.id:04d}": chosen.id} and secret.id not in assigned(vault).values()


def test_a_folder_of_no_client_or_of_several_goes_to_triage_with_the_reason(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault.clients.add("A/B Plumbing")
    vault.clients.add("A:B Plumbing")
    only = vault.clients.add("Gerald Whitmore")
    root = tmp_path / "Inbox"
    for folder in ("A_B Plumbing", "Stranger", "gerald whitmore"):
        (root / folder).mkdir(parents=True)
        (root / folder / f"{folder}.txt").write_text(folder)
    assert resolve(vault, "gerald whitmore") == (only.id, "")  # an older Inbox's folder: exactly one client
    results = {Path(r.path).name: r for r in Inbox(vault, root, settle_seconds=0).drain(timeout=10)}
    assert results["gerald whitmore.txt"].status == "imported"
    assert results["A_B Plumbing.txt"].status == "triaged"
    assert results["A_B Plumbing.txt"].reason.endswith("fits 2 clients; choose the client in triage.")
    assert results["Stranger.txt"].status == "triaged"
    assert results["Stranger.txt"].reason.endswith("the folder 'Stranger' is no client's Inbox folder.")
    assert vault.verify().ok


def test_settings_say_names_are_visible_and_give_chosen_clients_neutral_folders(demo_session, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    from ui.dialogs.settings import SettingsDialog

    vault = demo_session.vault
    settings = SettingsDialog(demo_session.settings, vault)
    note = settings.findChild(QLabel, "inbox-privacy-note")
    assert "visible to anyone with access to this computer" in note.text()
    assert "neutral names" in note.toolTip()
    dialog = settings.open_inbox_folders()
    assert dialog.neutral.isChecked()  # neutral names are the default offered
    first = dialog.clients.item(0)
    assert first.checkState() == Qt.CheckState.Unchecked  # no folder until asked
    first.setCheckState(Qt.CheckState.Checked)
    dialog.grab().save(str(tmp_path / "inbox-folders.png"))
    with qtbot.waitSignal(dialog.saved, timeout=30_000):  # written on the writer worker
        dialog.apply()
    client_id = int(first.data(Qt.ItemDataRole.UserRole))
    assert assigned(vault) == {f"C-{client_id:04d}": client_id}
    assert vault.verify().ok
    settings.reject()
