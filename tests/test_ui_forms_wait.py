"""The last writes that ran on the GUI thread (issue 17), while another thread holds the writer:
Add reminder, Settings, New client, Edit client, client status, the letter composer's "Record as
sent" and the follow-up card's logged call. Each checks its input on the GUI thread first (bad
input: one line at once, nothing written), then waits on the window's writer worker: the button
is off and says "Saving…", the form stays up (Esc does not hide the outcome), the window keeps
painting (heartbeat max gap < 500 ms), nothing is written around the writer, and the change and
the view's update land once the writer is released."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from tests.test_ui_ingest import _select
from tests.test_ui_writes_wait import HOLD_MS, writer_held
from ui.workers import SAVING_TEXT


@dataclass
class Form:
    """An open form: its button, the signal that says the write is in, where its one line shows,
    and how to make its input bad and good."""

    widget: Any
    button: Any
    landed: Any
    message: Callable[[], str]
    bad: Callable[[], None]
    good: Callable[[], None]
    submit: Callable[[], Any]
    refused: str | None  # None: the form has no input that can be refused
    closes: bool = True  # a dialog closes once its write is in; a tab of the parting window stays


@dataclass
class Case:
    name: str
    open: Callable[[Any], Form]
    written: Callable[[Any], bool]  # (vault) the change is in the record
    shown: Callable[[Any, list[Any]], bool]  # (session, signal args) the view shows it


def _add_reminder(session: Any) -> Form:
    window = session.window
    _select(window, "Gerald Whitmore")
    dialog = window.reminders.add_reminder()
    return Form(
        dialog,
        dialog.add_button,
        dialog.added,
        dialog.error.text,
        lambda: dialog.note.setText("   "),
        lambda: dialog.note.setText("Ring the tiler about the grout"),
        dialog.add_button.click,
        "The reminder must not be empty.",
    )


def _reminder_written(vault: Any) -> bool:
    return any(r.title == "Ring the tiler about the grout" for r in vault.reminders.open())


def _reminder_shown(session: Any, _args: list[Any]) -> bool:
    window = session.window
    return "Reminder added: Ring the tiler" in window.statusBar().currentMessage() and "Ring the tiler" in (
        window.undo_action.text()
    )


def _new_client(session: Any) -> Form:
    dialog = session.window.new_client()
    return Form(
        dialog,
        dialog.add_button,
        dialog.added,
        dialog.error.text,
        lambda: dialog.name.setText(" "),
        lambda: dialog.name.setText("Morgan Vale"),
        dialog.add_button.click,
        "The client name must not be empty.",
    )


def _edit_client(session: Any) -> Form:
    _select(session.window, "Priya Natarajan")
    dialog = session.window.edit_client()
    return Form(
        dialog,
        dialog.save_button,
        dialog.changed,
        dialog.error.text,
        lambda: dialog.name.setText(" "),
        lambda: dialog.name.setText("Priya N. Natarajan"),
        dialog.save_button.click,
        "The client name must not be empty.",
    )


def _client_names(session: Any) -> list[str]:
    model = session.window.clients
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def _set_status(session: Any) -> Form:
    _select(session.window, "Priya Natarajan")
    dialog = session.window.set_status()
    dialog.status.setCurrentIndex(dialog.status.findData("parting_ways"))
    return Form(
        dialog,
        dialog.save_button,
        dialog.changed,
        dialog.error.text,
        lambda: dialog.reason.setPlainText(""),
        lambda: dialog.reason.setPlainText("Two invoices disputed this month"),
        dialog.save_button.click,
        "The reason for the status change must not be empty.",
    )


def _priya(vault: Any) -> Any:
    return next(c for c in vault.clients.list() if c.name.startswith("Priya"))


def _settings(session: Any) -> Form:
    dialog = session.show_settings()
    dialog.bates_vault.setText("WHIT")
    return Form(
        dialog,
        dialog.save_button,
        dialog.applied,
        dialog.error.text,
        lambda: dialog.timezone.setText("Mars/Olympus"),
        lambda: dialog.timezone.setText("Asia/Tokyo"),
        dialog.save_button.click,
        "Unknown time zone 'Mars/Olympus'; use a name such as America/Chicago.",
    )


def _parting(session: Any) -> Any:
    _select(session.window, "Dale Corbin")
    return session.window.parting_ways()


def _letter(session: Any) -> Form:
    parting = _parting(session)
    composer = parting.letter
    parting.tabs.setCurrentWidget(composer)
    composer.how.setCurrentText("email")
    return Form(
        parting,
        composer.record_button,
        composer.letter_recorded,
        composer.status.text,
        lambda: composer.editor.setPlainText("  "),
        composer.fill_from_template,
        composer.record_button.click,
        "Not recorded: The letter is empty; nothing was recorded.",
        closes=False,
    )


def _entry_of_kind(vault: Any, kind: str) -> bool:
    dale = next(c for c in vault.clients.list() if c.name == "Dale Corbin")
    return any(row.kind == kind for row in vault.entries.timeline(dale.id))


def _entry_selected(session: Any, args: list[Any]) -> bool:
    return bool(session.window.current_entry_id() == args[0])


def _call(session: Any) -> Form:
    parting = _parting(session)
    card = parting.followup
    parting.tabs.setCurrentWidget(card)
    card.outcome.setText("Accepted; keys back on Friday")
    return Form(
        parting,
        card.log_button,
        card.call_logged,
        card.status.text,
        lambda: card.summary.setPlainText(""),
        lambda: card.summary.setPlainText("Calm; asked about the handover."),
        card.log_button.click,
        "Not logged: Write a line about the call; nothing was logged.",
        closes=False,
    )


def _mail_account(session: Any) -> Form:
    dialog = session.show_settings().open_mail_accounts()
    dialog.host.setText("127.0.0.1")
    dialog.tls.setCurrentText("none")
    dialog.user.setText("owner")
    dialog.password.setText("app password 1")
    return Form(
        dialog,
        dialog.add_button,
        dialog.accounts_changed,
        dialog.error.text,
        lambda: dialog.name.setText(""),
        lambda: dialog.name.setText("Shop inbox"),
        dialog.add_button.click,
        "The account name must not be empty.",
        closes=False,  # the list of accounts stays up
    )


def _mail_written(vault: Any) -> bool:
    from app.mail.accounts import MailAccounts

    return [a.name for a in MailAccounts(vault.db).list()] == ["Shop inbox"]


def _inbox_folders(session: Any) -> Form:
    from PySide6.QtCore import Qt

    dialog = session.show_settings().open_inbox_folders()
    save = dialog.write.button
    return Form(
        dialog,
        save,
        dialog.saved,
        dialog.error.text,
        lambda: None,
        lambda: dialog.clients.item(0).setCheckState(Qt.CheckState.Checked),
        save.click,
        None,
    )


def _a_folder(vault: Any) -> bool:
    from app.ingest.inbox_folders import assigned

    return len(assigned(vault)) == 1


CASES = [
    Case("add reminder", _add_reminder, _reminder_written, _reminder_shown),
    Case(
        "new client",
        _new_client,
        lambda vault: any(c.name == "Morgan Vale" for c in vault.clients.list()),
        lambda session, _args: session.window.current_client().name == "Morgan Vale",
    ),
    Case(
        "edit client",
        _edit_client,
        lambda vault: _priya(vault).name == "Priya N. Natarajan",
        lambda session, _args: "Priya N. Natarajan" in _client_names(session),
    ),
    Case(
        "client status",
        _set_status,
        lambda vault: _priya(vault).status == "parting_ways",
        lambda session, _args: session.window.current_client().status == "parting_ways",
    ),
    Case(
        "settings",
        _settings,
        lambda vault: vault.settings.get("display_timezone") == "Asia/Tokyo" and vault.settings.get("bates_prefix") == "WHIT",
        lambda session, _args: session.window.timeline.zone.key == "Asia/Tokyo",
    ),
    Case(
        "mail account",
        _mail_account,
        _mail_written,
        lambda session, _args: session.gate is None and "Shop inbox" in _account_rows(session),
    ),
    Case("inbox client folders", _inbox_folders, _a_folder, lambda session, _args: True),
    Case("record the letter", _letter, lambda vault: _entry_of_kind(vault, "letter_sent"), _entry_selected),
    Case(
        "follow-up call",
        _call,
        lambda vault: sum(row.title == "Follow-up call after the letter" for row in _dale_rows(vault)) == 1,
        _entry_selected,
    ),
]


def _account_rows(session: Any) -> str:
    from ui.dialogs.mail import MailAccountsDialog

    (dialog,) = session.window.findChildren(MailAccountsDialog)
    return " ".join(dialog.list.item(r).text() for r in range(dialog.list.count()))


def _dale_rows(vault: Any) -> list[Any]:
    dale = next(c for c in vault.clients.list() if c.name == "Dale Corbin")
    return list(vault.entries.timeline(dale.id))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_form_checks_at_once_and_writes_on_the_worker_while_the_writer_is_held(
    case: Case, demo_session: Any, qtbot: Any
) -> None:
    vault = demo_session.vault
    form = case.open(demo_session)
    qtbot.waitExposed(form.widget.window())
    events = len(vault.events())
    label = form.button.text()
    with writer_held(vault) as held:
        if form.refused is not None:
            form.bad()
            form.submit()  # refused at once, in one line, without waiting for the writer
            assert form.message() == form.refused and form.button.isEnabled()
        form.good()
        form.submit()
        assert not form.button.isEnabled() and form.button.text() == SAVING_TEXT
        form.submit()  # once: the button is off, and a second ask is ignored
        form.widget.reject()  # Esc while it is being written: the form stays to show the outcome
        qtbot.wait(HOLD_MS)
        assert form.widget.isVisible()
        assert len(vault.events()) == events and not case.written(vault)  # nothing around the writer
        with qtbot.waitSignal(form.landed, timeout=30_000) as landed:
            held.release.set()
    assert case.written(vault)
    assert form.button.text() == label and form.button.isEnabled()
    assert form.widget.isVisible() != form.closes  # a dialog closes once the write is in
    qtbot.waitUntil(lambda: case.shown(demo_session, list(landed.args)), timeout=10_000)
    assert vault.verify().ok


def test_a_write_refused_by_the_vault_leaves_the_dialog_open_with_one_line(demo_session: Any, qtbot: Any) -> None:
    window, vault = demo_session.window, demo_session.vault
    client = _select(window, "Priya Natarajan")
    dialog = window.set_status()
    dialog.client = replace(client, id=999_999)  # gone meanwhile: only the write can tell
    dialog.status.setCurrentIndex(dialog.status.findData("parting_ways"))
    dialog.reason.setPlainText("Two invoices disputed this month")
    events = len(vault.events())
    dialog.save_button.click()
    assert dialog.write.saving
    qtbot.waitUntil(lambda: not dialog.write.saving, timeout=30_000)
    assert dialog.isVisible() and dialog.save_button.isEnabled() and dialog.save_button.text() == "Save"
    assert dialog.error.text() == "There is no client with id 999999."
    assert len(vault.events()) == events and _priya(vault).status != "parting_ways"
    assert vault.verify().ok


def test_undo_still_cancels_a_reminder_added_on_the_worker(demo_session: Any, qtbot: Any) -> None:
    window, vault = demo_session.window, demo_session.vault
    form = _add_reminder(demo_session)
    form.good()
    with qtbot.waitSignal(form.landed, timeout=30_000) as added:
        form.submit()
    reminder = added.args[0]
    with writer_held(vault) as held:
        window.undo_action.trigger()
        qtbot.wait(HOLD_MS)
        assert vault.reminders.get(reminder.id).done_at is None
        with qtbot.waitSignal(window.undo.undone, timeout=30_000) as undone:
            held.release.set()
    assert undone.args[0].startswith("Undone: the reminder")
    assert not _reminder_written(vault)
    assert vault.verify().ok
