"""Fetch a client's mail from an IMAP account, read-only, incrementally, one message per transaction.

Library: the standard library's ``imaplib``. A fetch needs six commands (LOGIN,
LIST, EXAMINE, UID SEARCH, UID FETCH, LOGOUT) and exact control over them: EXAMINE
opens every folder read-only, so the server itself refuses to change a flag, and
``BODY.PEEK[]`` never sets \\Seen. IMAPClient would add a dependency for a nicer
API over the same commands.

Per (account, client, folder) the table ``mail_folders`` keeps UIDVALIDITY and the
highest UID handled; it is advanced in the same transaction as the message it
covers, so a fetch killed at any instant resumes after the last committed message
with nothing lost or doubled. A message already held (same SHA-256, or same
Message-ID) is skipped. A message that will not parse is stored as its native .eml
with the reason. Every failure is one line (``MailError``); what was committed stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app import ledger
from app.errors import MailError
from app.ingest.archive_import import held, read_message
from app.mail.accounts import FOLDER_COLUMNS, MailAccount, MailAccounts, folder_state_from_row
from app.mail.dkim import Lookup, is_signed, lookup_for
from app.mail.dkim import annotate as annotate_dkim
from app.records.times import now_utc, utc_text
from app.vault.store import Connection
from app.words import plural

TIMEOUT = 30.0
BATCH_BYTES = 16 * 1024 * 1024
BATCH_COUNT = 50
STORE_COUNT = 10  # messages per write transaction: one fsync per 10, not per message
# Folders that hold correspondence, by special-use flag (RFC 6154) or, for servers without
# them, by name. Drafts, Junk and Trash are left alone.
_WANTED_FLAGS = {"\\sent", "\\archive", "\\all"}
_WANTED_NAMES = {"sent", "sent items", "sent messages", "sent mail", "archive", "archives", "all mail"}


@dataclass(frozen=True)
class FetchProgress:
    folder: str
    done: int
    total: int
    imported: int
    duplicates: int


@dataclass
class FetchReport:
    account: str
    server: str
    folders: list[str] = field(default_factory=list)
    imported: int = 0
    duplicates: int = 0
    unreadable: int = 0
    entry_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False
    lookup: Lookup | None = field(default=None, repr=False)  # DKIM key lookups, made once per fetch

    def line(self) -> str:
        text = (
            f"{self.imported} imported, {self.duplicates} already there"
            f"{f', {self.unreadable} stored unread (see notes)' if self.unreadable else ''}"
            f" from {self.server} ({len(self.folders)} folder{'s' * (len(self.folders) != 1)})"
        )
        return text + ("; cancelled, fetch again to continue" if self.cancelled else "")


# -- connecting -----------------------------------------------------------------


def _where(account: MailAccount) -> str:
    return f"{account.host}:{account.port}"


def connect(account: MailAccount, password: str, *, timeout: float = TIMEOUT) -> imaplib.IMAP4:
    """A logged-in connection. TLS certificates are verified against the system's CAs, never ignored."""
    context = ssl.create_default_context()
    try:
        if account.tls == "implicit":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=context, timeout=timeout)
        else:
            conn = imaplib.IMAP4(account.host, account.port, timeout=timeout)
            if account.tls == "starttls":
                conn.starttls(ssl_context=context)
    except ssl.SSLCertVerificationError as error:
        raise MailError(
            f"The TLS certificate of {_where(account)} was refused ({error.verify_message}); nothing was fetched."
        ) from None
    except ssl.SSLError as error:
        raise MailError(f"TLS with {_where(account)} failed ({error.reason or error}); nothing was fetched.") from None
    except socket.gaierror:
        raise MailError(
            f"The IMAP server {account.host} is unknown (no such host name); nothing was fetched."
        ) from None
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailError(
            f"Cannot reach the IMAP server {_where(account)} ({_reason(error)}); nothing was fetched."
        ) from None
    try:
        conn.login(account.username, password)
    except imaplib.IMAP4.abort as error:
        raise MailError(
            f"The IMAP server {_where(account)} closed the connection at login ({_reason(error)})."
        ) from None
    except imaplib.IMAP4.error as error:
        _quietly_close(conn)
        raise MailError(
            f"The IMAP server {account.host} refused the user name or password of account {account.name!r}"
            f" ({_reason(error)}); nothing was fetched."
        ) from None
    except OSError as error:
        raise MailError(f"The IMAP server {_where(account)} went away at login ({_reason(error)}).") from None
    return conn


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror
    text = re.sub(r"^b'(.*)'$", r"\1", text.strip())
    return " ".join(text.split())[:200]


