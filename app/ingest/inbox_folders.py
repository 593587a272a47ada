"""Which Inbox folder is whose: one folder per chosen client, never one for two.

Folder names are visible to anyone with access to the computer (they are outside the
vault), so no client gets a folder until the owner asks for one, and the owner may ask
for a neutral name (``C-0007``: the client's number) instead of the client's name.

The assignment is stored in the vault (the setting ``inbox_folders``: a JSON object of
folder name → client id, in the ledger like every setting), made once when the folder
is asked for, and stays: a client added later never takes over a folder that already
has an owner. Two names that one file system or another would show as one folder —
"A/B Plumbing" and "A:B Plumbing", "Acme", "Acme." and "Acme ", "ACME" on a
case-insensitive disk, NFC and NFD spellings — get distinct folders ("Acme (2)").

A folder of the Inbox that is not assigned falls back to the older rule (the client whose
name gives that folder name), but only when exactly one client does; otherwise its files
go to triage, with the reason.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from app.errors import InvalidInput

SETTING = "inbox_folders"
_UNSAFE = set('/\\:*?"<>|')
MAX_NAME = 100


def folder_name(name: str, client_id: int) -> str:
    """A folder name every file system accepts, from a client's name."""
    cleaned = "".join("_" if ch in _UNSAFE or not ch.isprintable() else ch for ch in name)
    cleaned = unicodedata.normalize("NFC", cleaned).strip(" .")
    return cleaned[:MAX_NAME].strip(" .") or neutral_name(client_id)


def neutral_name(client_id: int) -> str:
    """The client's code: says nothing about who the client is."""
    return f"C-{client_id:04d}"


def folder_key(name: str) -> str:
    """What two folder names have in common when some file system shows them as one
    folder: case (macOS, Windows), Unicode normalisation (macOS), trailing dots and
    spaces (Windows), the characters one system or another cannot store."""
    return folder_name(name, 0).casefold()


def assigned(vault: Any) -> dict[str, int]:
    """Folder name → client id, as the owner chose."""
    text = vault.settings.get(SETTING).strip()
    if not text:
        return {}
    try:
        doc = json.loads(text)
        return {str(k): int(v) for k, v in doc.items()}
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput(f"The setting {SETTING} is damaged; set the Inbox folders again in Settings.") from None


def folder_of(vault: Any, client_id: int) -> str | None:
    return next((name for name, cid in assigned(vault).items() if cid == client_id), None)


def add_client_folder(vault: Any, client_id: int, *, neutral: bool = False) -> str:
    """Give a client its Inbox folder (named after the client, or neutral). Returns the
    folder's name; a client that already has one keeps it."""
    client = vault.clients.get(client_id)  # NotFound for a client that does not exist
    folders = assigned(vault)
    existing = folder_of(vault, client_id)
    if existing is not None:
        return existing
    base = neutral_name(client.id) if neutral else folder_name(client.name, client.id)
    taken = {folder_key(name) for name in folders}
    name, n = base, 1
    while folder_key(name) in taken:
        n += 1
        name = f"{base[: MAX_NAME - 6]} ({n})"
    folders[name] = client.id
    _save(vault, folders)
    return name


def remove_client_folder(vault: Any, client_id: int) -> None:
    """The client has no Inbox folder any more (the folder itself is left as it is)."""
    folders = {name: cid for name, cid in assigned(vault).items() if cid != client_id}
    _save(vault, folders)


def _save(vault: Any, folders: dict[str, int]) -> None:
    vault.settings.set(SETTING, json.dumps(folders, ensure_ascii=False, sort_keys=True))


def resolve(vault: Any, folder: str, clients: list[Any] | None = None) -> tuple[int | None, str]:
    """The client whose files ``folder`` holds, or None and the reason they go to triage."""
    key = folder_key(folder)
    owners = [cid for name, cid in assigned(vault).items() if folder_key(name) == key]
    if len(owners) == 1:
        return owners[0], ""
    everyone = clients if clients is not None else vault.clients.list()
    by_name = [c.id for c in everyone if folder_key(folder_name(c.name, c.id)) == key]
    if len(by_name) == 1 and not owners:
        return by_name[0], ""
    if by_name:
        return None, f"the folder {folder!r} fits {len(by_name)} clients; choose the client in triage"
    return None, f"the folder {folder!r} is no client's Inbox folder"
