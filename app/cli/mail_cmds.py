"""Mail commands: mail account add/list/remove/presets, mail fetch, mail dkim-recheck."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date

from app.cli import context as ctx
from app.errors import InvalidInput


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mail = sub.add_parser("mail", help="IMAP mail accounts, fetching a client's mail, DKIM checks")
    msub = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)

    account = msub.add_parser("account", help="add, list and remove IMAP accounts (stored inside the vault)")
    asub = account.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    p = asub.add_parser("add", help="add an IMAP account; the password comes from a prompt or --password-file")
    ctx.add_vault_options(p)
    p.add_argument("name")
    p.add_argument("--preset", help="gmail, outlook, icloud, fastmail or yahoo (sets host, port and TLS)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--tls", choices=("implicit", "starttls", "none"), help="none only for 127.0.0.1/localhost")
    p.add_argument("--user", required=True, help="the login name, usually the full address")
    p.add_argument("--password-file", metavar="PATH", help="read the (app) password from PATH ('-' = stdin)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_account_add)
    p = asub.add_parser("list", help="list IMAP accounts (never their passwords)")
    ctx.add_vault_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_account_list)
    p = asub.add_parser("remove", help="remove an account and forget its password")
    ctx.add_vault_options(p)
    p.add_argument("name")
    p.set_defaults(handler=cmd_account_remove)
    p = asub.add_parser("presets", help="the built-in provider presets and their app-password hints")
    p.set_defaults(handler=cmd_presets)

    p = msub.add_parser("fetch", help="fetch every message to or from a client (read-only on the server)")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--account", help="the account name (needed when there are several)")
    p.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="only messages since this day")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_fetch)

    p = msub.add_parser("dkim-recheck", help="check DKIM signatures again (those not checked yet, or --all)")
    ctx.add_vault_options(p)
    p.add_argument("client", nargs="?", help="only this client's emails (default: every client)")
    p.add_argument("--all", action="store_true", help="every signed message, not only those not checked yet")
    p.add_argument("--replay", action="store_true", help="verify against the archived key records only (no DNS)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_dkim_recheck)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _password(args: argparse.Namespace) -> str:
    spec = args.password_file
    if spec:
        both_stdin = spec == "-" and (args.passphrase_file == "-")
        return ctx._read_secret_file(spec, "password", index=1 if both_stdin else 0)
    if not sys.stdin.isatty():
        raise InvalidInput("No password given: use a terminal or --password-file PATH ('-' = stdin).")
    return getpass.getpass(f"Password (or app password) for {args.user}: ")


def cmd_account_add(args: argparse.Namespace) -> int:
    from app.mail.accounts import PRESETS, MailAccounts

    with ctx.open_vault(args) as vault:
        password = _password(args)
        account = MailAccounts(vault.db).add(
            args.name,
            password=password,
            username=args.user,
            host=args.host,
            port=args.port,
            tls=args.tls,
            preset=args.preset,
        )
    if args.json:
        ctx.print_json(account)
        return 0
    ctx.out(f"Added mail account {account.name}: {account.username} at {account.host}:{account.port} ({account.tls}).")
    if account.preset:
        ctx.out(PRESETS[account.preset].hint)
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    from app.mail.accounts import MailAccounts

    with ctx.open_vault(args) as vault:
        accounts = MailAccounts(vault.db).list()
    if args.json:
        ctx.print_json(accounts)
        return 0
    for a in accounts:
        ctx.out(f"{a.name:<20} {a.username} at {a.host}:{a.port} ({a.tls})")
    if not accounts:
        ctx.out("No mail account yet: add one with 'casefile mail account add NAME --host H --user U'.")
    return 0


def cmd_account_remove(args: argparse.Namespace) -> int:
    from app.mail.accounts import MailAccounts

    with ctx.open_vault(args) as vault:
        account = MailAccounts(vault.db).remove(args.name)
    ctx.out(f"Removed mail account {account.name}; its password is forgotten, fetched messages stay.")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from app.mail.accounts import PRESETS

    for p in PRESETS.values():
        ctx.out(f"{p.name:<9} {p.label}: {p.host}:{p.port} ({p.tls}). {p.hint}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from app.mail.imap import fetch_client_mail, fetched_json

    show = sys.stderr.isatty() and not args.json

    def progress(p: object) -> None:
        if show:
            sys.stderr.write(f"\r{p.folder}: {p.done}/{p.total}  ")  # type: ignore[attr-defined]
            sys.stderr.flush()

    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        try:
            report = fetch_client_mail(vault, client.id, args.account, since=args.since, on_progress=progress)
        except KeyboardInterrupt:
            ctx.err("\ncasefile: interrupted; every message fetched so far is kept; fetch again to continue.")
            return 130
        finally:
            if show:
                sys.stderr.write("\n")
    if args.json:
        ctx.print_json({"client_id": client.id, **fetched_json(report)})
        return 0
    for note in report.notes:
        ctx.err(f"note: {note}")
    ctx.out(f"{report.line()} for {client.name}.")
    return 0


def cmd_dkim_recheck(args: argparse.Namespace) -> int:
    from app.mail.dkim_recheck import recheck

    with ctx.open_vault(args) as vault:
        client_id = vault.clients.resolve(args.client).id if args.client else None
        report = recheck(vault, client_id, every=args.all, replay=args.replay)
    if args.json:
        ctx.print_json(report)
    else:
        ctx.out(report.line())
    return 0
