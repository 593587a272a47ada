"""Do-not-serve: recognise a client the owner decided not to serve again when they come back.

A new client, an imported email's sender or a logged call's participants are
compared with every do-not-serve client on three keys, each normalised:

- name: accents stripped, case folded, punctuation and spacing collapsed; the whole
  name must match (word order may differ: "Whitmore, Gerald"). Similar names never
  match: a false alarm about a stranger is worse than none.
- email: case-insensitive; a "+tag" in the local part is ignored.
- phone: digits only, compared on the last 10 digits (at least 7 digits needed).

A match carries the reason of the client's latest status change and a ready
"declining a returning client" letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses
from typing import TYPE_CHECKING

from app.records.models import Client

if TYPE_CHECKING:
    from app.parting.letters import Letter
    from app.vault import Vault

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class DnsMatch:
    client_id: int
    client_name: str
    matched_on: str  # name | email | phone
    value: str  # what was compared, as given
    reason: str
    since: datetime | None

    @property
    def warning(self) -> str:
        when = f" since {self.since.date().isoformat()}" if self.since else ""
        return (
            f"{self.value!r} matches {self.client_name} (client {self.client_id}) by {self.matched_on}, "
            f"marked do-not-serve{when}: {self.reason}"
        )


def normalize_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _NOT_WORD.sub(" ", bare.casefold()).split()
    return " ".join(sorted(words))


def name_skeleton(name: str) -> str:
    """The name key with look-alike letters made one (Unicode TR 39 skeleton, per word)."""
    from app.parting.confusables import skeleton

    return " ".join(sorted(skeleton(word) for word in normalize_name(name).split()))


def normalize_email(address: str) -> str:
    address = address.strip().strip("<>").casefold()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return ""
    return f"{local.split('+', 1)[0]}@{domain}"


def normalize_phone(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    return digits[-10:] if len(digits) >= 7 else ""


def _do_not_serve(vault: Vault, exclude: int | None) -> list[Client]:
    return [c for c in vault.clients.list() if c.status == "do_not_serve" and c.id != exclude]


def match_person(
    vault: Vault,
    *,
    name: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    exclude_client_id: int | None = None,
) -> list[DnsMatch]:
    """Every do-not-serve client matching this person, strongest key first (email, phone, name)."""
    wanted_name = normalize_name(name) if name else ""
    wanted_emails = {normalize_email(e): e for e in emails if normalize_email(e)}
    wanted_phones = {normalize_phone(p): p for p in phones if normalize_phone(p)}
    matches: list[DnsMatch] = []
    for client in _do_not_serve(vault, exclude_client_id):
        found: tuple[str, str] | None = None
        # Current and former details alike: a client who changed their email is still recognised.
        names, emails_known, phones_known = vault.clients.known_identities(client.id)
        for e in sorted(emails_known):
            if normalize_email(e) in wanted_emails:
                found = ("email", wanted_emails[normalize_email(e)])
                break
        if found is None:
            for p in sorted(phones_known):
                if normalize_phone(p) in wanted_phones:
                    found = ("phone", wanted_phones[normalize_phone(p)])
                    break
        if found is None and wanted_name and wanted_name in {normalize_name(n) for n in names}:
            found = ("name", name)
        if found is None and wanted_name and name_skeleton(name) in {name_skeleton(n) for n in names}:
            found = ("name", name)  # the same name in look-alike letters (a Cyrillic "о" in "Mallоry")
        if found is not None:
            history = vault.clients.status_history(client.id)
            latest = history[-1] if history else None
            matches.append(
                DnsMatch(
                    client.id,
                    client.name,
                    found[0],
                    found[1],
                    latest.reason if latest else "no reason recorded",
                    latest.changed_at if latest else None,
                )
            )
    order = {"email": 0, "phone": 1, "name": 2}
    return sorted(matches, key=lambda m: (order[m.matched_on], m.client_id))


def match_email_header(vault: Vault, header: str, *, exclude_client_id: int | None = None) -> list[DnsMatch]:
    """Matches for the people in an email header (From, Reply-To …): their addresses and display names."""
    matches: list[DnsMatch] = []
    for display, address in getaddresses([header]):
        for m in match_person(vault, name=display, emails=[address], exclude_client_id=exclude_client_id):
            if m.client_id not in {x.client_id for x in matches}:
                matches.append(m)
    return matches


def match_participants(
    vault: Vault, participants: Iterable[str], *, exclude_client_id: int | None = None
) -> list[DnsMatch]:
    """Matches for a logged call's participants: each may be a name, an email address or a phone number."""
    matches: list[DnsMatch] = []
    for who in participants:
        is_email = "@" in who
        is_phone = not is_email and bool(normalize_phone(who)) and not any(c.isalpha() for c in who)
        found = match_person(
            vault,
            name="" if (is_email or is_phone) else who,
            emails=[who] if is_email else [],
            phones=[who] if is_phone else [],
            exclude_client_id=exclude_client_id,
        )
        for m in found:
            if m.client_id not in {x.client_id for x in matches}:
                matches.append(m)
    return matches


def declining_letter(vault: Vault, match: DnsMatch) -> Letter:
    """The ready "declining a returning client" letter for the matched client."""
    from app.parting.letters import render

    return render(vault, match.client_id, "declining")
