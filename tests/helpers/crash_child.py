"""A child process that writes to a vault until it is killed (see tests/test_crash_safety.py).

It prints one line per change *after* the change committed, so the parent knows
exactly what must survive a SIGKILL at any instant.
"""

from __future__ import annotations

import io
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.records.models import EntryFields
from app.records.times import now_utc
from app.vault import Vault


def write(path: Path, passphrase: str) -> None:
    vault = Vault.open(path, passphrase)
    client = vault.clients.list()[0]
    print("R", flush=True)  # ready: the parent's random delay starts now
    rng = random.Random(os.getpid())
    i = 0
    while True:
        i += 1
        entry = vault.entries.log(
            client.id, EntryFields("call", now_utc(), f"Call {os.getpid()}-{i}", "x" * rng.randrange(2000))
        )
        sha = "-"
        if i % 3 == 0:
            data = rng.randbytes(rng.randrange(1, 512 * 1024))
            sha = vault.attachments.add_stream(entry.id, io.BytesIO(data), f"file-{i}.bin").sha256
        if i % 5 == 0:
            vault.entries.revise(entry.id, EntryFields("call", entry.occurred_at, entry.title, "revised"))
        print(f"C {entry.id} {sha}", flush=True)


def passwd(path: Path, first: str, second: str) -> None:
    current, other = first, second
    vault = Vault.open(path, current)
    print("R", flush=True)
    while True:
        print(f"P {other}", flush=True)
        vault.change_passphrase(other)
        print(f"D {other}", flush=True)
        current, other = other, current


def backup(path: Path, passphrase: str, dest: Path, first_day: str) -> None:
    """Automatic backups one (injected) day apart, rotated to 3, until killed."""
    from datetime import datetime, timedelta

    from app.vault.backups import auto_backup

    vault = Vault.open(path, passphrase)
    day = datetime.fromisoformat(first_day)
    print("R", flush=True)
    while True:
        result = auto_backup(vault, dest, keep=3, now=day)
        print(f"B {result.written.name}", flush=True)
        day += timedelta(days=1)


def export(path: Path, passphrase: str, out: Path) -> None:
    """Dossier exports of the first client, one after another, until killed."""
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    vault = Vault.open(path, passphrase)
    client = vault.clients.list()[0]
    print("R", flush=True)
    while True:
        result = export_dossier(vault, DossierOptions(client.id), out)
        print(f"E {result.pdf_path.name} {result.zip_path.name}", flush=True)


def watch(path: Path, passphrase: str, root: Path) -> None:
    """Files dropped (atomically) into a client's Inbox folder and imported, until killed.
    "D sha" once a file is in the Inbox: from then on it must never be lost."""
    import hashlib

    from app.ingest.inbox import Inbox
    from app.ingest.inbox_folders import add_client_folder

    vault = Vault.open(path, passphrase)
    client = vault.clients.list()[0]
    # No client has an Inbox folder until the owner asks for one (the first child does).
    name = add_client_folder(vault, client.id)
    inbox = Inbox(vault, root, settle_seconds=0)
    inbox.prepare()
    folder = root / name
    rng = random.Random(os.getpid())
    print("R", flush=True)
    i = 0
    while True:
        for _ in range(3):
            i += 1
            data = rng.randbytes(rng.randrange(1, 300 * 1024))
            hidden = root / f".drop-{os.getpid()}-{i}"
            hidden.write_bytes(data)
            hidden.replace(folder / f"scan-{os.getpid()}-{i}.bin")
            print(f"D {hashlib.sha256(data).hexdigest()}", flush=True)
        inbox.drain(timeout=30)


if __name__ == "__main__":
    mode, vault_path, *secrets = sys.argv[1:]
    if mode == "write":
        write(Path(vault_path), secrets[0])
    elif mode == "export":
        export(Path(vault_path), secrets[0], Path(secrets[1]))
    elif mode == "watch":
        watch(Path(vault_path), secrets[0], Path(secrets[1]))
    elif mode == "backup":
        backup(Path(vault_path), secrets[0], Path(secrets[1]), secrets[2])
    else:
        passwd(Path(vault_path), secrets[0], secrets[1])