def _quietly_close(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        conn.logout()


@contextmanager
def session(account: MailAccount, password: str) -> Iterator[imaplib.IMAP4]:
    conn = connect(account, password)
    try:
        yield conn
    finally:
        _quietly_close(conn)


# -- folders and search -------------------------------------------------------------

_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"[^"]*"|NIL) (?P<name>.+)$')


@dataclass(frozen=True)
class Folder:
    name: str  # as the server spells it (modified UTF-7), quoted for commands by _quote
    flags: frozenset[str]
    delimiter: str


def list_folders(conn: imaplib.IMAP4) -> list[Folder]:
    typ, data = conn.list()
    if typ != "OK":
        raise MailError(f"The IMAP server would not list its folders ({_reason(Exception(data))}).")
    folders = []
    for raw in data:
        line = raw[0] + raw[1] if isinstance(raw, tuple) else raw
        if not isinstance(line, bytes):
            continue
        match = _LIST_LINE.match(line)
        if not match:
            continue
        name = match["name"].decode("utf-8", "replace")
        if name.startswith('"') and name.endswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        delim = match["delim"].decode().strip('"') if match["delim"] != b"NIL" else ""
        flags = frozenset(f.lower() for f in match["flags"].decode("ascii", "replace").split())
        folders.append(Folder(name, flags, delim))
    return folders


def folders_that_matter(folders: list[Folder]) -> list[Folder]:
    """INBOX, Sent and Archive; on Gmail only All Mail (it already holds the others)."""
    usable = [f for f in folders if "\\noselect" not in f.flags and "\\nonexistent" not in f.flags]
    everything = [f for f in usable if "\\all" in f.flags]
    if everything:
        return everything[:1]
    chosen = []
    for folder in usable:
        leaf = folder.name.rsplit(folder.delimiter, 1)[-1] if folder.delimiter else folder.name
        if folder.name.upper() == "INBOX" or folder.flags & _WANTED_FLAGS or leaf.lower() in _WANTED_NAMES:
            chosen.append(folder)
    return sorted(chosen, key=lambda f: (f.name.upper() != "INBOX", f.name))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search_criteria(addresses: list[str], after_uid: int, since: date | None) -> list[str]:
    """UID SEARCH keys: newer than ``after_uid`` and from, to, cc or bcc any address."""
    keys = [f"{header} {_quote(a)}" for a in addresses for header in ("FROM", "TO", "CC", "BCC")]
    either = keys[-1]
    for key in reversed(keys[:-1]):
        either = f"OR {key} {either}"
    criteria = [f"UID {after_uid + 1}:*"]
    if since is not None:
        criteria.append(f"SINCE {since.day}-{since.strftime('%b')}-{since.year}")
    return [*criteria, f"({either})"]


# -- fetching -------------------------------------------------------------------

_META = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_LABELS = re.compile(rb"X-GM-LABELS \(([^)]*)\)")


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    internaldate: datetime | None
    labels: tuple[str, ...] = ()


