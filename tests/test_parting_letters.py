"""Parting ways: letters and their checks, the follow-up call, reminders due, do-not-serve matching."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from app.errors import InvalidInput
from app.parting import dns
from app.parting.checklist import FOLLOW_UP_TITLE, checklist, mark_done
from app.parting.due import due_reminders
from app.parting.export import export_letter
from app.parting.followup import call_card, log_follow_up_call, pushback_answers
from app.parting.letter_checks import check_letter
from app.parting.letters import (
    LETTER_TEMPLATES,
    Letter,
    find_letter_draft,
    record_sent,
    render,
    render_document,
    save_letter_draft,
)

GOOD_DRAFT = """Dear Ms Lane,

Thank you for the years of work together on the café.

We have decided to end our working relationship, effective March 31. Our decision is final.

We recommend Oak & Iron Builders, who know the building well.

Our final invoice will follow by March 31, and any refund owed to you will be paid with it.

Thank you again, and we wish you the best.

Sam Rivera"""

BAD_DRAFTS = {
    "blame": "We have decided to end our work because of your rude behaviour. Final invoice attached. We recommend Oak.",
    "emotion": "We are frustrated and have decided to end our work! Final invoice attached. We recommend Oak.",
    "ambiguous": "We might need to end our work for now. Final invoice attached. We recommend Oak.",
    "missing_alternatives": "We have decided to end our work. Our final invoice will follow.",
    "missing_final_invoice": "We have decided to end our work. We recommend Oak & Iron Builders.",
    "missing_decision": "Thank you for everything. Final invoice attached. We recommend Oak.",
    "unfilled": "We have decided to end our work on [date]. Final invoice attached. We recommend Oak.",
}


def test_a_good_letter_raises_no_flags() -> None:
    assert check_letter(GOOD_DRAFT) == []


@pytest.mark.parametrize(("code", "draft"), BAD_DRAFTS.items())
def test_each_bad_draft_is_flagged_for_its_problem(code: str, draft: str) -> None:
    findings = check_letter(draft)
    assert code in {f.code for f in findings}
    for f in findings:
        if f.end:  # a span points at the words it is about
            assert draft[f.start : f.end] == f.text and f.message


def test_flag_spans_point_at_the_words() -> None:
    draft = "We might stop. You never pay on time!"
    spans = {(f.code, draft[f.start : f.end]) for f in check_letter(draft)}
    assert {("ambiguous", "might"), ("blame", "You never"), ("emotion", "!")} <= spans


def test_every_template_fills_from_the_vault_and_passes_its_own_checks(demo_vault) -> None:  # type: ignore[no-untyped-def]
    demo_vault.settings.set("referrals", "Oak & Iron Builders\nLakeside Home Services")
    gerald = demo_vault.clients.resolve("Gerald")
    for key in LETTER_TEMPLATES:
        letter = render(demo_vault, gerald.id, key, effective_date="October 6, 2026")
        assert "Gerald Whitmore" in letter.body and "Sam Rivera" in letter.body
        assert "Brightline Renovations" in letter.body and "- Lakeside Home Services" in letter.body
        assert "${" not in letter.body and letter.subject
        assert letter.check() == [], (key, letter.check())
    # Without referrals or a date the holes are flagged, not hidden.
    demo_vault.settings.set("referrals", "")
    codes = {f.code for f in render(demo_vault, gerald.id, "not-right-fit").check()}
    assert codes == {"unfilled"}
    assert "Brightline" in render_document(demo_vault, gerald.id, "conduct-clause")
    assert "Gerald Whitmore" in render_document(demo_vault, gerald.id, "game-plan")


def test_the_notice_end_from_the_checklist_fills_the_date(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Noticed")
    mark_done(vault, c.id, "terms", notice_end=datetime(2026, 12, 4, 17, tzinfo=UTC))
    assert "December 4, 2026" in render(vault, c.id, "end-of-term").body


def test_sending_a_letter_records_it_and_sets_the_follow_up(vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Lane", emails=["lane@example.org"])
    sent_at = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
    letter = Letter("not-right-fit", "Our work together", GOOD_DRAFT)
    entry_id = record_sent(vault, c.id, letter, how="email", sent_at=sent_at, proofread_by="Alex")
    entry = vault.entries.get(entry_id)
    assert entry.kind == "letter_sent" and entry.fields.body == GOOD_DRAFT and entry.occurred_at == sent_at
    steps = {s.step.key: s for s in checklist(vault, c.id)}
    assert steps["sent"].entry_id == entry_id and steps["proofread"].by_whom == "Alex"
    (follow_up,) = [r for r in vault.reminders.open(c.id) if r.title == FOLLOW_UP_TITLE]
    assert follow_up.due_at == sent_at + timedelta(hours=24)

    card = call_card(vault, c.id)
    assert card.due_at == sent_at + timedelta(hours=24)
    assert any("decided to end" in p for p in card.key_points)
    assert any("final invoice" in p for p in card.key_points)
    assert len(card.pushback) >= 5 and all(p.answer for p in pushback_answers())

    call_id = log_follow_up_call(vault, c.id, summary="Calm; asked about the handover.", outcome="Accepted.")
    steps = {s.step.key: s for s in checklist(vault, c.id)}
    assert steps["follow_up"].entry_id == call_id and steps["outcome"].note == "Accepted."
    assert not [r for r in vault.reminders.open(c.id) if r.title == FOLLOW_UP_TITLE]

    for suffix in (".txt", ".eml"):
        path = export_letter(vault, c.id, letter, tmp_path / f"letter{suffix}")
        assert "We have decided to end our working relationship" in path.read_text()
    pdf = export_letter(vault, c.id, letter, tmp_path / "letter.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:]
    parsed = email.message_from_bytes((tmp_path / "letter.eml").read_bytes(), policy=policy.default)
    assert parsed["To"] == "lane@example.org" and parsed["Subject"] == "Our work together"
    assert [e.action for e in vault.events()].count("parting.letter_exported") == 3
    assert vault.verify().ok


def test_reminders_due_today_and_overdue_follow_the_clock(vault) -> None:  # type: ignore[no-untyped-def]
    zone = ZoneInfo("America/Chicago")
    c = vault.clients.add("Clocked")
    sent_at = datetime(2026, 10, 1, 9, 0, tzinfo=zone)
    mark_done(vault, c.id, "sent", how="post", done_at=sent_at)
    mark_done(vault, c.id, "terms", notice_end=datetime(2026, 10, 10, 12, tzinfo=zone))
    assert due_reminders(vault, now=sent_at + timedelta(hours=1), zone=zone) == []
    (due,) = due_reminders(vault, now=datetime(2026, 10, 2, 7, 0, tzinfo=zone), zone=zone)
    assert due.reminder.title == FOLLOW_UP_TITLE and not due.overdue and due.client_name == "Clocked"
    later = due_reminders(vault, now=datetime(2026, 10, 10, 8, 0, tzinfo=zone), zone=zone)
    assert [(d.reminder.title, d.overdue) for d in later] == [(FOLLOW_UP_TITLE, True), ("Notice period ends", False)]


def _eml_from(sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Sam Rivera <sam@brightline-reno.example>"
    msg["Subject"] = "New project?"
    msg.set_content("Hi, are you free for a deck next month?")
    raw = bytes(msg)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_an_email_from_a_do_not_serve_client_is_recognised(demo_vault) -> None:  # type: ignore[no-untyped-def]
    parsed = _eml_from('"D. Corbin" <Dale.Corbin+deck@EXAMPLE.com>')
    (match,) = dns.match_email_header(demo_vault, str(parsed["From"]))
    dale = demo_vault.clients.resolve("Dale")
    assert (match.client_id, match.matched_on) == (dale.id, "email")
    assert "Abusive to staff" in match.reason and "do-not-serve" in match.warning
    letter = dns.declining_letter(demo_vault, match)
    assert letter.template == "declining" and "Dale Corbin" in letter.body


def test_a_different_person_with_a_similar_name_is_not_flagged(demo_vault) -> None:  # type: ignore[no-untyped-def]
    for sender in ("Dale Corbett <dale.corbett@example.com>", "Dale Corbin-Hayes <dch@example.org>"):
        assert dns.match_email_header(demo_vault, str(_eml_from(sender)["From"])) == []
    assert dns.match_person(demo_vault, name="Gale Corbin") == []
    assert dns.match_person(demo_vault, phones=["555 0112"]) == []  # too short to be a number


def test_name_and_phone_matching_are_normalised(demo_vault) -> None:  # type: ignore[no-untyped-def]
    assert [m.matched_on for m in dns.match_person(demo_vault, name="  CORBIN, Dale ")] == ["name"]
    assert [m.matched_on for m in dns.match_person(demo_vault, name="Dále Córbin")] == ["name"]
    assert [m.matched_on for m in dns.match_person(demo_vault, phones=["(708) 555-0112"])] == ["phone"]
    found = dns.match_participants(demo_vault, ["Luis Ortega", "+1 708-555-0112"])
    assert [m.client_name for m in found] == ["Dale Corbin"]
    # Gerald is parting ways, not do-not-serve: no warning for him.
    assert dns.match_person(demo_vault, name="Gerald Whitmore", emails=["gwhitmore@example.net"]) == []


def test_letter_drafts_are_kept_apart_from_notes_and_dropped_when_sent(vault) -> None:  # type: ignore[no-untyped-def]
    c = vault.clients.add("Drafty")
    assert find_letter_draft(vault, c.id) is None
    draft_id = save_letter_draft(vault, c.id, Letter("declining", "Your enquiry", "half a thought"))
    assert vault.drafts.list(c.id) == []  # a quick-capture screen restoring note drafts never sees it
    found = find_letter_draft(vault, c.id)
    assert found is not None and found[0] == draft_id and found[1].body == "half a thought"
    before = vault.head()
    with pytest.raises(InvalidInput):
        record_sent(vault, c.id, Letter("declining", "S", GOOD_DRAFT), how="", draft_id=draft_id)
    assert vault.head() == before and find_letter_draft(vault, c.id) is not None  # nothing half-done
    record_sent(vault, c.id, Letter("declining", "S", GOOD_DRAFT), how="post", draft_id=draft_id)
    assert vault.drafts.list() == []
