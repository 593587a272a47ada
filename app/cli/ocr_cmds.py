"""`casefile ocr`: machine-read text for screenshots and scans (app/ingest/ocr.py)."""

from __future__ import annotations

import argparse

from app.cli import context as ctx


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("ocr", help="read the text in screenshots, photos of letters and scanned PDFs (offline)")
    ctx.add_vault_options(p)
    p.add_argument("client", nargs="?", help="one client (default: every client)")
    p.add_argument("--pending", action="store_true", help="only files not read yet (resume an interrupted run)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ocr)


def cmd_ocr(args: argparse.Namespace) -> int:
    from app.errors import InvalidInput
    from app.ingest.ocr import candidates, enabled, run_ocr

    with ctx.open_vault(args) as vault:
        client_id = vault.clients.resolve(args.client).id if args.client else None
        if not enabled(vault):
            raise InvalidInput('OCR is turned off in this vault (the "ocr" setting is "off"; turn it on in Settings).')
        todo = len(candidates(vault, client_id, pending=args.pending))
        if not args.json and todo:
            ctx.err(f"Reading {todo} file{'s' * (todo != 1)} (offline OCR, about a second each)…")
        outcome = run_ocr(vault, client_id, pending=args.pending)
    if args.json:
        ctx.print_json(
            {
                "read": outcome.done,
                "with_text": outcome.with_text,
                "failed": outcome.failed,
                "remaining": outcome.remaining,
            }
        )
    else:
        for line in outcome.failed:
            ctx.err(line)
        ctx.out(f"{outcome.done} file{'s' * (outcome.done != 1)} read, {outcome.with_text} with text.")
    return 1 if outcome.failed else 0
