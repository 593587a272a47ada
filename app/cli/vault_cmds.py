"""Vault commands: init, unlock, verify, seal, passwd, recovery, backup, restore, demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli import context as ctx
from app.cli.main import EXIT_VERIFY_FAILED
from app.errors import InvalidInput
from app.words import plural


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="create a new vault")
    ctx.add_vault_options(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("unlock", help="check that the vault opens and show what it holds")
    ctx.add_vault_options(p)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--accept-loss",
        action="store_true",
        help="open a record that is older than the last one this computer saw, and write that into the ledger"
        " (only when no backup holds the lost events)",
    )
    p.set_defaults(handler=cmd_unlock)

    p = sub.add_parser("verify", help="check the database, the ledger chain and every stored file")
    ctx.add_vault_options(p)
    p.add_argument("--seal", metavar="VALUE", help="also prove the record still contains this sealed state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("seal", help="print a short value that witnesses the record's current state")
    ctx.add_vault_options(p)
    p.set_defaults(handler=cmd_seal)

    p = sub.add_parser("passwd", help="change the passphrase (constant time: the key is rewrapped)")
    ctx.add_vault_options(p)
    p.add_argument("--new-passphrase-file", metavar="PATH", help="read the new passphrase from PATH")
    p.set_defaults(handler=cmd_passwd)

    p = sub.add_parser("recovery", help="unlock with the recovery key and set a new passphrase")
    ctx.add_vault_options(p)
    p.add_argument("--recovery-key-file", metavar="PATH", help="read the recovery key from PATH ('-' = stdin)")
    p.add_argument("--new-passphrase-file", metavar="PATH", help="read the new passphrase from PATH")
    p.add_argument("--new-recovery-key", action="store_true", help="also replace the recovery key")
    p.add_argument(
        "--reset",
        action="store_true",
        help="unlock with the passphrase and replace the recovery key (and rewrite a damaged key file)",
    )
    p.set_defaults(handler=cmd_recovery)

    p = sub.add_parser("backup", help="write an encrypted, verified copy of the vault to DEST")
    ctx.add_vault_options(p)
    p.add_argument("dest", type=Path, nargs="?", help="a new folder; with --auto, the backup folder")
    p.add_argument(
        "--auto",
        action="store_true",
        help="a dated backup into DEST (default: the vault's backup folder), then keep the last N plus one a month",
    )
    p.add_argument(
        "--keep", metavar="N", help="with --auto: how many recent backups to keep (default: the setting, 14)"
    )
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup folder SRC to the vault location")
    ctx.add_vault_options(p)
    p.add_argument("src", type=Path)
    p.add_argument("--check", action="store_true", help="only open SRC read-only and verify it (the restore drill)")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("demo", help="create a demo vault holding a realistic difficult-client story")
    ctx.add_vault_options(p)
    p.set_defaults(handler=cmd_demo)


def _show_recovery_key(recovery_key: str) -> None:
    ctx.out("")
    ctx.out("Your recovery key (shown once; write it down and keep it somewhere safe):")
    ctx.out("")
    ctx.out(f"    {recovery_key}")
    ctx.out("")
    ctx.out("It opens the vault if you forget the passphrase. Casefile cannot show it again.")


def cmd_init(args: argparse.Namespace) -> int:
    from app.vault import Vault

    path = ctx.vault_dir(args)
    passphrase = ctx.passphrase(args, confirm=True, prompt="New passphrase: ")
    vault, recovery_key = Vault.create(path, passphrase)
    vault.lock()
    ctx.out(f"Created a vault at {path}")
    _show_recovery_key(recovery_key)
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    with ctx.open_vault(args, check_seen=not args.accept_loss) as vault:
        if args.accept_loss:
            if vault.behind is None:
                raise InvalidInput("The record is not older than the last one this computer saw; nothing to accept.")
            ctx.err(f"casefile: {vault.behind}")
            event = vault.accept_as_found()
            ctx.err(f"casefile: accepted as found; the ledger says so in event {event.seq} (vault.loss_accepted).")
        head = vault.head()
        info = {
            "vault": str(vault.path),
            "clients": len(vault.clients.list()),
            "entries": vault.entries.count(),
            "events": head.count,
            "seal": vault.seal(),
        }
    if args.json:
        ctx.print_json(info)
    else:
        ctx.out(
            f"Unlocked {info['vault']}: {plural(info['clients'], 'client')}, {plural(info['entries'], 'entry')}, {plural(info['events'], 'ledger event')}."
        )
    return 0


# What verify counted, in words (the JSON keeps the table names).
_CHECKED_NOUNS = {
    "events": "event",
    "clients": "client",
    "status_changes": "status change",
    "entries": "entry",
    "revisions": "revision",
    "retractions": "retraction",
    "attachments": "attachment",
    "blobs": "stored file",
    "reminders": "reminder",
    "settings": "setting",
    "parting_steps": "parting step",
    "parting_step_undos": "undone parting step",
    "productions": "production",
    "signing_keys": "signing key",
    "mail_accounts": "mail account",
    "mail_folders": "mail folder",
    "files": "file checksum",
}


def cmd_verify(args: argparse.Namespace) -> int:
    progress = (lambda msg: print(f"… {msg}", file=sys.stderr)) if sys.stderr.isatty() and not args.json else None
    if args.seal is not None and not args.seal.strip():
        raise InvalidInput("The --seal value is empty; give the seal as printed, e.g. CF1-42-3f9a….")
    # A record behind what this computer last saw opens here, so that verify can say so.
    with ctx.open_vault(args, check_seen=False) as vault:
        report = vault.verify(seal=args.seal, progress=progress)
    if args.json:
        ctx.print_json(
            {
                "ok": report.ok,
                "problems": report.problems,
                "checked": report.checked,
                "events": report.head.count,
                "head": report.head.hash,
                "seal_ok": report.seal_ok,
                "warnings": report.warnings,
                "clock_notes": report.clock_notes,
                "anchored": report.anchored,
                "notes": report.notes,
            }
        )
        return 0 if report.ok else EXIT_VERIFY_FAILED
    for warning in report.warnings:  # the vault clock's notes: disclosed, not failures
        ctx.err(f"casefile: warning: {warning}")
    if report.clock_notes > len(report.warnings):
        ctx.err(
            f"casefile: warning: {report.clock_notes - len(report.warnings)} more clock notes (--json lists the first)."
        )
    if report.ok:
        checked = ", ".join(
            plural(n, _CHECKED_NOUNS.get(what, what.replace("_", " "))) for what, n in report.checked.items() if n
        )
        ctx.out(f"OK: the record is intact ({checked}).")
        if report.seal_ok:
            ctx.out(f"OK: the record still contains the sealed state {args.seal}.")
        ctx.out(f"Chain head: {report.head.hash} ({plural(report.head.count, 'event')})")
        for anchor in report.anchored:  # RFC 3161 tokens, each verified offline
            ctx.out(f"Anchored: {anchor.sentence()}.")
        for note in report.notes:
            ctx.out(f"Note: {note}")
        return 0
    more = len(report.problems) - 1
    tail = f" (and {more} more; --json lists them)" if more > 0 else ""
    ctx.err(f"casefile: verification failed: {report.first_break}{tail}")
    return EXIT_VERIFY_FAILED


def cmd_seal(args: argparse.Namespace) -> int:
    from app.cli.evidence_cmds import key_lines

    with ctx.open_vault(args) as vault:
        ctx.out(vault.seal())  # stdout stays the seal alone, for scripts
        for line in key_lines(vault):
            ctx.err(line)
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        vault.change_passphrase(ctx.new_passphrase(args))
    ctx.out("Passphrase changed.")
    return 0


def cmd_recovery(args: argparse.Namespace) -> int:
    from app.vault import Vault

    if args.reset:
        if args.recovery_key_file or args.new_passphrase_file or args.new_recovery_key:
            raise InvalidInput("--reset takes the passphrase only (it makes a new recovery key itself).")
        with ctx.open_vault(args) as vault:
            recovery_key = vault.new_recovery_key()  # rewrites the whole key file, with its MAC
        ctx.out("The key file was rewritten with a new recovery slot; the old recovery key no longer works.")
        _show_recovery_key(recovery_key)
        return 0
    spec = args.recovery_key_file
    if spec:
        recovery_key = ctx._read_secret_file(spec, "recovery key")
    elif sys.stdin.isatty():
        import getpass

        recovery_key = getpass.getpass("Recovery key: ")
    else:
        raise InvalidInput("No recovery key given: use a terminal or --recovery-key-file PATH.")
    vault = Vault.open_with_recovery_key(ctx.vault_dir(args), recovery_key)
    try:
        new = (
            ctx._read_secret_file(
                args.new_passphrase_file, "new passphrase", 1 if spec == "-" and args.new_passphrase_file == "-" else 0
            )
            if args.new_passphrase_file
            else ctx.new_passphrase(args)
        )
        vault.change_passphrase(new)
        ctx.out("Passphrase reset with the recovery key.")
        if args.new_recovery_key:
            _show_recovery_key(vault.new_recovery_key())
    finally:
        vault.lock()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    if args.auto:
        from app.vault.backups import auto_backup, parse_keep

        keep = parse_keep(args.keep) if args.keep is not None else None
        with ctx.open_vault(args) as vault:
            result = auto_backup(vault, args.dest, keep=keep)
        ctx.out(result.line())
        return 0
    if args.keep is not None:
        raise InvalidInput("--keep goes with --auto (casefile backup --auto [FOLDER] --keep N).")
    if args.dest is None:
        raise InvalidInput("Say where the backup goes: casefile backup FOLDER, or casefile backup --auto [FOLDER].")
    with ctx.open_vault(args) as vault:
        dest = vault.backup(args.dest)
    ctx.out(f"Backup written and verified: {dest}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.vault import Vault

    if args.check:
        return _restore_check(args)
    dest = ctx.vault_dir(args)
    Vault.restore(args.src, dest, ctx.passphrase(args))
    ctx.out(f"Restored {args.src} to {dest} and verified it.")
    return 0


def _restore_check(args: argparse.Namespace) -> int:
    """The restore drill: nothing in the backup (or the vault location) is touched."""
    from app import ledger
    from app.vault.backups import check_backup

    checked = check_backup(args.src, ctx.passphrase(args))
    report = checked.report
    if not report.ok:
        ctx.err(f"casefile: the backup {args.src} fails verification: {report.first_break}")
        return EXIT_VERIFY_FAILED
    what = ", ".join(f"{n} {name}" for name, n in report.checked.items() if n)
    ctx.out(f"OK: the backup {args.src} opens and verifies ({what}).")
    ctx.out(f"Chain head: {checked.head.hash} ({plural(checked.head.count, 'event')})")
    ctx.out(f"Last event: {checked.last_event_at or 'none'}")
    ctx.out(f"Seal: {ledger.format_seal(checked.head)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import os

    from app.demo import DEMO_PASSPHRASE, build_demo_vault

    path = ctx.vault_dir(args)
    given = getattr(args, "passphrase_file", None) or os.environ.get("CASEFILE_PASSPHRASE_FILE")
    passphrase = ctx.passphrase(args) if given else DEMO_PASSPHRASE
    recovery_key = build_demo_vault(path, passphrase)
    ctx.out(f"Created a demo vault at {path}")
    if not given:
        ctx.out(f"Its passphrase is: {DEMO_PASSPHRASE}")
    _show_recovery_key(recovery_key)
    return 0
