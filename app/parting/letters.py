"""Parting letters: templates from resources/templates, filled from the client and the settings.

A template is a text file whose first line is ``Subject: …`` followed by a blank
line and the body. Placeholders are ``${name}`` (``string.Template``): client_name,
owner_name, business_name, today, effective_date, referrals. A value the vault does
not know stays as a bracketed placeholder ("[date]") that the checks flag, so a
letter never goes out with a hole in it unnoticed.

The sent letter becomes a ``letter_sent`` entry and marks the checklist's "sent"
step (with its 24 h follow-up reminder) in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from string import Template
from typing import TYPE_CHECKING

from app.assets import resource_path
from app.errors import InvalidInput, NotFound
from app.parting.letter_checks import Finding, check_letter
from app.records.models import Client, EntryFields
from app.records.times import now_utc

if TYPE_CHECKING:
    from app.vault import Vault


# key -> (label, file name, needs a final-invoice line)
LETTER_TEMPLATES: dict[str, tuple[str, str, bool]] = {
    "not-right-fit": ("Not the right fit", "letter-not-right-fit.txt", True),
    "end-of-term": ("End of contract term", "letter-end-of-contract-term.txt", True),
    "after-conduct": ("After a conduct problem", "letter-after-conduct.txt", True),
    "declining": ("Declining a returning client", "letter-declining-returning-client.txt", False),
}
# Other texts the workflow offers (not letters: no checks).
DOCUMENT_TEMPLATES: dict[str, tuple[str, str]] = {
    "conduct-clause": ("Conduct clause for service agreements", "conduct-clause.txt"),
    "game-plan": ("Game plan and parting-ways SOP", "game-plan.txt"),
}


@dataclass(frozen=True)
class Letter:
    template: str
    subject: str
    body: str

    @property
    def needs_final_invoice(self) -> bool:
        return LETTER_TEMPLATES.get(self.template, ("", "", True))[2]

    def check(self) -> list[Finding]:
        return check_letter(self.body, needs_final_invoice=self.needs_final_invoice)


def read_template(file_name: str) -> str:
    path = resource_path("templates", file_name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise NotFound(f"The template {file_name} is missing from {path.parent}; reinstall Casefile.") from None


def template_key(name: str) -> str:
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key not in LETTER_TEMPLATES:
        raise InvalidInput(f"Unknown letter template {name!r}; choose one of: {', '.join(LETTER_TEMPLATES)}.")
    return key


def referrals(vault: Vault) -> list[str]:
    """The owner's list of other providers to recommend (setting 'referrals', one per line)."""
    return [line.strip() for line in vault.settings.get("referrals").splitlines() if line.strip()]


def placeholders(
    vault: Vault, client: Client, *, effective_date: str = "", today: datetime | None = None
) -> dict[str, str]:
    settings = vault.settings.all()
    listed = referrals(vault)
    moment = today or now_utc()
    return {
        "client_name": client.name,
        "owner_name": settings["owner_name"] or "[your name]",
        "business_name": settings["business_name"] or "[your business]",
        "today": f"{moment:%B} {moment.day}, {moment.year}",
        "effective_date": effective_date or _notice_end(vault, client.id) or "[date]",
        "referrals": "\n".join(f"- {r}" for r in listed) if listed else "- [a provider you recommend]",
    }


def _notice_end(vault: Vault, client_id: int) -> str:
    from app.parting.checklist import checklist

    terms = next(s for s in checklist(vault, client_id) if s.step.key == "terms")
    if terms.due_at is None:
        return ""
    return f"{terms.due_at:%B} {terms.due_at.day}, {terms.due_at.year}"


def render(vault: Vault, client_id: int, template: str, *, effective_date: str = "") -> Letter:
    """A letter from a template, filled for the client."""
    key = template_key(template)
    client = vault.clients.get(client_id)
    filled = Template(read_template(LETTER_TEMPLATES[key][1])).safe_substitute(
        placeholders(vault, client, effective_date=effective_date)
    )
    subject, body = split_subject(filled)
    return Letter(key, subject, body)


