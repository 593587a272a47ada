"""Parting-ways commands: status, checklist, pattern, letter, followup, reminders, template, do-not-serve."""

from __future__ import annotations

import argparse
import email
from datetime import datetime
from email import policy
from pathlib import Path
from typing import Any

from app.cli import context as ctx
from app.errors import InvalidInput
from app.parting.checklist import STEP_KEYS, StepState
from app.parting.letters import DOCUMENT_TEMPLATES, LETTER_TEMPLATES
from app.records.models import CLIENT_STATUSES
from app.records.times import parse_when
from app.words import plural


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("status", help="set a client's status, with the reason (kept in the record)")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("status", help=", ".join(s.replace("_", "-") for s in CLIENT_STATUSES))
    p.add_argument("--reason", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("checklist", help="the parting-ways checklist of a client; --done STEP marks a step")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--done", metavar="STEP", help=", ".join(STEP_KEYS))
    p.add_argument("--by", default="", help="who did it (needed for proofread)")
    p.add_argument("--how", default="", help="how (needed for sent: email, post, hand delivery …)")
    p.add_argument("--note", default="", help="a few words (needed for outcome and reflection)")
    p.add_argument("--date", help="when it was done, ISO 8601 (default: now)")
    p.add_argument("--notice-end", help="for terms: when the notice period ends (sets a reminder)")
    p.add_argument("--status", help="for status: former or do-not-serve")
    p.add_argument("--reason", default="", help="for status: why")
    p.add_argument("--entry", type=ctx.ID, help="the entry this step refers to")
    p.add_argument("--tz", help="IANA time zone for dates without an offset")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_checklist)

    p = sub.add_parser("pattern", help="incidents per month, time and money: one-time or recurring?")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--as-of", help="judge the last 90 days before this time (default: now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_pattern)

    p = sub.add_parser("letter", help="write, check, export and record a parting letter")
    ctx.add_vault_options(p)
    p.add_argument("client")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--template", help=", ".join(LETTER_TEMPLATES))
    source.add_argument("--draft", type=Path, help="your own text (first line may be 'Subject: …'); '-' = stdin")
    p.add_argument("--effective", default="", help="the date the relationship ends, as the letter should say it")
    p.add_argument("--out", type=Path, help="write the letter to FILE (.txt, .eml or .pdf)")
    p.add_argument("--from", dest="sender", default="", help="From address for .eml")
    p.add_argument("--check", action="store_true", help="list what the gentle checks flag")
    p.add_argument("--record", action="store_true", help="store it as a 'letter sent' entry and mark the step")
    p.add_argument("--how", default="", help="with --record: how it was sent")
    p.add_argument("--proofread-by", default="", help="with --record: who proofread it")
    p.add_argument("--date", help="with --record: when it was sent (default: now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_letter)

    p = sub.add_parser("followup", help="the follow-up call card; --log records the call")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--log", metavar="SUMMARY", help="log the call with this summary")
    p.add_argument("--outcome", default="", help="with --log: the outcome (marks the outcome step)")
    p.add_argument("--duration", type=ctx.MINUTES, metavar="MIN")
    p.add_argument("--date", help="when the call was (default: now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_followup)

    p = sub.add_parser("reminders", help="reminders due today or overdue, across clients")
    ctx.add_vault_options(p)
    p.add_argument("--all", action="store_true", help="every open reminder, not only those due")
    p.add_argument("--as-of", help="pretend it is this time (ISO 8601)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_reminders)

    p = sub.add_parser("template", help="the conduct clause or the game plan/SOP, filled for a client")
    ctx.add_vault_options(p)
    p.add_argument("name", choices=list(DOCUMENT_TEMPLATES))
    p.add_argument("client")
    p.add_argument("--out", type=Path)
    p.set_defaults(handler=cmd_template)

    p = sub.add_parser("referrals", help="the other providers your parting letters recommend")
    ctx.add_vault_options(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--add", metavar="TEXT", help="add a provider (name, phone …)")
    group.add_argument("--remove", metavar="TEXT", help="remove a provider (exact line)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_referrals)

    p = sub.add_parser("do-not-serve", help="does this person (or this email's sender) match a do-not-serve client?")
    ctx.add_vault_options(p)
    p.add_argument("--name", default="")
    p.add_argument("--email", action="append", default=[])
    p.add_argument("--phone", action="append", default=[])
    p.add_argument("--eml", type=Path, help="check the From and Reply-To of this .eml file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_do_not_serve)


def _when(text: str | None, tz: str | None = None) -> datetime | None:
    return parse_when(text, zone_name=tz)[0] if text else None


def cmd_status(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        client = vault.clients.set_status(client.id, args.status, args.reason)
        if args.json:
            ctx.print_json({"client": client, "history": vault.clients.status_history(client.id)})
        else:
            ctx.out(f"{client.name} is now {CLIENT_STATUSES[client.status]}: {args.reason}")
    return 0


def _step_json(s: StepState) -> dict[str, Any]:
    return {
        "step": s.step.key,
        "label": s.step.label,
        "optional": s.step.optional,
        "done": s.done,
        "done_at": s.done_at,
        "by": s.by_whom,
        "how": s.how,
        "note": s.note,
        "due_at": s.due_at,
        "entry_id": s.entry_id,
        "reminder_id": s.reminder_id,
    }


DUE_LABELS = {"terms": "notice ends", "sent": "follow-up due"}


def _step_line(s: StepState, zone: Any) -> str:
    mark = "[x]" if s.done else "[ ]"
    when = s.done_at.astimezone(zone).date().isoformat() if s.done_at else ("(optional)" if s.step.optional else "")
    extra = [f"by {s.by_whom}" if s.by_whom else "", f"via {s.how}" if s.how else ""]
    if s.due_at is not None:
        extra.append(f"{DUE_LABELS.get(s.step.key, 'due')} {s.due_at.astimezone(zone).isoformat(timespec='minutes')}")
    if s.note and s.step.key in ("outcome", "reflection", "status"):
        extra.append(s.note if len(s.note) <= 60 else s.note[:57] + "…")
    details = "; ".join(x for x in extra if x)
    return f"  {mark} {when:<10}  {s.step.label}" + (f"  ({details})" if details else "")


def cmd_checklist(args: argparse.Namespace) -> int:
    from app.parting.checklist import checklist, mark_done
    from app.parting.due import owner_zone

    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        if args.done:
            mark_done(
                vault,
                client.id,
                args.done,
                done_at=_when(args.date, args.tz),
                by_whom=args.by,
                how=args.how,
                note=args.note,
                notice_end=_when(args.notice_end, args.tz),
                entry_id=args.entry,
                status=args.status,
                reason=args.reason,
            )
            client = vault.clients.get(client.id)
        states = checklist(vault, client.id)
        if args.json:
            ctx.print_json({"client_id": client.id, "status": client.status, "steps": [_step_json(s) for s in states]})
            return 0
        ctx.out(f"Parting-ways checklist for {client.name} [{CLIENT_STATUSES[client.status]}]")
        zone = owner_zone(vault)
        for s in states:
            ctx.out(_step_line(s, zone))
    return 0


def cmd_pattern(args: argparse.Namespace) -> int:
    from app.parting.pattern import client_pattern, summary_lines

    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        p = client_pattern(vault, client.id, now=_when(args.as_of))
        if args.json:
            data = ctx.to_jsonable(p)
            data["money"].update(unpaid=p.money.unpaid, lost=p.money.lost)
            ctx.print_json(data)
            return 0
        ctx.out(f"{client.name}")
        for line in summary_lines(p):
            ctx.out(f"  {line}")
        ctx.out("  month     incidents complaints threats contacts  minutes")
        for m in p.months[-12:]:
            ctx.out(f"  {m.month}  {m.incidents:>9} {m.complaints:>10} {m.threats:>7} {m.contacts:>8} {m.minutes:>8}")
    return 0


def _read_draft(path: Path) -> str:
    return ctx.read_user_text(path, "draft")


def cmd_letter(args: argparse.Namespace) -> int:
    from app.parting.export import export_letter
    from app.parting.letters import Letter, record_sent, render, split_subject

    if args.record and not args.how.strip():
        raise InvalidInput("Say how the letter was sent (--how email, post, hand delivery …); nothing was recorded.")
    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        if args.template:
            letter = render(vault, client.id, args.template, effective_date=args.effective)
        else:
            subject, body = split_subject(_read_draft(args.draft))
            letter = Letter("", subject, body)
        findings = letter.check() if args.check or args.json else []
        result: dict[str, Any] = {"client_id": client.id, "template": letter.template, "subject": letter.subject}
        if args.out:
            result["file"] = str(export_letter(vault, client.id, letter, args.out, sender=args.sender))
        if args.record:
            result["entry_id"] = record_sent(
                vault, client.id, letter, how=args.how, sent_at=_when(args.date), proofread_by=args.proofread_by
            )
        if args.json:
            result["findings"] = findings
            if not args.out:
                result["body"] = letter.body
            ctx.print_json(result)
            return 0
        if not args.out and not args.record:
            ctx.out((f"Subject: {letter.subject}\n\n" if letter.subject else "") + letter.body.rstrip("\n"))
        if "file" in result:
            ctx.err(f"Wrote {result['file']} (in the clear: it is an export).")
        if "entry_id" in result:
            ctx.err(f"Recorded as entry #{result['entry_id']}; follow-up call reminder set for 24 h later.")
        if args.check:
            for f in findings:
                line = letter.body.count("\n", 0, f.start) + 1 if f.end else None
                ctx.err(f"{'line ' + str(line) if line else 'letter'}: {f.message}")
            ctx.err(f"{plural(len(findings), 'thing')} to look at." if findings else "The gentle checks found nothing.")
    return 0


def cmd_followup(args: argparse.Namespace) -> int:
    from app.parting.followup import call_card, log_follow_up_call

    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        if args.log is not None:
            entry_id = log_follow_up_call(
                vault,
                client.id,
                summary=args.log,
                outcome=args.outcome,
                duration_min=args.duration,
                when=_when(args.date),
            )
            if args.json:
                ctx.print_json({"entry_id": entry_id})
            else:
                ctx.out(f"Logged the follow-up call as entry #{entry_id}.")
            return 0
        card = call_card(vault, client.id)
        if args.json:
            ctx.print_json(card)
            return 0
        ctx.out(f"Follow-up call: {card.client_name}  {', '.join(card.phones)}")
        if card.due_at:
            ctx.out(f"Due {card.due_at.isoformat(timespec='minutes')}")
        ctx.out("\nThe letter said:" if card.letter else "\nNo letter has been recorded yet.")
        for point in card.key_points:
            ctx.out(f"  • {point}")
        ctx.out("\nIf they push back:")
        for p in card.pushback:
            ctx.out(f"  “{p.question}”\n    → {p.answer}")
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    from app.parting.due import due_reminders, owner_zone

    with ctx.open_vault(args) as vault:
        zone = owner_zone(vault)
        if args.all:
            names = {c.id: c.name for c in vault.clients.list()}
            rows = [(r, names[r.client_id], False) for r in vault.reminders.open()]
        else:
            rows = [(d.reminder, d.client_name, d.overdue) for d in due_reminders(vault, now=_when(args.as_of))]
        if args.json:
            ctx.print_json([{"reminder": r, "client_name": n, "overdue": o} for r, n, o in rows])
            return 0
        if not rows:
            ctx.out("Nothing due today.")
        for r, name, overdue in rows:
            flag = "OVERDUE " if overdue else ""
            ctx.out(f"#{r.id:<5} {flag}{r.due_at.astimezone(zone).isoformat(timespec='minutes')}  {name}: {r.title}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from app.parting.letters import render_document

    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        text = render_document(vault, client.id, args.name)
    if args.out:
        from app.dossier.partials import create_private

        try:
            create_private(args.out)  # 0600: it holds the client's record
            args.out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InvalidInput(f"Cannot write {args.out}: {error.strerror}.") from None
        ctx.err(f"Wrote {args.out}.")
    else:
        ctx.out(text.rstrip("\n"))
    return 0


def cmd_referrals(args: argparse.Namespace) -> int:
    from app.parting.letters import referrals

    with ctx.open_vault(args) as vault:
        listed = referrals(vault)
        if args.add is not None:
            if "\n" in args.add or not args.add.strip():
                raise InvalidInput("A referral is one non-empty line.")
            listed.append(args.add.strip())
        elif args.remove is not None:
            if args.remove.strip() not in listed:
                raise InvalidInput(f"{args.remove.strip()!r} is not in the referral list.")
            listed.remove(args.remove.strip())
        if args.add is not None or args.remove is not None:
            vault.settings.set("referrals", "\n".join(listed))
    if args.json:
        ctx.print_json(listed)
    else:
        for line in listed:
            ctx.out(line)
        if not listed:
            ctx.err("No referrals yet: casefile referrals --add 'Name, phone'.")
    return 0


def cmd_do_not_serve(args: argparse.Namespace) -> int:
    from app.parting.dns import match_email_header, match_person

    if not (args.name or args.email or args.phone or args.eml):
        raise InvalidInput("Give a --name, --email, --phone or --eml to check.")
    with ctx.open_vault(args) as vault:
        matches = match_person(vault, name=args.name, emails=args.email, phones=args.phone)
        if args.eml:
            data = ctx.read_user_bytes(args.eml, "message", 64 * 1024 * 1024)
            message = email.message_from_bytes(data, policy=policy.default)
            for header in ("From", "Reply-To", "Sender"):
                for value in message.get_all(header) or []:
                    matches += [m for m in match_email_header(vault, str(value)) if m not in matches]
    if args.json:
        ctx.print_json([{**ctx.to_jsonable(m), "warning": m.warning} for m in matches])
    elif not matches:
        ctx.out("No match among do-not-serve clients.")
    for m in matches if not args.json else []:
        ctx.out(f"⚠ {m.warning}")
        ctx.out(f"  A declining letter: casefile letter {m.client_id} --template declining")
    return 0


def warn_do_not_serve(vault: Any, name: str, emails: list[str], phones: list[str]) -> list[Any]:
    """For ``client add``: print a warning on stderr for each do-not-serve match; return the matches."""
    from app.parting.dns import match_person

    matches = match_person(vault, name=name, emails=emails, phones=phones)
    for m in matches:
        ctx.err(f"casefile: warning: {m.warning}")
        ctx.err(f"  To decline politely: casefile letter {m.client_id} --template declining")
    return matches


def warn_participants(vault: Any, client_id: int, participants: tuple[str, ...]) -> None:
    """For ``log``: warn on stderr when someone on a logged call or message is a do-not-serve client."""
    from app.parting.dns import match_participants

    for m in match_participants(vault, participants, exclude_client_id=client_id):
        ctx.err(f"casefile: warning: {m.warning}")
