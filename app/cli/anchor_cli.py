"""`casefile anchor`: RFC 3161 timestamps for the current seal, the queue, the TSA list."""

from __future__ import annotations

import argparse

from app.cli import context as ctx
from app.errors import InvalidInput
from app.words import plural


def run_anchor(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        anchors = vault.anchors
        if args.save_tsa:
            if not args.tsa:
                raise InvalidInput("--save-tsa needs the list: --tsa URL [--tsa URL ...].")
            anchors.set_tsa_urls(args.tsa)
            ctx.out(f"Default TSAs: {', '.join(args.tsa)}")
        if args.auto:
            vault.settings.set("anchor_after_export", args.auto)
            ctx.out(f"Anchoring after each export: {args.auto}")
        if args.list:
            return _show(args, anchors)
        if args.save_tsa or args.auto:
            return 0
        if args.pending:
            results = anchors.retry_pending(timeout=args.timeout)
        else:
            urls = args.tsa or anchors.tsa_urls()
            if not urls:
                raise InvalidInput("No time-stamping authority is configured: give --tsa URL.")
            results = [*anchors.retry_pending(timeout=args.timeout), *anchors.anchor_seal(urls, timeout=args.timeout)]
        waiting = anchors.pending()
    if args.json:
        ctx.print_json(
            {
                "anchored": [r.anchor for r in results if r.anchor],
                "failed": [{"tsa_url": r.tsa_url, "error": r.error} for r in results if not r.ok],
                "pending": waiting,
            }
        )
    else:
        if not results:
            ctx.out("Nothing was waiting for a TSA.")
        for result in results:
            if result.anchor:
                ctx.out(f"Anchored: {result.anchor.sentence()}.")
            else:
                ctx.err(f"casefile: {result.error}; queued, retry with: casefile anchor --pending")
        if waiting:
            ctx.err(
                f"{plural(len(waiting), 'timestamp request')} {'waits' if len(waiting) == 1 else 'wait'} for a TSA."
            )
    granted = sum(1 for r in results if r.ok)
    return 0 if granted or not results else 1


def _show(args: argparse.Namespace, anchors) -> int:  # type: ignore[no-untyped-def]
    done, waiting = anchors.anchored(), anchors.pending()
    if args.json:
        ctx.print_json({"tsa_urls": anchors.tsa_urls(), "after_export": anchors.after_export, "anchored": done,
                        "pending": waiting})  # fmt: skip
        return 0
    ctx.out("TSAs: " + (", ".join(anchors.tsa_urls()) or "(none)"))
    ctx.out(f"Anchoring after each export: {'on' if anchors.after_export else 'off'}")
    for anchor in done:
        ctx.out(f"  event {anchor.event_seq}: {anchor.sentence()}")
    for p in waiting:
        ctx.out(f"  waiting: {p.kind} {p.label} at {p.tsa_url} ({plural(p.attempts, 'attempt')}; {p.last_error})")
    return 0