def render_document(vault: Vault, client_id: int, name: str) -> str:
    """The conduct clause or the game plan, filled for the client."""
    if name not in DOCUMENT_TEMPLATES:
        raise InvalidInput(f"Unknown document {name!r}; choose one of: {', '.join(DOCUMENT_TEMPLATES)}.")
    client = vault.clients.get(client_id)
    return Template(read_template(DOCUMENT_TEMPLATES[name][1])).safe_substitute(placeholders(vault, client))


def split_subject(text: str) -> tuple[str, str]:
    """('Subject', 'body') from text that may start with a 'Subject:' line."""
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        return first.split(":", 1)[1].strip(), rest.lstrip("\n")
    return "", text


# Letter drafts live in the vault's drafts table (encrypted, not evidence, not in the
# ledger). They are stored with client_id NULL and the client in the content, so a
# quick-capture screen that restores a client's note draft never picks up a letter.
LETTER_DRAFT = "parting_letter"


def save_letter_draft(vault: Vault, client_id: int, letter: Letter, draft_id: int | None = None) -> int:
    content = {
        "type": LETTER_DRAFT,
        "client_id": client_id,
        "template": letter.template,
        "subject": letter.subject,
        "body": letter.body,
    }
    return int(vault.drafts.save(content, draft_id=draft_id))


def find_letter_draft(vault: Vault, client_id: int) -> tuple[int, Letter, datetime] | None:
    """The newest unsent letter draft for a client: (draft id, letter, saved at)."""
    for draft in vault.drafts.list():
        c = draft.content
        if c.get("type") == LETTER_DRAFT and c.get("client_id") == client_id:
            letter = Letter(str(c.get("template", "")), str(c.get("subject", "")), str(c.get("body", "")))
            return draft.id, letter, draft.updated_at
    return None


def check_record_sent(
    vault: Vault, client_id: int, letter: Letter, *, how: str, sent_at: datetime | None = None, proofread_by: str = ""
) -> EntryFields:
    """Raise InvalidInput (one line) when ``record_sent`` would refuse this letter; the entry's fields.

    Reads only: the desktop app checks here, on the GUI thread, before it hands the write to
    a worker (``record_sent`` checks again, in case the record changed meanwhile)."""
    from app.parting.checklist import check_step
    from app.records.entries import check_fields

    if not letter.body.strip():
        raise InvalidInput("The letter is empty; nothing was recorded.")
    client = vault.clients.get(client_id)
    sent_at = sent_at or now_utc()
    label = LETTER_TEMPLATES.get(letter.template, ("Letter",))[0]
    fields = EntryFields(
        kind="letter_sent",
        occurred_at=sent_at,
        title=letter.subject or f"Letter: {label}",
        body=letter.body,
        participants=(client.name,),
        tags=("letter", letter.template) if letter.template else ("letter",),
    )
    check_fields(fields)
    if proofread_by.strip():
        check_step(vault, client_id, "proofread", by_whom=proofread_by, done_at=sent_at)
    check_step(vault, client_id, "sent", how=how, done_at=sent_at)
    return fields


def record_sent(
    vault: Vault,
    client_id: int,
    letter: Letter,
    *,
    how: str,
    sent_at: datetime | None = None,
    proofread_by: str = "",
    draft_id: int | None = None,
) -> int:
    """Store the final letter as a 'letter sent' entry and mark the checklist step, in one transaction.

    Returns the entry id. The follow-up call reminder (24 h later) is set by the step.
    """
    from app.parting.checklist import mark_done
    from app.records.entries import (
        insert_entry,
    )  # here: app.records.entries at import time closes a cycle via app.vault

    sent_at = sent_at or now_utc()
    fields = check_record_sent(vault, client_id, letter, how=how, sent_at=sent_at, proofread_by=proofread_by)
    with vault.db.write() as conn:
        entry_id = insert_entry(conn, client_id, fields)
        if proofread_by.strip():
            mark_done(vault, client_id, "proofread", by_whom=proofread_by, done_at=sent_at)
        mark_done(vault, client_id, "sent", how=how, done_at=sent_at, entry_id=entry_id)
        if draft_id is not None:
            vault.drafts.discard(draft_id)  # the draft became evidence: drop it in the same transaction
    return entry_id
