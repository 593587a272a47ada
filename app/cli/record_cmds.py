"""Record commands: client, log, edit, retract, attach, timeline, search, show."""

from __future__ import annotations

import argparse
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.cli import context as ctx
from app.errors import InvalidInput
from app.records.models import CLIENT_STATUSES, ENTRY_KINDS, Client, Entry, EntryFields, TimelineRow
from app.records.times import now_utc, parse_utc_text, parse_when
from app.words import plural


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    client = sub.add_parser("client", help="add, list and show clients")
    csub = client.add_subparsers(dest="client_command", metavar="ACTION", required=True)
    p = csub.add_parser("add", help="add a client")
    ctx.add_vault_options(p)
    p.add_argument("name")
    p.add_argument("--email", action="append", default=[])
    p.add_argument("--phone", action="append", default=[])
    p.add_argument("--address", default="")
    p.add_argument("--notes", default="")
    p.add_argument("--status", default="active", help=", ".join(s.replace("_", "-") for s in CLIENT_STATUSES))
    p.add_argument("--force", action="store_true", help="add even if the person matches a do-not-serve client")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_client_add)
    p = csub.add_parser("list", help="list clients")
    ctx.add_vault_options(p)
    p.add_argument("filter", nargs="?", default="")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_client_list)
    p = csub.add_parser("edit", help="change a client's name, emails, phones, address or notes (kept as a revision)")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--name")
    p.add_argument("--email", action="append", help="the client's emails (repeat; replaces the list; '' for none)")
    p.add_argument("--phone", action="append", help="the client's phones (repeat; replaces the list; '' for none)")
    p.add_argument("--address")
    p.add_argument("--notes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_client_edit)
    p = csub.add_parser("show", help="show a client, their status history and former details")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_client_show)

    p = sub.add_parser("log", help="log a call, note, incident … for a client")
    ctx.add_vault_options(p)
    p.add_argument("client")
    _entry_options(p, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_log)

    p = sub.add_parser("edit", help="edit an entry (adds a revision; the old version stays)")
    ctx.add_vault_options(p)
    p.add_argument("entry")
    _entry_options(p, required=False)
    p.add_argument("--note", default="", help="why the entry was edited")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_edit)

    p = sub.add_parser("retract", help="withdraw an entry, with a reason (it stays in the record)")
    ctx.add_vault_options(p)
    p.add_argument("entry")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_retract)

    p = sub.add_parser("attach", help="attach files to an entry")
    ctx.add_vault_options(p)
    p.add_argument("entry")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_attach)

    p = sub.add_parser("timeline", help="a client's entries, newest first")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--kind", action="append", default=[], help="only these kinds (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_timeline)

    p = sub.add_parser("search", help="full-text search across every client")
    ctx.add_vault_options(p)
    p.add_argument("query")
    p.add_argument("--client")
    p.add_argument("--limit", type=ctx.whole_number(1, 10_000), default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("show", help="show an entry in full, with revisions and attachments")
    ctx.add_vault_options(p)
    p.add_argument("entry")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)


def _entry_options(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--kind", required=required, help=", ".join(ENTRY_KINDS))
    p.add_argument("--title", required=required)
    body = p.add_mutually_exclusive_group()
    body.add_argument("--body")
    body.add_argument("--body-file", type=Path, help="read the body from a file ('-' = stdin)")
    p.add_argument("--when", help="when it happened, ISO 8601 (default: now)")
    p.add_argument("--tz", help="IANA time zone for --when without an offset (default: this machine's)")
    p.add_argument("--duration", type=ctx.MINUTES, metavar="MIN", help="duration in minutes")
    p.add_argument("--time-spent", type=ctx.MINUTES, metavar="MIN", help="time you spent on it, in minutes")
    p.add_argument("--amount", help="money involved, e.g. 120.50")
    p.add_argument("--currency", help="currency code, e.g. USD")
    p.add_argument("--participant", action="append", help="who took part (repeatable)")
    p.add_argument("--tag", action="append", help="a tag (repeatable)")
    private = p.add_mutually_exclusive_group()
    private.add_argument("--private", action="store_true", default=None, help="leave out of dossiers unless asked")
    private.add_argument("--not-private", dest="private", action="store_false")


def _body(args: argparse.Namespace) -> str | None:
    if args.body is not None:
        return str(args.body)
    if args.body_file is None:
        return None
    return ctx.read_user_text(args.body_file, "body file")


def _cents(text: str | None) -> int | None:
    if text is None:
        return None
    from app.records.common import MAX_AMOUNT_CENTS

    shown = text if len(text) <= 40 else text[:40] + "…"
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"{shown!r} is not an amount of money.") from None
    if not value.is_finite():
        raise InvalidInput(f"{shown!r} is not an amount of money.")
    # Compare before converting: 1e400000000 would take forever to turn into an int
    # (and overflows the decimal context on the way).
    if value and (value.adjusted() > 15 or value.copy_abs() * 100 > MAX_AMOUNT_CENTS):
        raise InvalidInput(f"The amount {shown} is too large (at most {MAX_AMOUNT_CENTS // 100:,}).")
    return int((value * 100).to_integral_value())


