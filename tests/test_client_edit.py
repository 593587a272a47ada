"""Editing a client: every change is a ledgered revision with its history visible, and a former
name, email or phone still identifies a do-not-serve client."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.helpers.cli import CliRunner


def test_client_edit_on_the_command_line_keeps_the_former_details(cli: CliRunner) -> None:
    assert "Created a vault" in cli.ok("init").out
    cli.ok("client", "add", "Gerald Whitmore", "--email", "g@example.net", "--phone", "+1 312 555 0147")
    out = cli.ok("client", "edit", "Gerald", "--name", "Gerald T. Whitmore", "--email", "gerald@new.example").out
    assert "Updated client 1: Gerald T. Whitmore" in out
    shown = cli.ok("client", "show", "Gerald").out
    assert "gerald@new.example" in shown and "+1 312 555 0147" in shown  # phones untouched
    assert "Formerly: name Gerald Whitmore; email g@example.net" in shown
    assert "Details changed 1 time," in shown
    data = cli.ok("client", "show", "Gerald", "--json").json()
    assert [r["name"] for r in data["revisions"]] == ["Gerald Whitmore", "Gerald T. Whitmore"]
    nothing = cli("client", "edit", "Gerald", "--name", "Gerald T. Whitmore")
    assert nothing.code == 1 and len(nothing.err.strip().splitlines()) == 1 and "nothing was changed" in nothing.err
    assert cli("client", "edit", "Gerald").code == 1
    assert len(cli.ok("client", "show", "Gerald", "--json").json()["revisions"]) == 2  # refusals wrote nothing
    cli.ok("verify")


def test_a_do_not_serve_client_is_recognised_by_a_former_email_and_name(vault: Any) -> None:
    from app.parting.dns import match_person

    client = vault.clients.add("Dale Corbin", emails=["dale@old.example"], phones=["+1 708 555 0112"])
    vault.clients.set_status(client.id, "do_not_serve", "Abusive to staff.")
    vault.clients.update(client.id, name="Dale R. Corbin", emails=["dale@new.example"], phones=[])
    by_email = match_person(vault, name="Someone Else", emails=["Dale@Old.Example"])
    assert [(m.client_id, m.matched_on) for m in by_email] == [(client.id, "email")]
    by_phone = match_person(vault, phones=["(708) 555-0112"])
    assert [m.matched_on for m in by_phone] == ["phone"]
    by_name = match_person(vault, name="dale corbin")
    assert [m.client_id for m in by_name] == [client.id]
    assert match_person(vault, name="Nobody", emails=["x@y.example"]) == []
    assert vault.verify().ok


def test_editing_a_client_in_the_app_shows_the_history(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    vault = demo_session.vault
    client = next(c for c in vault.clients.list() if c.name == "Priya Natarajan")
    window.select_client(client.id)
    dialog = window.edit_client()
    qtbot.waitExposed(dialog)
    assert dialog.name.text() == "Priya Natarajan" and dialog.save_button.isDefault()
    before = dialog.history.count()
    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Priya N. Natarajan")
    dialog.phones.setText("+1 555 0100")
    with qtbot.waitSignal(dialog.changed, timeout=30_000):  # written on the window's writer worker
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert vault.clients.get(client.id).name == "Priya N. Natarajan"
    qtbot.waitUntil(
        lambda: any(window.clients.index(r, 0).data() == "Priya N. Natarajan" for r in range(window.clients.rowCount()))
    )
    again = window.edit_client()
    assert again.history.count() == before + 1
    newest = again.history.item(0).text()
    assert "name: Priya Natarajan → Priya N. Natarajan" in newest and "phones:" in newest
    count = len(vault.clients.revisions(client.id))
    again.save()  # nothing changed: no new revision
    assert len(vault.clients.revisions(client.id)) == count


def test_window_shortcuts_work_while_the_client_filter_has_focus(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.export_dossier import ExportDossierDialog

    window = demo_session.window
    window.activateWindow()
    window.filter_edit.setFocus()
    qtbot.waitUntil(window.filter_edit.hasFocus)
    qtbot.keyClicks(window.filter_edit, "ger")
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, ExportDossierDialog) and w.isVisible() for w in window.findChildren(ExportDossierDialog)
        )
    )
    for dialog in window.findChildren(ExportDossierDialog):
        dialog.done(0)
    window.filter_edit.setFocus()
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # text keys stay text keys
    assert window.filter_edit.selectedText() == "ger"


def test_a_field_that_claims_ctrl_e_lets_the_window_have_it(qtbot: Any) -> None:
    """Under X11 key bindings QLineEdit claims Ctrl+E (end of line) via ShortcutOverride; the
    offscreen platform does not, so a field claiming it the same way stands in for it here."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from ui.shortcuts import PassWindowShortcuts

    class X11LineEdit(QLineEdit):
        def event(self, event: QEvent) -> bool:
            claimed = (Qt.Key.Key_E, Qt.Key.Key_A)
            control = Qt.KeyboardModifier.ControlModifier
            if (
                event.type() == QEvent.Type.ShortcutOverride
                and isinstance(event, QKeyEvent)
                and event.modifiers() == control
                and event.key() in claimed
            ):
                event.accept()
                return True
            return super().event(event)

    window = QWidget()
    qtbot.addWidget(window)
    field = X11LineEdit(window)
    QVBoxLayout(window).addWidget(field)
    fired: list[bool] = []
    action = QAction("Export", window)
    action.setShortcut(QKeySequence("Ctrl+E"))
    action.triggered.connect(lambda: fired.append(True))
    window.addAction(action)
    window.show()
    qtbot.waitExposed(window)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert fired == []  # the field swallowed it: the bug
    PassWindowShortcuts(field, window)
    qtbot.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True]
    override = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(field, override)
    assert override.isAccepted()  # keys the window does not use stay with the field


def test_counts_read_as_words(demo_session: Any) -> None:
    from ui.words import plural

    assert [plural(n, "entry") for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert plural(1, "file") == "1 file" and plural(93, "file") == "93 files"
    window = demo_session.window
    client = next(c for c in demo_session.vault.clients.list() if c.entry_count == 1)
    window.select_client(client.id)
    assert "1 entry" in window.client_header.text() and "1 entries" not in window.client_header.text()


def test_the_demo_opens_on_the_main_story(demo_session: Any) -> None:
    window = demo_session.window
    busiest = max(demo_session.vault.clients.list(), key=lambda c: c.entry_count)
    assert window.current_client().id == busiest.id and busiest.name == "Gerald Whitmore"


def test_the_menus_follow_the_conventions_and_help_lists_shortcuts_and_versions(demo_session: Any) -> None:
    from PySide6.QtCore import qVersion

    from app import __version__
    from ui.dialogs.help import about_text, shortcuts_html

    window = demo_session.window
    names = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert names == ["Vault", "Edit", "Client", "Entry", "View", "Help"]
    html = shortcuts_html(window)
    assert "Ctrl+E" in html and "Export dossier" in html and "F3" in html and "Ctrl+Z" in html
    about = about_text()
    assert __version__ in about and qVersion() in about and "General Public License" in about
    window.about_action.trigger()
    from PySide6.QtWidgets import QMessageBox

    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and __version__ in boxes[-1].text()
    for b in boxes:
        b.done(0)
