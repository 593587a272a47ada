"""IMAP mail accounts, stored only inside the encrypted vault.

The password (or app password) is a column of ``mail_accounts``; it is never put in
the ledger, in argv, in Qt settings or in a keyring file. The ledger records each
account's public state (name, server, user, TLS mode) under ``mail_account:N``.
Removing an account blanks its password and marks it removed: the row stays because
the ledger, and the provenance of every message fetched through it, names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app import ledger
from app.errors import InvalidInput, NotFound
from app.records.common import clean_text
from app.records.times import now_utc, utc_text
from app.vault.db import Database
from app.vault.store import Connection

TLS_MODES = ("implicit", "starttls", "none")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORTS = {"implicit": 993, "starttls": 143, "none": 143}

_PUBLIC_COLUMNS = "id, name, host, port, tls, username, preset, created_at, removed_at"
FOLDER_COLUMNS = "id, account_id, client_id, folder, uidvalidity, last_uid, updated_at"


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    host: str
    port: int
    tls: str
    hint: str


# OAuth2 (XOAUTH2) is not offered: it needs a client id and secret registered with each
# provider, which a desktop app cannot ship without disclosing it. App passwords work on all five.
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "gmail",
            "Gmail / Google Workspace",
            "imap.gmail.com",
            993,
            "implicit",
            "Use an app password (Google Account → Security → 2-Step Verification → App passwords).",
        ),
        Preset(
            "outlook",
            "Outlook.com / Microsoft 365",
            "outlook.office365.com",
            993,
            "implicit",
            "Use an app password (account.microsoft.com → Security → Advanced security options); "
            "some Microsoft 365 tenants allow only OAuth2, which Casefile does not offer.",
        ),
        Preset(
            "icloud",
            "iCloud Mail",
            "imap.mail.me.com",
            993,
            "implicit",
            "Use an app-specific password (appleid.apple.com → Sign-In and Security); the user is the full address.",
        ),
        Preset(
            "fastmail",
            "Fastmail",
            "imap.fastmail.com",
            993,
            "implicit",
            "Use an app password (Settings → Privacy & Security → Integrations → App passwords).",
        ),
        Preset(
            "yahoo",
            "Yahoo Mail",
            "imap.mail.yahoo.com",
            993,
            "implicit",
            "Use an app password (Account security → Generate app password).",
        ),
    )
}


@dataclass(frozen=True)
class MailAccount:
    id: int
    name: str
    host: str
    port: int
    tls: str
    username: str
    preset: str
    created_at: str
    removed_at: str | None = None


def _state(row: Any) -> dict[str, Any]:
    return dict(zip(_PUBLIC_COLUMNS.split(", "), row, strict=True))


def account_state_from_row(row: Any) -> dict[str, Any]:
    """For app/verify.py: the ledgered state of a ``mail_accounts`` row (no password)."""
    return _state(row)


def folder_state_from_row(row: Any) -> dict[str, Any]:
    """For app/verify.py: the ledgered state of a ``mail_folders`` row (how far a fetch got)."""
    return dict(zip(FOLDER_COLUMNS.split(", "), row, strict=True))


def _account(row: Any) -> MailAccount:
    return MailAccount(**_state(row))


def check_tls(tls: str, host: str) -> str:
    tls = tls.strip().lower()
    if tls not in TLS_MODES:
        raise InvalidInput(f"Unknown TLS mode {tls!r}; choose one of {', '.join(TLS_MODES)}.")
    if tls == "none" and host.strip().lower() not in LOCAL_HOSTS:
        raise InvalidInput(
            f"--tls none is only allowed for a server on this machine (127.0.0.1 or localhost), not {host}: "
            "the password would cross the network in the clear."
        )
    return tls


class MailAccounts:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def check(
        name: str,
        *,
        password: str,
        username: str,
        host: str | None = None,
        port: int | None = None,
        tls: str | None = None,
        preset: str | None = None,
    ) -> tuple[str, str, int, str, str, Any]:
        """Raise InvalidInput (one line) when ``add`` would refuse these (a name already taken is only
        found by ``add``); the cleaned name, host, port, TLS mode, user name and preset. Reads nothing."""
        name = clean_text(name, "account name", required=True, limit=100)
        chosen = None
        if preset:
            chosen = PRESETS.get(preset.strip().lower())
            if chosen is None:
                raise InvalidInput(f"Unknown preset {preset!r}; known: {', '.join(PRESETS)}.")
        host = clean_text(host or (chosen.host if chosen else ""), "server host name", required=True, limit=255)
        if any(c.isspace() for c in host):
            raise InvalidInput(f"The server host name {host!r} contains spaces.")
        tls = check_tls(tls or (chosen.tls if chosen else "implicit"), host)
        port = int(port or (chosen.port if chosen and tls == chosen.tls else DEFAULT_PORTS[tls]))
        if not 0 < port < 65536:
            raise InvalidInput(f"The port {port} is not a TCP port (1–65535).")
        username = clean_text(username, "user name", required=True, limit=320)
        if not password or "\n" in password or "\r" in password:
            raise InvalidInput("The password is empty or spans several lines; nothing was stored.")
        return name, host, port, tls, username, chosen

    def add(
        self,
        name: str,
        *,
        password: str,
        username: str,
        host: str | None = None,
        port: int | None = None,
        tls: str | None = None,
        preset: str | None = None,
    ) -> MailAccount:
        name, host, port, tls, username, chosen = self.check(
            name, password=password, username=username, host=host, port=port, tls=tls, preset=preset
        )
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM mail_accounts WHERE name=? AND removed_at IS NULL", (name,)).fetchone():
                raise InvalidInput(f"There is already a mail account named {name!r}.")
            # A removed account keeps its row (the ledger names it); its name can be used again.
            conn.execute("UPDATE mail_accounts SET name = name || ' (removed ' || id || ')' WHERE name=?", (name,))
            for (old_id,) in conn.execute(
                "SELECT id FROM mail_accounts WHERE name LIKE ? AND removed_at IS NOT NULL", (f"{name} (removed %",)
            ).fetchall():
                self._record(conn, "mail.account_rename", old_id)
            cur = conn.execute(
                "INSERT INTO mail_accounts(name, host, port, tls, username, password, preset, created_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (name, host, port, tls, username, password, chosen.name if chosen else "", utc_text(now_utc())),
            )
            account_id = int(cur.lastrowid)  # type: ignore[arg-type]
            self._record(conn, "mail.account_add", account_id)
        return self.get(name)

    def _record(self, conn: Connection, action: str, account_id: int) -> None:
        row = conn.execute(f"SELECT {_PUBLIC_COLUMNS} FROM mail_accounts WHERE id=?", (account_id,)).fetchone()
        ledger.record(conn, action, f"mail_account:{account_id}", _state(row))

    def list(self) -> list[MailAccount]:
        rows = self._db.all(f"SELECT {_PUBLIC_COLUMNS} FROM mail_accounts WHERE removed_at IS NULL ORDER BY name")
        return [_account(r) for r in rows]

    def get(self, name: str) -> MailAccount:
        row = self._db.one(
            f"SELECT {_PUBLIC_COLUMNS} FROM mail_accounts WHERE name=? AND removed_at IS NULL", (name.strip(),)
        )
        if row is None:
            known = ", ".join(a.name for a in self.list()) or "none yet: add one with 'casefile mail account add'"
            raise NotFound(f"There is no mail account named {name!r} (accounts: {known}).")
        return _account(row)

    def password(self, account_id: int) -> str:
        value = self._db.scalar("SELECT password FROM mail_accounts WHERE id=? AND removed_at IS NULL", (account_id,))
        if value is None:
            raise NotFound(f"Mail account {account_id} was removed.")
        return str(value)

    def remove(self, name: str) -> MailAccount:
        account = self.get(name)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE mail_accounts SET password='', removed_at=? WHERE id=?", (utc_text(now_utc()), account.id)
            )
            self._record(conn, "mail.account_remove", account.id)
        return account
