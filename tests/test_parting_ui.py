"""Parting-ways widgets with real Qt (offscreen) on a real vault: the workflow by mouse and keyboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.parting.checklist import FOLLOW_UP_TITLE, STEP_KEYS, checklist
from app.parting.dns import match_email_header
from ui.parting.checklist_panel import ChecklistPanel
from ui.parting.dns_warning import DoNotServeWarning
from ui.parting.followup_card import FollowUpCallCard
from ui.parting.letter_composer import LetterComposer
from ui.parting.pattern_view import SERIES, PatternView
from ui.parting.reminders_panel import RemindersPanel, notification_text

# The offscreen platform plugin says this on every show(); it is not about our widgets.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

SCREENSHOTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"


def test_pattern_view_shows_the_months_and_the_verdict(qtbot, demo_vault) -> None:  # type: ignore[no-untyped-def]
    gerald = demo_vault.clients.resolve("Gerald")
    view = PatternView(demo_vault, now=datetime(2026, 9, 30, tzinfo=UTC))
    qtbot.addWidget(view)
    view.resize(640, 360)
    view.set_client(gerald.id)
    view.show()
    qtbot.waitExposed(view)
    assert view.verdict_label.text().startswith("Recurring: 3 incidents in the last 90 days")
    assert "unpaid 7,440.00 USD" in view.details_label.text()
    months = view.chart.months()
    assert [m.month for m in months][:1] == ["2026-05"] and sum(m.trouble for m in months) == 3
    # The bars are painted: the chart holds pixels in the incident and legal-threat colours.
    image = view.chart.grab().toImage()
    colours = {
        image.pixelColor(x, y).rgb()
        for x in range(0, image.width(), 2)
        for y in range(image.height() // 2, image.height(), 2)
    }
    assert {c.rgb() for _key, _label, c in SERIES} <= colours
    from ui.parting.pattern_view import month_label

    # months in words: "26/05" read as the 26th of May
    assert month_label("2026-05", with_year=True) == "May 2026" and month_label("2027-01", with_year=False) == "Jan"
    assert view.chart.toolTip().splitlines()[0].startswith("May 2026: ")
    assert "1 contacts" not in view.chart.toolTip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SCREENSHOTS / "pattern-view.png"))


def test_checklist_panel_marks_steps_through_its_dialog(qtbot, qtmodeltester, vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Robin Ash")
    panel = ChecklistPanel(vault)
    qtbot.addWidget(panel)
    panel.set_client(c.id)
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == len(STEP_KEYS)
    assert panel.progress.text() == "0 of 10 steps done (1 optional)"

    dialog = panel.make_dialog(STEP_KEYS.index("proofread"))
    qtbot.addWidget(dialog)
    dialog.accept()
    with qtbot.assertNotEmitted(panel.step_marked):
        assert not panel.mark_row(STEP_KEYS.index("proofread"), dialog)
    assert "who did" in panel.error_label.text()

    dialog = panel.make_dialog(STEP_KEYS.index("proofread"))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.by, "Alex Moreau")
    dialog.accept()
    with qtbot.waitSignal(panel.step_marked) as blocker:
        assert panel.mark_row(STEP_KEYS.index("proofread"), dialog)
    assert blocker.args == ["proofread"]
    assert panel.error_label.text() == ""
    row = STEP_KEYS.index("proofread")
    assert panel.model.index(row, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert "by Alex Moreau" in panel.model.index(row, 2).data()
    assert panel.progress.text() == "1 of 10 steps done (1 optional)"
    qtmodeltester.check(panel.model)
    assert vault.verify().ok


def test_conduct_clause_and_game_plan_open_from_the_checklist(qtbot, vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Sky Moss")
    panel = ChecklistPanel(vault)
    qtbot.addWidget(panel)
    panel.set_client(c.id)
    dialog = panel.open_templates()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "Respectful conduct" in dialog.text.toPlainText()
    dialog.picker.setCurrentIndex(dialog.picker.findData("game-plan"))
    assert "Sky Moss" in dialog.text.toPlainText() and "Review date" in dialog.text.toPlainText()
    assert dialog.save_to(tmp_path / "plan.txt") and "Sky Moss" in (tmp_path / "plan.txt").read_text()
    assert not dialog.save_to(tmp_path / "missing" / "plan.txt") and "Not saved" in dialog.status.text()


def test_composer_checks_live_and_records_the_letter(qtbot, demo_vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gerald = demo_vault.clients.resolve("Gerald")
    composer = LetterComposer(demo_vault, gerald.id, "after-conduct")
    qtbot.addWidget(composer)
    composer.effective.setText("October 6, 2026")
    composer.fill_from_template()
    composer.show()
    qtbot.waitExposed(composer)
    assert composer.findings == [] and composer.summary.text() == "The gentle checks found nothing."
    assert "October 6, 2026" in composer.editor.toPlainText()

    cursor = composer.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    composer.editor.setTextCursor(cursor)
    composer.editor.insertPlainText("\n")
    qtbot.keyClicks(composer.editor, "Frankly your rude behaviour was the problem! We might reconsider for now.")
    qtbot.waitUntil(lambda: composer.findings_list.count() >= 5, timeout=2000)
    codes = {f.code for f in composer.findings}
    assert {"blame", "emotion", "ambiguous"} <= codes
    assert len(composer.editor.extraSelections()) == len([f for f in composer.findings if f.end > f.start])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert composer.grab().save(str(SCREENSHOTS / "letter-composer.png"))

    # Clicking a finding selects its words in the editor.
    composer.findings_list.setCurrentRow(0)
    composer._select_finding(composer.findings_list.item(0))
    assert composer.editor.textCursor().selectedText() == composer.findings[0].text

    # The half-written letter is autosaved into the vault and comes back in a new composer.
    with qtbot.waitSignal(composer.draft_saved, timeout=5000):
        pass
    reopened = LetterComposer(demo_vault, gerald.id)
    qtbot.addWidget(reopened)
    assert reopened.editor.toPlainText() == composer.editor.toPlainText()
    assert reopened.letter().template == "after-conduct" and "restored" in reopened.status.text()
    steps_before = [e.action for e in demo_vault.events()].count("parting.step")
    reopened.save_draft()  # on the composer's writer, after the draft it writes first
    qtbot.waitUntil(lambda: "Draft saved in the vault" in reopened.status.text(), timeout=30_000)
    assert len(demo_vault.drafts.list()) == 1
    # Gerald's letter was already marked drafted in the demo: not marked twice.
    assert [e.action for e in demo_vault.events()].count("parting.step") == steps_before

    reopened.fill_from_template()
    assert not reopened.export_to(tmp_path / "letter.doc") and "use .txt, .eml or .pdf" in reopened.status.text()
    with qtbot.waitSignal(reopened.letter_exported, timeout=30_000) as exported:
        assert reopened.export_to(tmp_path / "letter.eml")  # written on the composer's worker
    assert exported.args == [tmp_path / "letter.eml"] and (tmp_path / "letter.eml").is_file()
    with qtbot.waitSignal(reopened.letter_recorded, timeout=30_000) as blocker:
        assert reopened.record_as_sent()  # checked here, written on the composer's worker
    (entry_id,) = blocker.args
    assert demo_vault.entries.get(entry_id).kind == "letter_sent"
    assert demo_vault.drafts.list() == []  # the draft became the letter
    assert demo_vault.verify().ok


def test_follow_up_card_shows_the_letter_and_logs_the_call(qtbot, vault) -> None:  # type: ignore[no-untyped-def]
    from app.parting.letters import Letter, record_sent

    c = vault.clients.add("Jo Park", phones=["+1 312 555 0199"])
    body = "We have decided to end our working relationship, effective May 1. Our final invoice will follow."
    record_sent(vault, c.id, Letter("not-right-fit", "Our work", body), how="email")
    card = FollowUpCallCard(vault)
    qtbot.addWidget(card)
    card.set_client(c.id)
    assert "Jo Park" in card.header.text() and "+1 312 555 0199" in card.header.text() and "due" in card.header.text()
    assert "decided to end our working relationship" in card.points.text()
    assert "Our decision is final" in card.answers.text()
    assert not card.log_call() and "Not logged" in card.status.text()
    qtbot.keyClicks(card.summary, "Calm; asked about the handover.")
    qtbot.keyClicks(card.outcome, "Accepted.")
    with qtbot.waitSignal(card.call_logged):
        qtbot.mouseClick(card.log_button, Qt.MouseButton.LeftButton)
    steps = {s.step.key: s for s in checklist(vault, c.id)}
    assert steps["follow_up"].done and steps["outcome"].note == "Accepted."
    assert "due" not in card.header.text()


def test_reminders_panel_follows_a_fake_clock(qtbot, qtmodeltester, vault) -> None:  # type: ignore[no-untyped-def]
    from app.parting.checklist import mark_done

    c = vault.clients.add("Kim Lee")
    sent_at = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
    mark_done(vault, c.id, "sent", how="email", done_at=sent_at)
    clock = {"now": sent_at + timedelta(hours=1)}
    panel = RemindersPanel(vault, clock=lambda: clock["now"])
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 0 and panel.empty.text() == "Nothing due today."
    clock["now"] = sent_at + timedelta(hours=25)
    with qtbot.waitSignal(panel.reminders_due) as blocker:
        panel.refresh()
    assert [d.reminder.title for d in blocker.args[0]] == [FOLLOW_UP_TITLE]
    assert notification_text(blocker.args[0]) == ("Casefile: 1 reminder due", f"Kim Lee: {FOLLOW_UP_TITLE}")
    qtmodeltester.check(panel.model)
    assert panel.model.index(0, 1).data() == "Kim Lee" and panel.empty.text() == ""
    with qtbot.assertNotEmitted(panel.reminders_due):  # announced once, not every minute
        panel.refresh()
    clock["now"] = sent_at + timedelta(days=3)
    panel.refresh()
    assert panel.model.index(0, 0).data(panel.model.OverdueRole) is True
    panel.view.selectRow(0)
    with qtbot.waitSignal(panel.reminder_done):
        qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 0 and vault.reminders.open(c.id) == []


def test_do_not_serve_warning_offers_the_record_and_a_declining_letter(qtbot, demo_vault) -> None:  # type: ignore[no-untyped-def]
    matches = match_email_header(demo_vault, "Dale <dale.corbin@example.com>")
    dialog = DoNotServeWarning(demo_vault, matches)
    qtbot.addWidget(dialog)
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert any("Abusive to staff" in t for t in labels) and any("Dale Corbin" in t for t in labels)
    composer = dialog.open_declining_letter()
    qtbot.addWidget(composer)
    assert composer.letter().template == "declining" and "Dale Corbin" in composer.editor.toPlainText()
    with qtbot.waitSignal(dialog.open_client_requested) as blocker:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [demo_vault.clients.resolve("Dale").id]
    with pytest.raises(ValueError):
        DoNotServeWarning(demo_vault, [])


def test_reminders_panel_is_quiet_once_its_vault_is_locked(qtbot, vault_path) -> None:  # type: ignore[no-untyped-def]
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    vault, _recovery = Vault.create(vault_path, PASSPHRASE)
    panel = RemindersPanel(vault)
    qtbot.addWidget(panel)
    vault.lock()
    panel.refresh()  # what its minute timer does if it fires between a lock and the panel's deletion
    assert not panel.timer.isActive()
