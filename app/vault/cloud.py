"""A vault inside a cloud-synced folder: said once, with what to do instead.

Sync clients (Dropbox, OneDrive, iCloud Drive, Google Drive, Nextcloud/ownCloud) copy
vault.db, vault.db-wal and vault.key one at a time while the database is open, and
upload or restore them out of step: a "conflicted copy" of a WAL, a key file from
yesterday. An encrypted backup (`casefile backup`) into the synced folder is safe; the
live vault is not. Recognised by the folder names the clients use and by their marker
files in the vault folder or any folder above it (up to the home folder).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

WARNED_NAME = ".cloud-sync-warned"  # in the vault folder: the warning is given once

# A path component (case-insensitive) → the service it belongs to.
_FOLDERS = {
    "dropbox": "Dropbox",
    "onedrive": "OneDrive",
    "icloud drive": "iCloud Drive",
    "icloud~com~apple~clouddocs": "iCloud Drive",
    "com~apple~clouddocs": "iCloud Drive",
    "mobile documents": "iCloud Drive",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "nextcloud": "Nextcloud",
    "owncloud": "ownCloud",
}
# Marker files a sync client leaves at the top of (or inside) what it syncs.
_MARKERS = {
    ".dropbox": "Dropbox",
    ".dropbox.cache": "Dropbox",
    ".nextcloudsync.log": "Nextcloud",
    ".owncloudsync.log": "ownCloud",
    ".tmp.drivedownload": "Google Drive",
    ".tmp.driveupload": "Google Drive",
}


def sync_service(folder: Path) -> str | None:
    """The cloud service whose synced folder holds ``folder``, or None."""
    folder = Path(os.path.abspath(folder))
    for part in folder.parts:
        name = part.casefold()
        if name in _FOLDERS:
            return _FOLDERS[name]
        if name.startswith(("onedrive - ", "onedrive-")):  # "OneDrive - Contoso" (work accounts)
            return "OneDrive"
        if name.startswith("googledrive-"):  # macOS File Provider: "GoogleDrive-owner@example.com"
            return "Google Drive"
    home = Path.home()
    for depth, ancestor in enumerate([folder, *folder.parents]):
        if ancestor == ancestor.parent or ancestor == home.parent:
            break
        with contextlib.suppress(OSError):
            for marker, service in _MARKERS.items():
                if (ancestor / marker).exists():
                    return service
            # Nextcloud's journal is named after the account: listed only near the vault.
            if depth < 2 and any(
                p.name.startswith((".sync_", "._sync_")) and p.name.endswith(".db") for p in ancestor.iterdir()
            ):
                return "Nextcloud"
            ini = ancestor / "desktop.ini"
            if ini.is_file() and ini.stat().st_size < 64 * 1024 and b"onedrive" in ini.read_bytes().lower():
                return "OneDrive"
    return None


def warning_once(folder: Path) -> str | None:
    """The warning, the first time a vault in a synced folder is opened; then None."""
    service = sync_service(folder)
    if service is None or (folder / WARNED_NAME).exists():
        return None
    with contextlib.suppress(OSError):
        fd = os.open(folder / WARNED_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, service.encode() + b"\n")
        os.close(fd)
    return (
        f"The vault folder {folder} is inside a {service} folder: sync tools can corrupt an open database."
        f" Keep the vault outside it and put `casefile backup` copies into the {service} folder instead."
    )
