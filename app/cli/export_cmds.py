"""Dossier commands: export (PDF + bundle) and verify-bundle."""

from __future__ import annotations

import argparse
import sys
import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.cli import context as ctx
from app.errors import InvalidInput
from app.records.models import ENTRY_KINDS
from app.records.times import check_range, local_zone, parse_when
from app.words import plural


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("export", help="export a client's dossier: a PDF for counsel and a verifiable ZIP bundle")
    ctx.add_vault_options(p)
    p.add_argument("client")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write the PDF and ZIP into")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (or instant), ISO 8601")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (or instant), ISO 8601, inclusive")
    p.add_argument("--kinds", nargs="+", default=[], metavar="KIND", help="only these kinds: " + ", ".join(ENTRY_KINDS))
    p.add_argument("--include-private", action="store_true", help="include entries marked private")
    p.add_argument("--bates-prefix", metavar="P", help="Bates prefix (default: the vault setting)")
    p.add_argument(
        "--bates-start", type=int, metavar="N", help="first Bates number (default: the next one never produced)"
    )
    p.add_argument("--bates-digits", type=int, metavar="D", help="digits of a Bates number, 4-10 (default 6)")
    p.add_argument("--recipient", default="", metavar="TEXT", help="for whom, e.g. 'Smith & Lee LLP for …'")
    p.add_argument("--supersedes", metavar="PROD", help="the earlier production this one replaces")
    p.add_argument(
        "--legend",
        default="none",
        metavar="L",
        help="footer legend: none, confidential, aeo (highly confidential - attorneys' eyes only) or your own text",
    )
    p.add_argument(
        "--declaration-form",
        default="us",
        choices=("us", "outside-us", "other"),
        help="closing of the declaration (28 U.S.C. § 1746 in or outside the US, or another law's)",
    )
    p.add_argument(
        "--separate-process",
        action="store_true",
        help="lay out, sign and bundle in a child process, as the desktop app does (same dossier)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("productions", help="list the production register: every export, its Bates and exhibit ranges")
    ctx.add_vault_options(p)
    p.add_argument("client", nargs="?", help="only this client's productions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_productions)

    p = sub.add_parser("verify-bundle", help="check a dossier bundle (ZIP): hashes, manifest, added or removed files")
    p.add_argument("bundle", type=Path, metavar="ZIP")
    p.add_argument("--key", metavar="FINGERPRINT", help="require the manifest to be signed by this key")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify_bundle)


def _bound(text: str | None, *, end: bool, zone_name: str | None = None) -> datetime | None:
    """A date means the whole day in the business time zone (the vault's display_timezone,
    else this computer's): --to 2026-09-30 includes that day's evening."""
    if not text:
        return None
    text = text.strip()
    if len(text) == 10:
        try:
            day = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            raise InvalidInput(f"{text!r} is not a date (use YYYY-MM-DD).") from None
        zone, _name = (ZoneInfo(zone_name), zone_name) if zone_name else local_zone()
        moment = check_range(datetime.combine(day, time.min, tzinfo=zone))
        return moment + timedelta(days=1) - timedelta(microseconds=1) if end else moment
    return parse_when(text, zone_name=zone_name)[0]


def _business_zone_name(vault: object) -> str | None:
    """The vault's display_timezone when it names a zone this machine knows."""
    name = vault.settings.get("display_timezone")  # type: ignore[attr-defined]
    return name if name and vault.settings.display_zone() is not None else None  # type: ignore[attr-defined]


def cmd_export(args: argparse.Namespace) -> int:
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    with ctx.open_vault(args) as vault:
        client = vault.clients.resolve(args.client)
        zone_name = _business_zone_name(vault)
        options = DossierOptions(
            client_id=client.id,
            date_from=_bound(args.date_from, end=False, zone_name=zone_name),
            date_to=_bound(args.date_to, end=True, zone_name=zone_name),
            kinds=tuple(args.kinds),
            include_private=args.include_private,
            bates_prefix=args.bates_prefix,
            bates_digits=args.bates_digits,
            bates_start=args.bates_start,
            recipient=args.recipient,
            supersedes=args.supersedes,
            legend=args.legend,
            declaration_form=args.declaration_form,
        )
        cancel = threading.Event()

        def export(progress: Any = None) -> Any:
            if not args.separate_process:
                return export_dossier(vault, options, args.out, progress=progress, cancel=cancel)
            from app.dossier.child import ChildExport

            child = ChildExport(vault, options)
            try:
                child.build(progress, cancel)
                return child.save(vault, args.out, progress, cancel)
            finally:
                child.quit()

        result = _with_progress_bar(export) if sys.stderr.isatty() and not args.json else export()
    if args.json:
        ctx.print_json(result)
        return 0
    ctx.out(str(result.pdf_path))
    ctx.out(str(result.zip_path))
    ctx.err(
        f"{result.production}: {result.bates_first} – {result.bates_last}; "
        f"{plural(result.pages, 'page')}, {plural(result.entries, 'entry')}, {plural(result.exhibits, 'exhibit')}; "
        f"PDF SHA-256 {result.pdf_sha256} (recorded in the ledger)."
    )
    return 0


def cmd_productions(args: argparse.Namespace) -> int:
    from app.dossier.productions import productions

    with ctx.open_vault(args) as vault:
        client_id = vault.clients.resolve(args.client).id if args.client else None
        register = productions(vault, client_id)
        names = {c.id: c.name for c in vault.clients.list()}
    by_id = {p.id: p.number for p in register}
    if args.json:
        ctx.print_json(
            [
                {**p.as_json(), "client": names.get(p.client_id, ""), "supersedes": by_id.get(p.supersedes_id or 0)}
                for p in register
            ]
        )
        return 0
    if not register:
        ctx.out("No productions yet: every `casefile export` adds one.")
        return 0
    for p in register:
        replaces = f"; supersedes {by_id.get(p.supersedes_id, '?')}" if p.supersedes_id else ""
        ctx.out(
            f"{p.number}  {p.produced_at:%Y-%m-%d %H:%M} UTC  {names.get(p.client_id, '')}  {p.bates_range}"
            f"  exhibits {p.exhibit_range}  {p.pages} pages" + (f"  to {p.recipient}" if p.recipient else "") + replaces
        )
        ctx.out(f"    PDF {p.pdf_name} SHA-256 {p.pdf_sha256}; manifest SHA-256 {p.manifest_sha256}")
    return 0


def _with_progress_bar(run: Any) -> Any:
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    labels = {
        "select": "Reading the record",
        "layout": "Laying out pages",
        "merge": "Appending PDFs",
        "bundle": "Writing the bundle",
    }
    with Progress(
        TextColumn("{task.description:<20}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task(labels["select"], total=1)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=labels.get(phase, phase), completed=done, total=total)

        return run(progress)


def cmd_verify_bundle(args: argparse.Namespace) -> int:
    from app.cli.main import EXIT_VERIFY_FAILED
    from app.dossier.verify_bundle import verify_bundle

    report = verify_bundle(args.bundle, expect_fingerprint=args.key)
    if args.json:
        ctx.print_json(
            {"ok": report.ok, "problems": report.problems, "files": report.files_checked, "pages": report.pages,
             "signed_by": report.signed_by}
        )  # fmt: skip
    elif report.ok:
        ctx.out(f"OK: manifest.json is signed by the key with fingerprint {report.signed_by}")
        ctx.out(
            f"OK: {plural(report.files_checked, 'file')} match SHA256SUMS and the manifest; the PDF has {plural(report.pages, 'page')}"
            " and its exhibit index prints the manifest's SHA-256 values."
        )
        if not args.key:
            ctx.out("Compare that fingerprint with the one the owner gave you (or pass --key FINGERPRINT).")
        if report.ledger_head:
            ctx.out(f"Ledger head stated in the bundle: {report.ledger_head}")
    else:
        for problem in report.problems:
            ctx.err(f"casefile: {args.bundle.name}: {problem}")
    return 0 if report.ok else EXIT_VERIFY_FAILED
