"""Evidence commands: key show (the vault's signing key) and anchor (RFC 3161 timestamps)."""

from __future__ import annotations

import argparse

from app.cli import context as ctx


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("key", help="the vault's Ed25519 signing key (bundles and PDFs are signed with it)")
    key_sub = p.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    show = key_sub.add_parser("show", help="print the public key and its fingerprint")
    ctx.add_vault_options(show)
    show.add_argument("--pem", action="store_true", help="print the public key as PEM (for openssl)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_key_show)

    p = sub.add_parser("anchor", help="get RFC 3161 trusted timestamps for the current seal (queued when offline)")
    ctx.add_vault_options(p)
    p.add_argument(
        "--tsa", action="append", metavar="URL", help="ask this TSA (repeatable; default: the vault setting)"
    )
    p.add_argument("--pending", action="store_true", help="only retry the queued requests")
    p.add_argument("--save-tsa", action="store_true", help="save the --tsa list as the vault's default TSAs")
    p.add_argument("--auto", choices=("on", "off"), help="anchor every export automatically (default on)")
    p.add_argument("--list", action="store_true", help="show the TSAs, anchored seals and queued requests")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds to wait for each TSA")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_anchor)


def key_lines(vault) -> list[str]:  # type: ignore[no-untyped-def]
    key = vault.signing.public_key()
    return [f"Signing key (Ed25519) fingerprint: {key.fingerprint}", f"Public key: {key.base64}"]


def cmd_key_show(args: argparse.Namespace) -> int:
    with ctx.open_vault(args) as vault:
        key = vault.signing.public_key()
    if args.json:
        ctx.print_json(
            {"algorithm": key.algorithm, "fingerprint": key.fingerprint, "public_key": key.base64, "pem": key.pem,
             "created_at": key.created_at}
        )  # fmt: skip
    elif args.pem:
        ctx.out(key.pem.rstrip("\n"))
    else:
        ctx.out(f"Algorithm:   Ed25519 (created {key.created_at})")
        ctx.out(f"Fingerprint: {key.fingerprint}")
        ctx.out(f"Public key:  {key.base64}")
        ctx.out("Bundles (manifest.sig) and dossier PDFs are signed with this key; give the fingerprint to your lawyer")
        ctx.out("with the seal, so they can check that a dossier came from this vault.")
    return 0


def cmd_anchor(args: argparse.Namespace) -> int:
    from app.cli.anchor_cli import run_anchor

    return run_anchor(args)