def _fields_from_args(args: argparse.Namespace, base: EntryFields | None) -> EntryFields:
    changes: dict[str, Any] = {}
    if args.kind is not None:
        changes["kind"] = args.kind
    if args.title is not None:
        changes["title"] = args.title
    body = _body(args)
    if body is not None:
        changes["body"] = body
    if args.when is not None:
        changes["occurred_at"], changes["occurred_tz"] = parse_when(args.when, zone_name=args.tz)
    elif base is None:
        from app.records.times import local_zone

        zone, name = local_zone()
        changes["occurred_at"], changes["occurred_tz"] = now_utc().astimezone(zone), name
    for attr, key in (("duration", "duration_min"), ("time_spent", "time_spent_min"), ("currency", "currency")):
        if getattr(args, attr) is not None:
            changes[key] = getattr(args, attr)
    if args.amount is not None:
        changes["amount_cents"] = _cents(args.amount)
    if args.participant is not None:
        changes["participants"] = tuple(args.participant)
    if args.tag is not None:
        changes["tags"] = tuple(args.tag)
    if args.private is not None:
        changes["private"] = bool(args.private)
    if base is None:
        return EntryFields(**changes)
    if not changes:
        raise InvalidInput("Nothing to change: give at least one of --title, --body, --when, --kind ….")
    return replace(base, **changes)


# -- output ------------------------------------------------------------------


def _when(entry: Entry) -> str:
    return entry.occurred_at.isoformat(timespec="minutes")


def _row_when(row: TimelineRow) -> str:
    return parse_utc_text(row.occurred_utc).isoformat(timespec="minutes")


def _client_line(c: Client) -> str:
    status = CLIENT_STATUSES.get(c.status, c.status)
    marker = "  ⚠ DO NOT SERVE" if c.status == "do_not_serve" else ""
    return f"{c.id:>5}  {c.name}  [{status}]  {plural(c.entry_count, 'entry')}{marker}"


def _entry_json(vault: Any, entry: Entry, full: bool = False) -> dict[str, Any]:
    f = entry.fields
    data: dict[str, Any] = {
        "id": entry.id,
        "client_id": entry.client_id,
        "kind": f.kind,
        "title": f.title,
        "occurred_at": f.occurred_at.isoformat(),
        "occurred_tz": f.occurred_tz,
        "recorded_at": entry.recorded_at.isoformat(),
        "revision": entry.rev,
        "attachments": entry.attachment_count,
        "private": f.private,
        "retracted": None
        if entry.retraction is None
        else {"reason": entry.retraction.reason, "at": entry.retraction.retracted_at.isoformat()},
    }
    if full:
        from app.records.contemporaneity import entry_lag, revision_lag, vault_late_days

        late_days = vault_late_days(vault)
        first_written = entry_lag(entry, late_days=late_days)
        data.update(
            lag_seconds=first_written.seconds,
            late=first_written.is_late,
            lag=first_written.describe(),
            body=f.body,
            participants=list(f.participants),
            duration_min=f.duration_min,
            time_spent_min=f.time_spent_min,
            amount_cents=f.amount_cents,
            currency=f.currency,
            tags=list(f.tags),
        )
        data["revisions"] = [
            {
                "rev": r.rev,
                "recorded_at": r.recorded_at.isoformat(),
                "title": r.fields.title,
                "body": r.fields.body,
                "occurred_at": r.fields.occurred_at.isoformat(),
                "note": r.note,
                "lag_seconds": revision_lag(r, late_days=late_days).seconds,
                "late": revision_lag(r, late_days=late_days).is_late,
                "lag": revision_lag(r, late_days=late_days).describe(),
            }
            for r in vault.entries.revisions(entry.id)
        ]
        data["attachment_list"] = [
            {
                "id": a.id,
                "name": a.name,
                "media_type": a.media_type,
                "size": a.size,
                "sha256": a.sha256,
                "source": a.source,
                "added_at": a.added_at.isoformat(),
                "metadata": a.metadata,
            }
            for a in vault.attachments.for_entry(entry.id)
        ]
        from app.mail.dkim import summary

        first = data["attachment_list"][0] if data["attachment_list"] else None
        data["dkim"] = summary(first["metadata"]) if first and first["media_type"] == "message/rfc822" else None
    return data