def _internaldate(meta: bytes) -> datetime | None:
    match = _INTERNALDATE.search(meta)
    if not match:
        return None
    try:
        return datetime.strptime(match[1].decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def _fetch_sizes(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for start in range(0, len(uids), 500):
        chunk = ",".join(map(str, uids[start : start + 500]))
        typ, data = conn.uid("FETCH", chunk, "(UID RFC822.SIZE)")
        _ok(typ, data, "read message sizes")
        for item in data:
            meta = item[0] if isinstance(item, tuple) else item
            if isinstance(meta, bytes) and (uid := _META.search(meta)) and (size := _SIZE.search(meta)):
                sizes[int(uid[1])] = int(size[1])
    return sizes


def _batches(uids: list[int], sizes: dict[int, int]) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if batch and (total + size > BATCH_BYTES or len(batch) >= BATCH_COUNT):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def _fetch_batch(conn: imaplib.IMAP4, uids: list[int], gmail: bool) -> dict[int, Fetched]:
    items = "(UID INTERNALDATE BODY.PEEK[]" + (" X-GM-LABELS)" if gmail else ")")
    typ, data = conn.uid("FETCH", ",".join(map(str, uids)), items)
    _ok(typ, data, "fetch messages")
    found: dict[int, Fetched] = {}
    pending: tuple[bytes, bytes] | None = None

    def finish(meta: bytes, raw: bytes) -> None:
        uid = _META.search(meta)
        if uid:
            labels = _LABELS.search(meta)
            names = tuple(_split_labels(labels[1])) if labels else ()
            found[int(uid[1])] = Fetched(int(uid[1]), raw, _internaldate(meta), names)

    for item in data:
        if isinstance(item, tuple):
            if pending:
                finish(*pending)
            pending = (item[0], item[1])
        elif isinstance(item, bytes) and pending:
            finish(pending[0] + item, pending[1])  # what follows the literal (e.g. X-GM-LABELS)
            pending = None
    if pending:
        finish(*pending)
    return found


def _split_labels(text: bytes) -> Iterator[str]:
    for match in re.finditer(rb'"((?:[^"\\]|\\.)*)"|(\S+)', text):
        value = match[1] if match[1] is not None else match[2]
        yield value.decode("utf-8", "replace").replace('\\"', '"')


def _ok(typ: str, data: Any, what: str) -> None:
    if typ != "OK":
        detail = data[0].decode("utf-8", "replace") if data and isinstance(data[0], bytes) else str(data)
        raise MailError(f"The IMAP server would not {what} ({' '.join(detail.split())[:200]}).")


def fetch_client_mail(
    vault: Any,
    client_id: int,
    account_name: str | None = None,
    *,
    since: date | None = None,
    on_progress: Callable[[FetchProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    lookup: Lookup | None = None,
) -> FetchReport:
    """Fetch every message to or from the client in the account's folders that matter.

    ``lookup`` answers DKIM key queries (default: DNS, see app/mail/dkim.py)."""
    accounts = MailAccounts(vault.db)
    client = vault.clients.get(client_id)
    account = _choose_account(accounts, account_name)
    addresses = [a.strip() for a in client.emails if "@" in a]
    if not addresses:
        raise MailError(
            f"{client.name} has no email address on record, so no message can be told apart as theirs;"
            " add one first (casefile client edit)."
        )
    report = FetchReport(account=account.name, server=account.host)
    report.lookup = lookup
    stop = cancelled or (lambda: False)
    with session(account, accounts.password(account.id)) as conn:
        try:
            gmail = "X-GM-EXT-1" in conn.capabilities
            for folder in folders_that_matter(list_folders(conn)):
                if stop():
                    report.cancelled = True
                    break
                _fetch_folder(
                    vault, conn, account, client_id, folder.name, addresses, since, gmail, report, on_progress, stop
                )
                if report.cancelled:
                    break
        except (imaplib.IMAP4.abort, OSError) as error:
            raise MailError(
                f"The IMAP server {account.host} went away during the fetch ({_reason(error)}); "
                f"{plural(report.imported, 'message')} {'was' if report.imported == 1 else 'were'} imported and kept; fetch again to continue."
            ) from None
        except imaplib.IMAP4.error as error:
            raise MailError(
                f"The IMAP server {account.host} refused a command ({_reason(error)}); "
                f"{plural(report.imported, 'message')} {'was' if report.imported == 1 else 'were'} imported and kept."
            ) from None
    return report


def _choose_account(accounts: MailAccounts, name: str | None) -> MailAccount:
    if name:
        return accounts.get(name)
    every = accounts.list()
    if not every:
        raise MailError("No mail account yet: add one with 'casefile mail account add NAME --host H --user U'.")
    if len(every) > 1:
        raise MailError(f"Several mail accounts ({', '.join(a.name for a in every)}): choose one with --account.")
    return every[0]


def _fetch_folder(
    vault: Any,
    conn: imaplib.IMAP4,
    account: MailAccount,
    client_id: int,
    folder: str,
    addresses: list[str],
    since: date | None,
    gmail: bool,
    report: FetchReport,
    on_progress: Callable[[FetchProgress], None] | None,
    stop: Callable[[], bool],
) -> None:
    typ, data = conn.select(_quote(folder), readonly=True)  # EXAMINE: the server changes no flag
    if typ != "OK":
        report.notes.append(f"folder {folder} could not be opened (it may have been deleted); skipped")
        return
    report.folders.append(folder)
    uidvalidity = int(conn.response("UIDVALIDITY")[1][0] or 0)
    state = _folder_state(vault, account.id, client_id, folder)
    after = state[1] if state and state[0] == uidvalidity else 0
    typ, data = conn.uid("SEARCH", *search_criteria(addresses, after, since))
    _ok(typ, data, f"search folder {folder}")
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > after)
    if not uids:
        return
    sizes = _fetch_sizes(conn, uids)
    done = 0
    for batch in _batches(uids, sizes):
        fetched = _fetch_batch(conn, batch, gmail)
        for start in range(0, len(batch), STORE_COUNT):
            if stop():
                report.cancelled = True
                return
            chunk = batch[start : start + STORE_COUNT]
            ready = []
            for uid in chunk:
                message = fetched.get(uid)
                if message is None:
                    report.notes.append(f"{folder} UID {uid} vanished from the server during the fetch; skipped")
                else:
                    ready.append(_prepare_message(vault, account, folder, uidvalidity, message, report))
            _store_messages(vault, account, client_id, folder, uidvalidity, ready, chunk[-1], report)
            done += len(chunk)
            if on_progress is not None:
                on_progress(FetchProgress(folder, done, len(uids), report.imported, report.duplicates))


def _folder_state(vault: Any, account_id: int, client_id: int, folder: str) -> tuple[int, int] | None:
    row = vault.db.one(
        "SELECT uidvalidity, last_uid FROM mail_folders WHERE account_id=? AND client_id=? AND folder=?",
        (account_id, client_id, folder),
    )
    return (int(row[0]), int(row[1])) if row else None


def _advance(conn: Connection, account_id: int, client_id: int, folder: str, uidvalidity: int, uid: int) -> None:
    at = utc_text(now_utc())
    conn.execute(
        "INSERT INTO mail_folders(account_id, client_id, folder, uidvalidity, last_uid, updated_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT(account_id, client_id, folder)"
        " DO UPDATE SET uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid, updated_at=excluded.updated_at",
        (account_id, client_id, folder, uidvalidity, uid, at),
    )
    row = conn.execute(
        f"SELECT {FOLDER_COLUMNS} FROM mail_folders WHERE account_id=? AND client_id=? AND folder=?",
        (account_id, client_id, folder),
    ).fetchone()
    ledger.record(conn, "mail.folder_progress", f"mail_folder:{row[0]}", folder_state_from_row(row))


def provenance(account: MailAccount, folder: str, uidvalidity: int, message: Fetched) -> dict[str, Any]:
    record: dict[str, Any] = {
        "via": "imap",
        "account": account.name,
        "server": account.host,
        "user": account.username,
        "folder": folder,
        "uid": message.uid,
        "uidvalidity": uidvalidity,
        "internaldate": message.internaldate.isoformat() if message.internaldate else None,
        "fetched_at": utc_text(now_utc()),
    }
    if message.labels:
        record["gmail_labels"] = list(message.labels)
    return record


@dataclass
class _Prepared:
    """A fetched message parsed (and its DKIM checked) before any transaction opens."""

    name: str
    sha256: str
    item: Any
    unreadable: bool


def _prepare_message(
    vault: Any, account: MailAccount, folder: str, uidvalidity: int, message: Fetched, report: FetchReport
) -> _Prepared:
    raw = message.raw
    when = message.internaldate or now_utc()
    name = f"{re.sub(r'[^A-Za-z0-9._-]+', '_', folder)}-{message.uid}.eml"
    item, unreadable = read_message(raw, name, when)
    original = item.parts[0]
    original.metadata = {**original.metadata, "collected": provenance(account, folder, uidvalidity, message)}
    original.attachment_source = "imap"
    if not unreadable:
        if report.lookup is None and is_signed(raw):
            report.lookup = lookup_for(vault)
        annotate_dkim(raw, original.metadata, report.lookup)
    return _Prepared(name, hashlib.sha256(raw).hexdigest(), item, bool(unreadable))


def _store_messages(
    vault: Any,
    account: MailAccount,
    client_id: int,
    folder: str,
    uidvalidity: int,
    ready: list[_Prepared],
    last_uid: int,
    report: FetchReport,
) -> None:
    """One transaction for a few messages and the folder's progress: a kill -9 loses at most
    these, and the next fetch starts after the last UID committed here."""
    from app.ingest.importer import store_items

    with vault.db.write() as conn:
        for prepared in ready:
            original = prepared.item.parts[0]
            if held(conn, client_id, prepared.sha256, original.metadata.get("message_id")):
                report.duplicates += 1
                continue
            entry_ids, _count = store_items(conn, vault, client_id, [prepared.item], "imap")
            report.entry_ids += entry_ids
            report.imported += 1
            report.unreadable += prepared.unreadable
            if prepared.unreadable:
                report.notes.append(f"{prepared.name}: {prepared.item.notes[0]}")
        _advance(conn, account.id, client_id, folder, uidvalidity, last_uid)


def fetched_json(report: FetchReport) -> dict[str, Any]:
    return {
        "account": report.account,
        "server": report.server,
        "folders": report.folders,
        "imported": report.imported,
        "duplicates": report.duplicates,
        "unreadable": report.unreadable,
        "entry_ids": report.entry_ids,
        "notes": report.notes,
        "cancelled": report.cancelled,
    }
