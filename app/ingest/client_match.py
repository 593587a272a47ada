"""Files about to be filed under the wrong client: an email from (or to) another client's address.

Before a drop or a picked file is imported, ``check_filing`` reads only the address headers of
each email file (``.eml``: the header block, at most 256 KB; ``.msg``: sender, To and Cc) and
compares them, normalised as do-not-serve does (case, ``+tag``), with every address each other
client has had (current and former, ``clients.known_identities``). An email in which the chosen
client's own address also appears is theirs and raises nothing. The GUI asks the question this
returns before filing; the core never refuses: filing an email under any client is the owner's call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from app.parting.dns import normalize_email

HEADER_BYTES = 256 * 1024  # the address headers sit at the top; a header block past this is not read
MAX_FILES = 5000  # a dropped folder beyond this is not checked file by file (the import still names the client)
EMAIL_SUFFIXES = (".eml", ".msg")


@dataclass(frozen=True)
class OtherClient:
    """One email whose sender (``role`` "from") or a recipient ("to") is another client's address."""

    path: str
    client_id: int
    client_name: str
    role: str
    address: str


@dataclass(frozen=True)
class FilingCheck:
    """What to ask before filing files under ``client_name`` (``question`` is '' when nothing)."""

    client_id: int
    client_name: str
    others: tuple[OtherClient, ...] = ()
    selected_name: str = ""  # the client on screen, when the drop targeted another one
    files: int = 0
    emails_checked: int = 0
    unread: tuple[str, ...] = field(default=())  # email files whose headers could not be read

    @property
    def question(self) -> str:
        parts: list[str] = []
        target = self.client_name
        if self.selected_name:
            parts.append(
                f"You dropped {_these(self.files)} on {target}, not on {self.selected_name} (the client on screen)."
            )
        if len(self.others) == 1:
            other = self.others[0]
            direction = "from" if other.role == "from" else "to"
            parts.append(f"This email is {direction} {other.client_name}'s address ({other.address}).")
        elif self.others:
            names = list(dict.fromkeys(o.client_name for o in self.others))
            emails = len({o.path for o in self.others})
            parts.append(
                f"{emails} of these emails are from or to the address of {_names(names)}."
                if emails > 1
                else f"This email is from or to the address of {_names(names)}."
            )
        if not parts:
            return ""
        them = "them" if self.files != 1 else "it"
        return " ".join(parts) + f" File {them} under {target} anyway?"


def _these(count: int) -> str:
    return "this file" if count == 1 else f"these {count} files"


def _names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def addresses_of(path: Path) -> list[tuple[str, str]] | None:
    """(role, address) for an email file's From, To and Cc; None when it cannot be read as one."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".eml":
            return _eml_addresses(path)
        if suffix == ".msg":
            return _msg_addresses(path)
    except Exception:  # a malformed file is the importer's business; it keeps it as a native
        return None
    return []


def _eml_addresses(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as stream:
        head = stream.read(HEADER_BYTES)
    end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0), default=len(head))
    message = BytesHeaderParser(policy=compat32).parsebytes(head[:end])
    out = [("from", a) for _n, a in getaddresses([str(h) for h in message.get_all("From", [])])]
    for name in ("To", "Cc"):
        out += [("to", a) for _n, a in getaddresses([str(h) for h in message.get_all(name, [])])]
    return out


def _msg_addresses(path: Path) -> list[tuple[str, str]]:
    import extract_msg  # heavy: only when a .msg is filed

    from app.ingest.msg import OLE_MAGIC

    with path.open("rb") as stream:
        if stream.read(len(OLE_MAGIC)) != OLE_MAGIC:
            return []  # not an Outlook message: the importer keeps it as a native file
    msg: Any = extract_msg.openMsg(str(path), strict=False)
    try:
        out = [("from", a) for _n, a in getaddresses([str(msg.sender or "")])]
        out += [("to", a) for _n, a in getaddresses([str(msg.to or ""), str(msg.cc or "")])]
    finally:
        msg.close()
    return out


def _address_book(vault: Any) -> tuple[dict[str, tuple[int, str]], dict[int, set[str]]]:
    """Every normalised address any client has had → (client id, current name); and per client its set."""
    owners: dict[str, tuple[int, str]] = {}
    per_client: dict[int, set[str]] = {}
    for client in vault.clients.list():
        emails = vault.clients.known_identities(client.id)[1]
        mine = {normalize_email(e) for e in emails} - {""}
        per_client[client.id] = mine
        for address in mine:
            owners.setdefault(address, (client.id, client.name))
    return owners, per_client


def check_filing(
    vault: Any, client_id: int, paths: Iterable[Path], *, selected_client_id: int | None = None
) -> FilingCheck:
    """What the owner should confirm before ``paths`` are filed under ``client_id``.

    ``selected_client_id`` is the client on screen: a drop onto another client's row is asked about."""
    from app.ingest.importer import iter_files

    target = vault.clients.get(client_id)
    selected_name = ""
    if selected_client_id is not None and selected_client_id != client_id:
        selected_name = vault.clients.get(selected_client_id).name
    files = 0
    emails: list[Path] = []
    for path in iter_files(paths):
        files += 1
        if path.suffix.lower() in EMAIL_SUFFIXES and len(emails) < MAX_FILES:
            emails.append(path)
    others: list[OtherClient] = []
    unread: list[str] = []
    owners, per_client = _address_book(vault) if emails else ({}, {})
    own = per_client.get(client_id, set())
    for path in emails:
        found = addresses_of(path)
        if found is None:
            unread.append(str(path))
            continue
        normalised = [(role, normalize_email(a), a) for role, a in found]
        if any(n in own for _r, n, _a in normalised):
            continue  # the chosen client is in this email too: it is theirs
        seen: set[int] = set()
        for role, key, address in sorted(normalised, key=lambda r: r[0] != "from"):
            owner = owners.get(key)
            if owner is not None and owner[0] != client_id and owner[0] not in seen:
                seen.add(owner[0])
                others.append(OtherClient(str(path), owner[0], owner[1], role, address))
    return FilingCheck(
        client_id=client_id,
        client_name=target.name,
        others=tuple(others),
        selected_name=selected_name,
        files=files,
        emails_checked=len(emails),
        unread=tuple(unread),
    )
