"""Vault settings that belong to the record (owner, business, Bates prefix).

They live inside the encrypted database, never in Qt settings, and every change is
in the ledger because a dossier's cover page prints them.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app import ledger
from app.errors import InvalidInput
from app.records.common import clean_text
from app.vault.db import Database

DEFAULTS: dict[str, str] = {
    "owner_name": "",
    "business_name": "",
    "bates_prefix": "CF",
    "display_timezone": "",
    # Other providers the owner recommends when parting ways, one per line.
    "referrals": "",
    # The watched Inbox (app/ingest/inbox.py): "" means "~/Casefile Inbox".
    "inbox_folder": "",
    "inbox_after_import": "move",  # or "delete": what happens to an original once its import is verified
    # Which clients have an Inbox folder, and its name: JSON {folder: client id} (app/ingest/inbox_folders.py).
    "inbox_folders": "",
    # Entries written down more than this many days after the event are marked "entered later"
    # (app/records/contemporaneity.py) in the detail pane, the chronology and the declaration.
    "late_entry_days": "7",
    # RFC 3161 Time-Stamping Authorities, one URL per line (app/evidence/anchors.py), and whether every
    # export is anchored with them ("on" | "off"); requests that fail are queued and retried.
    "tsa_urls": "http://timestamp.digicert.com\nhttp://timestamp.sectigo.com\nhttps://freetsa.org/tsr",
    "anchor_after_export": "on",
    # Machine-read text for screenshots and scans (app/ingest/ocr.py): "on" or "off".
    "ocr": "on",
    # DKIM key lookups (app/mail/dkim.py): "HOST:PORT" of a DNS resolver, "" for the system's;
    # the environment variable CASEFILE_DNS_SERVER wins over it.
    "dns_server": "",
    # "on" in a demonstration vault (app/demo.py): every dossier page then says
    # "DEMONSTRATION — fictional data", so nobody mistakes it for a record.
    "demo": "",
    # Automatic backups (app/vault/backups.py): the destination folder ("" = off) and how many
    # dated backups to keep besides one per month.
    "backup_folder": "",
    "backup_keep": "14",
}
_LIMITS = {"referrals": 5000, "inbox_folders": 200_000}


class Settings:
    def __init__(self, db: Database, on_change: Any = None) -> None:
        self._db = db
        self._on_change = on_change or (lambda *_: None)

    def get(self, key: str) -> str:
        if key not in DEFAULTS:
            raise InvalidInput(f"Unknown setting {key!r}; known: {', '.join(DEFAULTS)}.")
        value = self._db.scalar("SELECT value FROM settings WHERE key=?", (key,))
        return DEFAULTS[key] if value is None else str(value)

    def all(self) -> dict[str, str]:
        stored = dict(self._db.all("SELECT key, value FROM settings"))
        return {k: stored.get(k, v) for k, v in DEFAULTS.items()}

    def display_zone(self) -> tzinfo | None:
        """The owner's display time zone, or None for this machine's own."""
        name = self.get("display_timezone")
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return None

    @staticmethod
    def check(key: str, value: str) -> str:
        """Raise InvalidInput (one line) when ``set`` would refuse this; the cleaned value (reads nothing)."""
        if key not in DEFAULTS:
            raise InvalidInput(f"Unknown setting {key!r}; known: {', '.join(DEFAULTS)}.")
        return clean_text(value, key.replace("_", " "), limit=_LIMITS.get(key, 1000))

    def set(self, key: str, value: str) -> None:
        self.set_many({key: value})

    def set_many(self, values: dict[str, str]) -> None:
        """Several settings in one transaction (one ledger event each): all of them or none."""
        cleaned = {key: self.check(key, value) for key, value in values.items()}
        if not cleaned:
            return
        with self._db.write() as conn:
            for key, value in cleaned.items():
                conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?,?)", (key, value))
                ledger.record(conn, "setting.set", f"setting:{key}", {"key": key, "value": value})
        for key in cleaned:
            self._on_change("setting_changed", key)