def _entry_line(e: Entry) -> str:
    mark = f"  📎{e.attachment_count}" if e.attachment_count else ""
    retracted = "  [RETRACTED]" if e.retraction else ""
    return f"#{e.id:<6} {_when(e)}  {e.kind:<12} {e.title}{mark}{retracted}"


# -- handlers ----------------------------------------------------------------


def cmd_client_add(args: argparse.Namespace) -> int:
    from app.cli.parting_cmds import warn_do_not_serve

    with ctx.open_vault(args) as vault:
        # A returning do-not-serve client is refused unless --force: a script adding
        # clients in bulk must not quietly re-admit someone the owner chose not to serve.
        if warn_do_not_serve(vault, args.name, args.email, args.phone) and not args.force:
            ctx.err("casefile: the client was not added; add --force to add them anyway.")
            return 1
        c = vault.clients.add(
            args.name, emails=args.email, phones=args.phone, address=args.address, notes=args.notes, status=args.status
        )
        if args.json:
            ctx.print_json(c)
        else:
            ctx.out(f"Added client {c.id}: {c.name}")
    return 0


def cmd_client_list(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        clients = vault.clients.list(args.filter)
    if args.json:
        ctx.print_json(clients)
    else:
        for c in clients:
            ctx.out(_client_line(c))
        if not clients:
            ctx.err("No clients." if not args.filter else f"No client matches {args.filter!r}.")
    return 0


def client_changes(args: argparse.Namespace) -> dict[str, object]:
    changes: dict[str, object] = {}
    if args.name is not None:
        changes["name"] = args.name
    for key, values in (("emails", args.email), ("phones", args.phone)):
        if values is not None:
            changes[key] = [v for v in values if v.strip()]
    for key in ("address", "notes"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    return changes


def cmd_client_edit(args: argparse.Namespace) -> int:
    from app.errors import InvalidInput

    changes = client_changes(args)
    if not changes:
        raise InvalidInput("Nothing to change: give --name, --email, --phone, --address or --notes.")
    with ctx.open_vault(args) as vault:
        before = vault.clients.resolve(args.client)
        current = {k: list(v) if isinstance(v, tuple) else v for k, v in ctx.to_jsonable(before).items()}
        if all(current.get(k) == v for k, v in changes.items()):
            raise InvalidInput(f"{before.name}'s details already read like that; nothing was changed.")
        c = vault.clients.update(before.id, **changes)
    if args.json:
        ctx.print_json(c)
    else:
        ctx.out(f"Updated client {c.id}: {c.name} (the former details stay in the record)")
    return 0


def cmd_client_show(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        c = vault.clients.resolve(args.client)
        history = vault.clients.status_history(c.id)
        revisions = vault.clients.revisions(c.id)
    if args.json:
        ctx.print_json({**ctx.to_jsonable(c), "status_history": history, "revisions": revisions})
        return 0
    ctx.out(_client_line(c))
    for label, values in (("Email", c.emails), ("Phone", c.phones)):
        for value in values:
            ctx.out(f"  {label}: {value}")
    if c.address:
        ctx.out(f"  Address: {c.address}")
    if c.notes:
        ctx.out(f"  Notes: {c.notes}")
    for change in history:
        ctx.out(
            f"  {change.changed_at:%Y-%m-%d %H:%M} UTC  → {CLIENT_STATUSES.get(change.status, change.status)}: {change.reason}"
        )
    former = [
        f"{label} {value}"
        for label, values, now in (
            ("name", [r.name for r in revisions], [c.name]),
            ("email", [e for r in revisions for e in r.emails], c.emails),
            ("phone", [p for r in revisions for p in r.phones], c.phones),
        )
        for value in dict.fromkeys(values)
        if value not in now
    ]
    if former:
        ctx.out(f"  Formerly: {'; '.join(former)}")
    edits = [r for r in revisions if r.action == "client.update"]
    if edits:
        ctx.out(
            f"  Details changed {len(edits)} time{'s' if len(edits) != 1 else ''}, last {edits[-1].at:%Y-%m-%d %H:%M} UTC"
        )
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    fields = _fields_from_args(args, None)
    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        entry = vault.entries.log(client.id, fields)
        if args.json:
            ctx.print_json(_entry_json(vault, entry))
        else:
            ctx.out(f"Logged entry {entry.id} for {client.name}: {entry.title}")
        if entry.fields.participants:
            from app.cli.parting_cmds import warn_participants

            warn_participants(vault, client.id, entry.fields.participants)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        entry = vault.entries.resolve(args.entry)
        entry = vault.entries.revise(entry.id, _fields_from_args(args, entry.fields), note=args.note)
        if args.json:
            ctx.print_json(_entry_json(vault, entry))
        else:
            ctx.out(f"Entry {entry.id} is now at revision {entry.rev}; the earlier versions are kept.")
    return 0


def cmd_retract(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        entry = vault.entries.resolve(args.entry)
        vault.entries.retract(entry.id, args.reason)
    ctx.out(f"Entry {entry.id} retracted; it stays in the record with your reason.")
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    added = []
    with ctx.open_vault(args) as vault:
        entry = vault.entries.resolve(args.entry)
        for path in args.files:
            att = vault.attachments.add_file(entry.id, path, source="cli")
            added.append(att)
            if not args.json:
                linked = len(vault.attachments.entries_with(att.sha256)) > 1
                dup = "  (same bytes already in the vault: linked, not stored twice)" if linked else ""
                ctx.out(f"Attached {att.name} ({att.size} bytes, sha256 {att.sha256[:16]}…) to entry {entry.id}{dup}")
    if args.json:
        ctx.print_json(added)
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        entries = vault.entries.timeline(client.id, tuple(args.kind))
        if args.json:
            ctx.print_json([_entry_json(vault, e) for e in entries])
            return 0
    ctx.out(f"{client.name}: {plural(len(entries), 'entry')}")
    for e in entries:
        ctx.out(_entry_line(e))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        client_id = vault.clients.resolve(args.client).id if args.client else None
        hits = vault.search(args.query, client_id=client_id, limit=args.limit)
    if args.json:
        ctx.print_json(hits)
        return 0
    for h in hits:
        when = parse_utc_text(h.occurred_utc).strftime("%Y-%m-%d")
        ctx.out(f"#{h.entry_id:<6} {when}  {h.client_name}  {h.kind}  {h.title}")
        ctx.out(f"         {' '.join(h.snippet.split())}")
    if not hits:
        ctx.err(f"No entries match {args.query!r}.")
        return 1
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        entry = vault.entries.resolve(args.entry)
        data = _entry_json(vault, entry, full=True)
        client = vault.clients.get(entry.client_id)
    if args.json:
        ctx.print_json(data)
        return 0
    f = entry.fields
    ctx.out(f"#{entry.id}  {ENTRY_KINDS.get(f.kind, f.kind)}: {f.title}")
    ctx.out(f"Client:    {client.name}")
    ctx.out(f"Occurred:  {_when(entry)}" + (f" ({f.occurred_tz})" if f.occurred_tz else ""))
    ctx.out(f"Recorded:  {entry.recorded_at.isoformat(timespec='seconds')} ({data['lag']})")
    if f.participants:
        ctx.out(f"With:      {', '.join(f.participants)}")
    if f.duration_min is not None:
        ctx.out(f"Duration:  {f.duration_min} min")
    if f.amount_cents is not None:
        ctx.out(f"Amount:    {Decimal(f.amount_cents) / 100:.2f} {f.currency or ''}".rstrip())
    if f.tags:
        ctx.out(f"Tags:      {', '.join(f.tags)}")
    if f.private:
        ctx.out("Private:   yes (left out of dossiers unless asked)")
    if entry.retraction:
        ctx.out(f"RETRACTED {entry.retraction.retracted_at:%Y-%m-%d %H:%M} UTC: {entry.retraction.reason}")
    ctx.out("")
    ctx.out(f.body)
    for a in data["attachment_list"]:
        ctx.out(f"  📎 {a['name']}  {a['media_type']}  {a['size']} bytes  sha256 {a['sha256']}")
    if len(data["revisions"]) > 1:
        ctx.out("")
        ctx.out("Revisions:")
        for r in data["revisions"]:
            note = f" — {r['note']}" if r["note"] else ""
            ctx.out(f"  rev {r['rev']}  recorded {r['recorded_at'][:19]} ({r['lag']})  {r['title']}{note}")
    return 0
