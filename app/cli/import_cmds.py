"""Import commands: import (files and folders), watch (the Inbox folder), triage."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.cli import context as ctx


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("import", help="import emails, photos and documents into a client's timeline")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders (folders recursively)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--with",
        dest="with_",
        metavar="NUMBER|NAME",
        help="phone messages: the conversation to take (default: the client's phone numbers and name)",
    )
    p.add_argument("--zone", metavar="ZONE", help="WhatsApp exports: the phone's time zone, e.g. Europe/Berlin")
    p.add_argument(
        "--date-order", choices=("dmy", "mdy"), help="WhatsApp exports whose dates fit both day- and month-first"
    )
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("watch", help="import what appears in the Inbox folder (Ctrl+C to stop)")
    ctx.add_vault_options(p)
    p.add_argument(
        "--inbox", type=Path, help='the Inbox folder (default: the inbox_folder setting, else "~/Casefile Inbox")'
    )
    p.add_argument("--delete-imported", action="store_true", help="delete originals after a verified import")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--once", action="store_true", help="import what is there now, then stop")
    how.add_argument(
        "--separate-process",
        action="store_true",
        help="read and import in a child process, as the desktop app does (one file that crashes a reader "
        "is set aside in Failed/)",
    )
    p.add_argument(
        "--settle", type=ctx.seconds(3600), default=2.0, metavar="SEC", help="how long a file must stay unchanged"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    p.set_defaults(handler=cmd_watch)

    p = sub.add_parser(
        "inbox-folder",
        help="give a client a folder in the Inbox (names are visible to anyone using this computer)",
    )
    ctx.add_vault_options(p)
    p.add_argument("client", nargs="?", help="the client (omit with --list)")
    p.add_argument("--neutral", action="store_true", help="name the folder C-0007 (the client's number), not the name")
    p.add_argument("--remove", action="store_true", help="the client no longer has an Inbox folder")
    p.add_argument("--list", action="store_true", help="list the Inbox folders and their clients")
    p.set_defaults(handler=cmd_inbox_folder)

    p = sub.add_parser("triage", help="files from the Inbox root waiting for a client")
    tsub = p.add_subparsers(dest="triage_command", metavar="ACTION", required=True)
    q = tsub.add_parser("list", help="list files waiting for a client")
    ctx.add_vault_options(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_triage_list)
    q = tsub.add_parser("assign", help="file a waiting item under a client")
    ctx.add_vault_options(q)
    q.add_argument("item", type=ctx.ID)
    q.add_argument("client")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_triage_assign)


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Any]:
    """A rich progress bar on a terminal's stderr; nothing when piped or logged."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task("import", total=total)
        yield lambda: bar.advance(task)


def cmd_import(args: argparse.Namespace) -> int:
    from app.ingest.chats import ChatOptions
    from app.ingest.importer import IMPORTED, REFUSED, import_path, iter_files

    chat = ChatOptions(with_=args.with_, zone=args.zone, date_order=args.date_order)
    if args.zone:
        from app.ingest.chats import resolve_zone

        resolve_zone(args.zone, "--zone")  # a typo is a usage error before any file is read

    files = list(iter_files(args.paths))
    results = []
    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        with _progress(len(files), sys.stderr.isatty() and not args.json) as advance:
            for path in files:
                result = import_path(vault, client.id, path, source="cli", chat=chat)
                results.append(result)
                if not args.json:
                    ctx.out(result.line()) if result.ok else ctx.err(result.line())
                if advance:
                    advance()
    counts = {s: sum(1 for r in results if r.status == s) for s in (IMPORTED, "duplicate", REFUSED)}
    if args.json:
        ctx.print_json({"client_id": client.id, "results": [_result_json(r) for r in results], "summary": counts})
    else:
        ctx.out(
            f"{counts[IMPORTED]} imported, {counts['duplicate']} already there, {counts[REFUSED]} refused"
            f" ({len(results)} file{'s' * (len(results) != 1)}) for {client.name}."
        )
    return 1 if counts[REFUSED] else 0


def _result_json(result: Any) -> dict[str, Any]:
    return {
        "path": result.path,
        "status": result.status,
        "entry_ids": list(result.entry_ids),
        "attachments": result.attachments,
        "sha256": result.sha256,
        "size": result.size,
        "reason": result.reason,
        "linked_entry_ids": list(result.linked_entry_ids),
        "notes": list(result.notes),
    }


def cmd_watch(args: argparse.Namespace) -> int:
    import json

    from app.ingest.inbox import Inbox, inbox_settings

    def report(result: Any) -> None:
        if args.json:
            print(json.dumps(_result_json(result), ensure_ascii=False), flush=True)
        else:
            print(ctx.terminal_safe(result.line()), flush=True)

    ended = threading.Event()  # the Inbox's child could not go on (--separate-process)
    with ctx.open_vault(args) as vault:
        folder, delete_imported = inbox_settings(vault)
        root = args.inbox.expanduser() if args.inbox else folder
        options: dict[str, Any] = {
            "delete_imported": args.delete_imported or delete_imported,
            "settle_seconds": args.settle,
            "on_result": report,
        }
        if args.separate_process:
            from app.ingest.inbox_child import InboxProcess

            inbox: Any = InboxProcess(vault, root, on_error=ctx.err, on_end=lambda _line: ended.set(), **options)
        else:
            inbox = Inbox(vault, root, **options)
        if args.once:
            inbox.prepare()
            inbox.drain()
            return 0
        inbox.start()
        if not args.json:
            ctx.err(f"Watching {inbox.root} (Ctrl+C to stop).")
        previous = signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: as Ctrl+C
        try:
            while not ended.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            inbox.stop()  # the file being imported finishes its transaction
            signal.signal(signal.SIGTERM, previous)
    return 1 if ended.is_set() else 0


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def cmd_inbox_folder(args: argparse.Namespace) -> int:
    from app.errors import InvalidInput
    from app.ingest import inbox_folders

    if args.list == bool(args.client):
        raise InvalidInput("Name a client, or give --list.")
    with ctx.open_vault(args) as vault:
        if args.list:
            for name, client_id in sorted(inbox_folders.assigned(vault).items()):
                ctx.out(f"{name}  →  {vault.clients.get(client_id).name} (client {client_id})")
            if not inbox_folders.assigned(vault):
                ctx.out("No client has an Inbox folder; files in the Inbox itself wait in triage.")
            return 0
        client = vault.clients.resolve(args.client)
        if args.remove:
            inbox_folders.remove_client_folder(vault, client.id)
            ctx.out(f"{client.name} has no Inbox folder now (a folder already made is left as it is).")
            return 0
        name = inbox_folders.add_client_folder(vault, client.id, neutral=args.neutral)
    ctx.out(f"Inbox folder for {client.name}: {name} (made when the Inbox is next watched).")
    return 0


def cmd_triage_list(args: argparse.Namespace) -> int:
    from app.ingest import triage

    with ctx.open_vault(args) as vault:
        items = triage.pending(vault)
    if args.json:
        ctx.print_json(items)
        return 0
    for item in items:
        ctx.out(f"{item.id:>5}  {item.added_at:%Y-%m-%d %H:%M}  {item.name}  ({item.size} bytes)")
    if not items:
        ctx.out("Nothing is waiting for a client.")
    return 0


def cmd_triage_assign(args: argparse.Namespace) -> int:
    from app.ingest import triage

    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        result = triage.assign(vault, args.item, client.id)
    if args.json:
        ctx.print_json(_result_json(result))
    else:
        (ctx.out if result.ok else ctx.err)(result.line())
    return 0 if result.ok else 1
