"""The whole parting-ways workflow through the command line, as a script would run it."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

from app.vault import Vault
from tests.conftest import PASSPHRASE


def test_parting_ways_from_pattern_to_do_not_serve(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.ok("init")
    cli.ok("client", "add", "Pat Lane", "--email", "pat.lane@example.org", "--phone", "+1 (555) 010-2030")
    for when, kind in (("2026-08-01T10:00Z", "incident"), ("2026-09-01T10:00Z", "complaint")):
        cli.ok("log", "Pat", "--kind", kind, "--title", kind, "--when", when)
    cli.ok("log", "Pat", "--kind", "legal_threat", "--title", "Lawyer letter", "--when", "2026-09-20T10:00Z")
    cli.ok("log", "Pat", "--kind", "invoice", "--title", "Final", "--amount", "1200", "--when", "2026-09-21T10:00Z")

    pattern = cli.ok("pattern", "Pat", "--json", "--as-of", "2026-10-01T00:00Z").json()
    assert pattern["verdict"]["kind"] == "recurring" and pattern["verdict"]["recent"] == 3
    assert pattern["money"]["unpaid"] == 120_000
    assert "recurring: 3 incidents in the last 90 days" in cli.ok("pattern", "Pat", "--as-of", "2026-10-01").out

    cli.ok("status", "Pat", "parting-ways", "--reason", "Recurring disputes; ending under clause 9.")
    cli.ok("checklist", "Pat", "--done", "terms", "--notice-end", "2026-10-15T09:00Z", "--date", "2026-10-01T09:00Z")
    cli.ok("checklist", "Pat", "--done", "settled", "--note", "Final invoice sent.")
    refused = cli("checklist", "Pat", "--done", "proofread")
    assert refused.code == 1 and "who" in refused.err and "Traceback" not in refused.err
    cli.ok("checklist", "Pat", "--done", "proofread", "--by", "Alex")

    letter_file = tmp_path / "letter.txt"
    made = cli.ok("letter", "Pat", "--template", "not-right-fit", "--out", str(letter_file), "--check")
    assert "October 15, 2026" in letter_file.read_text()  # the notice end from the checklist
    assert "placeholder" in made.err  # no referral list yet: flagged, not hidden
    bad = cli.ok("letter", "Pat", "--draft", "-", "--check", input="You never paid! We might stop for now.")
    assert "“You never”" in bad.err and "“might”" in bad.err and "exclamation" in bad.err
    assert cli.ok("referrals", "--add", "Oak & Iron Builders", "--json").json() == ["Oak & Iron Builders"]
    with Vault.open(cli.vault, PASSPHRASE) as vault:
        vault.settings.set("owner_name", "Sam Rivera")
        vault.settings.set("business_name", "Brightline Renovations")
    cli.ok("letter", "Pat", "--template", "not-right-fit", "--out", str(letter_file))
    checked = cli.ok("letter", "Pat", "--draft", str(letter_file), "--json")
    assert checked.json()["findings"] == []
    sent = cli.ok(
        "letter",
        "Pat",
        "--draft",
        str(letter_file),
        "--record",
        "--how",
        "email",
        "--date",
        "2026-10-02T09:00Z",
        "--json",
    )
    letter_entry = sent.json()["entry_id"]

    due = cli.ok("reminders", "--json", "--as-of", "2026-10-03T12:00Z").json()
    assert [r["reminder"]["title"] for r in due] == ["Follow-up call about the letter"]
    assert cli.ok("reminders", "--json", "--as-of", "2026-10-02T10:00Z").json() == []
    card = cli.ok("followup", "Pat", "--json").json()
    assert card["letter"]["id"] == letter_entry and card["pushback"]
    cli.ok("followup", "Pat", "--log", "Calm call.", "--outcome", "Accepted; handover on the 10th.", "--duration", "6")
    cli.ok("checklist", "Pat", "--done", "reflection", "--note", "Put change orders in writing from day one.")
    cli.ok("checklist", "Pat", "--done", "status", "--status", "do-not-serve", "--reason", "Ended after disputes.")

    steps = {s["step"]: s for s in cli.ok("checklist", "Pat", "--json").json()["steps"]}
    assert all(steps[k]["done"] for k in ("terms", "settled", "proofread", "sent", "follow_up", "outcome", "status"))
    assert steps["sent"]["how"] == "email" and steps["sent"]["entry_id"] == letter_entry
    assert not steps["meeting"]["done"] and steps["meeting"]["optional"]
    assert cli.ok("verify").code == 0

    # Pat comes back under a new address with a plus tag: recognised, refused without --force.
    again = cli("client", "add", "Pat Lane", "--email", "PAT.LANE+new@example.org")
    assert again.code == 1 and "Ended after disputes." in again.err and "--template declining" in again.err
    msg = EmailMessage()
    msg["From"] = "Pat <pat.lane@example.org>"
    msg["Subject"] = "Hello again"
    msg.set_content("Are you available?")
    eml = tmp_path / "hello.eml"
    eml.write_bytes(bytes(msg))
    assert email.message_from_bytes(eml.read_bytes(), policy=policy.default)["From"]
    hits = cli.ok("do-not-serve", "--eml", str(eml), "--json").json()
    assert [h["matched_on"] for h in hits] == ["email"] and hits[0]["reason"] == "Ended after disputes."
    # A different person with a similar name is added without a warning.
    other = cli.ok("client", "add", "Pat Lanes", "--email", "patl@example.com")
    assert "warning" not in other.err
    call = cli.ok("log", "Pat Lanes", "--kind", "call", "--title", "Intro", "--participant", "555-010-2030")
    assert "Pat Lane (client 1)" in call.err and "by phone" in call.err
    declining = cli.ok("letter", "Pat Lane", "--template", "declining").out
    assert "not to take on new work" in declining

    with Vault.open(cli.vault, PASSPHRASE) as vault:
        actions = [e.action for e in vault.events()]
        assert actions.count("parting.step") == 8  # every step but the optional meeting and drafted
        assert {"client.status", "reminder.add", "reminder.done", "parting.letter_exported"} <= set(actions)
        assert vault.verify().ok


def test_templates_and_errors_read_as_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.ok("init")
    cli.ok("client", "add", "Robin")
    assert "Respectful conduct" in cli.ok("template", "conduct-clause", "Robin").out
    assert "Review date" in cli.ok("template", "game-plan", "Robin").out
    unknown = cli("letter", "Robin", "--template", "nope")
    assert unknown.code == 1 and unknown.err.count("\n") == 1 and "not-right-fit" in unknown.err
    wrong = cli("letter", "Robin", "--template", "declining", "--out", str(tmp_path / "x.docx"))
    assert wrong.code == 1 and ".eml" in wrong.err and not (tmp_path / "x.docx").exists()
