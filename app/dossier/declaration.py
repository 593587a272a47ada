"""The records declaration template, the privilege log and the integrity appendix.

The declaration certifies only what the custodian can: the entries the business
itself wrote (calls, notes, meetings, incidents, letters, invoices …) as records
of a regularly conducted activity, by their Bates ranges; material received from
others (emails, messages, photos, documents, the attached files) as copies kept
and identified by SHA-256; the generated pages as summaries prepared for this
production. Entries written down later than the ``late_entry_days`` threshold are
named, never called "made at or near the time". Private entries are never
certified: left out, they are listed in the privilege log; included, they are
marked PRIVILEGED and excluded from the declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from app.dossier.layout import Layout
from app.dossier.sections import FRAME_WIDTH, cells, grid, heading, long_grid, when_text
from app.dossier.text import para, styles
from app.errors import InvalidInput
from app.records.contemporaneity import lag
from app.records.models import ENTRY_KINDS, Entry
from app.words import plural

BLANK = "_" * 44
# Kinds whose entries are the business's own record of what it did, saw or heard.
OWN_KINDS = frozenset(
    {"call", "meeting", "note", "incident", "complaint", "legal_threat", "letter_sent", "invoice", "payment"}
)
# Kinds that record material received from others (the entry keeps a copy).
RECEIVED_KINDS = frozenset({"email", "message", "statement", "document", "photo", "agreement"})

LEGENDS = {
    "none": "",
    "confidential": "CONFIDENTIAL",
    "aeo": "HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY",
}
MAX_LEGEND = 60
DEMO_LEGEND = "DEMONSTRATION — fictional data"

FORMS = {
    "us": "I declare under penalty of perjury that the foregoing is true and correct. Executed on {date} at {place}.",
    "outside-us": "I declare under penalty of perjury under the laws of the United States of America that the "
    "foregoing is true and correct. Executed on {date} at {place}.",
    "other": "[Closing required by the law of ____________________ (state law or another jurisdiction), to be "
    "supplied by counsel.] Executed on {date} at {place}.",
}

PRIVILEGE_BASES = {
    "attorney-client": "Attorney–client communication",
    "work-product": "Work product",
}


def check_legend(choice: str) -> str:
    """The footer legend printed on every page: a named choice or the owner's own text."""
    text = choice.strip()
    if text.lower() in LEGENDS:
        return LEGENDS[text.lower()]
    if len(text) > MAX_LEGEND:
        raise InvalidInput(f"The legend is too long ({len(text)} characters; the limit is {MAX_LEGEND}).")
    from app.dossier.bidi import needs_bidi
    from app.dossier.text import register_fonts

    covered = register_fonts()  # the stamp is set in embedded DejaVu Sans (bates.StampFonts)
    odd = next((ch for ch in text if ord(ch) not in covered), "")
    if odd or needs_bidi(text):
        raise InvalidInput(
            "The legend can use letters DejaVu Sans has, written left to right (Latin, Greek, Cyrillic), "
            f"digits and punctuation; {odd or 'right-to-left text'!r} cannot be stamped."
        )
    return text


def check_form(choice: str) -> str:
    form = choice.strip().lower() or "us"
    if form not in FORMS:
        raise InvalidInput(f"Unknown declaration form {choice!r}; choose from: {', '.join(FORMS)}.")
    return form


@dataclass(frozen=True)
class Scope:
    """Which entries the declaration certifies, and which it only describes."""

    own: list[tuple[int, Entry]]  # (entry number in the dossier, entry)
    received: list[tuple[int, Entry]]
    private: list[tuple[int, Entry]]  # included with --include-private: never certified
    late: list[tuple[int, Entry]]  # own entries written down after the threshold


def is_late(layout: Layout, entry: Entry) -> bool:
    return lag(entry.occurred_at, entry.recorded_at, late_days=layout.selection.late_days).is_late


def scope(layout: Layout) -> Scope:
    own: list[tuple[int, Entry]] = []
    received: list[tuple[int, Entry]] = []
    private: list[tuple[int, Entry]] = []
    late: list[tuple[int, Entry]] = []
    for number, chosen in enumerate(layout.selection.entries, start=1):
        entry = chosen.entry
        item = (number, entry)
        if entry.fields.private:
            private.append(item)
            continue
        (own if entry.kind in OWN_KINDS else received).append(item)
        if entry.kind in OWN_KINDS and is_late(layout, entry):
            late.append(item)
    return Scope(own, received, private, late)


def _entry_pages(layout: Layout) -> dict[int, tuple[int, int]]:
    """entry id -> (first page, last page) in the entries in full."""
    entries = layout.selection.entries
    starts = [layout.page_of(f"entry:{c.entry.id}") for c in entries]
    end_of_part = max(layout.page_of("sec:exhibits") - 1, max(starts, default=0))
    spans: dict[int, tuple[int, int]] = {}
    for i, chosen in enumerate(entries):
        nxt = starts[i + 1] if i + 1 < len(entries) else end_of_part
        spans[chosen.entry.id] = (starts[i], max(starts[i], nxt))
    return spans


def bates_ranges(layout: Layout, items: list[tuple[int, Entry]]) -> str:
    """Pages holding these entries, as Bates ranges: 'BRIGHT-000012 – BRIGHT-000015, BRIGHT-000020'."""
    spans = _entry_pages(layout)
    pages: set[int] = set()
    for _n, entry in items:
        first, last = spans.get(entry.id, (0, 0))
        if first:
            pages.update(range(first, last + 1))
    ordered, ranges = sorted(pages), list[list[int]]()
    for page in ordered:
        if ranges and page == ranges[-1][1] + 1:
            ranges[-1][1] = page
        else:
            ranges.append([page, page])
    return ", ".join(layout.bates(a) if a == b else f"{layout.bates(a)} – {layout.bates(b)}" for a, b in ranges)


def numbers_text(items: list[tuple[int, Entry]]) -> str:
    numbers = [str(n) for n, _e in items]
    if len(numbers) <= 1:
        return "".join(numbers)
    return ", ".join(numbers[:-1]) + " and " + numbers[-1]


def entries_text(items: list[tuple[int, Entry]], the: str = "") -> str:
    """'Entry 3', 'Entries 1, 4 and 7', 'The entry numbered 3', 'No entry'."""
    if not items:
        return "No entry"
    if the:
        return f"{the} entr{'y' if len(items) == 1 else 'ies'} numbered {numbers_text(items)}"
    return f"Entr{'y' if len(items) == 1 else 'ies'} {numbers_text(items)}"


def _were(items: list[tuple[int, Entry]]) -> str:
    return "was" if len(items) == 1 else "were"


def collected_via(metadata: dict[str, Any]) -> str:
    collected = metadata.get("collected")
    return str(collected.get("via", "")) if isinstance(collected, dict) else ""


def email_paragraph(layout: Layout) -> str:
    """What the declaration says about received emails: how they were collected and their DKIM checks."""
    from app.mail.dkim import summary

    emails = [ex for ex in layout.exhibits if ex.attachment.media_type == "message/rfc822"]
    if not emails:
        return ""
    verdicts = [summary(ex.attachment.metadata) for ex in emails]
    passed = sum(1 for v in verdicts if v and v["status"] == "pass")
    imap = sum(1 for ex in emails if collected_via(ex.attachment.metadata) == "imap")
    text = f"Emails. The dossier produces {plural(len(emails), 'email message')} as received, each kept as stored."
    if imap:
        text += (
            f" {_how_many(imap, len(emails), 'was', 'were')} copied read-only from the mailbox over IMAP; each such "
            "exhibit names the server, folder, message UID and the time it was collected."
        )
    text += (
        f" {_how_many(passed, len(emails), 'carries', 'carry')} a DKIM signature that verified when the "
        "record-keeping software checked it against the signing domain's published key (the key record is kept). "
        "A verified DKIM signature shows that the signing domain vouched for the message's headers and body; it "
        "does not show who typed the message."
    )
    return text


def _how_many(count: int, total: int, one: str, many: str) -> str:
    """The subject and verb of a sentence about ``count`` of ``total`` emails, as a person would say it:
    'It carries', 'None of them carries', 'All 3 carry', '1 of them carries', '2 of them carry'."""
    if total == 1:
        return f"It {one}" if count else f"It {_negated(one)}"
    if count == 0:
        return f"None of them {one}"
    if count == total:
        return f"All {total} {many}" if total > 2 else f"Both {many}"
    return f"{count} of them {one if count == 1 else many}"


def _negated(verb: str) -> str:
    return {"was": "was not", "carries": "does not carry"}.get(verb, f"not {verb}")


def declaration(layout: Layout) -> list[Any]:
    s, sel = styles(), layout.selection
    owner = sel.owner_name or BLANK
    business = sel.business_name or BLANK
    sc = scope(layout)
    own_ranges = bates_ranges(layout, sc.own) or "(none in this production)"
    timely = [item for item in sc.own if item not in sc.late]
    paragraphs = [
        f'I am the owner of {business} (the "business") and the custodian of its records of dealings with '
        f"{sel.client.name}, or am otherwise qualified to make this declaration. I have personal knowledge of how "
        "these records are made and kept.",
        f"The business's own records. {entries_text(sc.own, 'The')} in the section "
        f"'Entries in full' (pages {own_ranges}) are records the business made of its own calls, meetings, "
        "notes, observed incidents, letters, invoices and payments. They were kept in the course of the regularly "
        "conducted activity of the business, and making them was a regular practice of that activity. "
        + (
            f"{entries_text(timely)} {_were(timely)} written down at or near the time of the events they describe, "
            "by — or from information given by — someone with knowledge of them."
            if timely and sc.late
            else "Each was written down at or near the time of the events it describes, by — or from information "
            "given by — someone with knowledge of them."
            if timely
            else ""
        ),
    ]
    if sc.late:
        paragraphs.append(
            f"Entries written down later. {entries_text(sc.late)} (pages {bates_ranges(layout, sc.late)}) "
            f"{_were(sc.late)} written down more than {sel.late_days} days after the events they describe, on the dates shown "
            f"as 'recorded' on each entry. I do not state that {'it was' if len(sc.late) == 1 else 'they were'} made at "
            "or near the time of those events."
        )
    paragraphs += [
        "Material received from others. "
        f"{entries_text(sc.received, 'The')} {'record' if len(sc.received) > 1 else 'records'} emails, messages, "
        "statements, documents and photographs, "
        "and the exhibits are files, that the business received or collected and kept. They are true copies of "
        "that material as it was received and stored; I do not certify them as the business's own records or "
        "vouch for what others wrote in them. Each exhibit is identified by its SHA-256 hash value, listed in the "
        "exhibit index and the integrity appendix; the value of each file produced was compared with the value "
        "recorded when the file was first stored, and they are identical.",
        "Recorded times. The time shown as 'recorded' on each entry was set from the computer's clock when "
        "the entry was first saved; the software does not allow it to be changed. Later edits are kept as "
        "revisions with their own recorded times, and withdrawn entries as retractions; the dossier shows both. "
        + (
            "Trusted timestamps from independent authorities, listed in the integrity appendix, fix when the "
            "record stood in the states they name."
            if _has_timestamps(layout)
            else "No trusted timestamp from an independent authority is attached to this production."
        ),
        "Summaries. The cover, contents, summary, chronology, exhibit index, privilege log and integrity "
        "appendix were prepared for this production from the records above, to make them easier to review "
        "(in the manner of a summary under Federal Rule of Evidence 1006). They are not themselves records "
        "certified by this declaration.",
    ]
    if sc.private:
        paragraphs.append(
            f"{entries_text(sc.private)} {'is' if len(sc.private) == 1 else 'are'} marked PRIVILEGED: they are included at counsel's request "
            "and are not covered by this declaration."
        )
    emails = email_paragraph(layout)
    if emails:
        paragraphs.append(emails)
    paragraphs.append(
        f"The record's hash chain stood at {sel.ledger_count} events with head {sel.ledger_head} when the "
        "dossier was prepared."
    )
    closing = FORMS[check_form(sel.options.declaration_form)].format(date=BLANK[:20], place=BLANK[:24])
    story: list[Any] = [heading(layout, "sec:declaration", "Records declaration (template)")]
    story.append(
        para(
            "THIS IS A TEMPLATE, NOT A SIGNED STATEMENT. It follows the pattern of a custodian declaration under US "
            "Federal Rules of Evidence 902(11) (certified records of a regularly conducted activity) and 902(14) "
            "(data copied from an electronic device, identified by hash values), closed as 28 U.S.C. § 1746 allows. "
            "Counsel decides what the jurisdiction requires, adapts the wording, and tells the owner whether and "
            "where to sign.",
            s["muted"],
        )
    )
    story.append(para(f"I, {owner}, declare:", s["body"]))
    numbered = [para(f"{n}. {text}", s["body"]) for n, text in enumerate(paragraphs, start=1)]
    story += numbered[:-1]
    blanks = [
        ("Signature", BLANK),
        ("Name", sel.owner_name or BLANK),
        ("Title / capacity", BLANK),
        ("Date", BLANK),
        ("Place", BLANK),
    ]
    table = grid([cells(k, bold=True)[:1] + cells(v) for k, v in blanks], [110, FRAME_WIDTH - 110], header=False)
    table.setStyle([("TOPPADDING", (0, 0), (-1, -1), 12)])
    # The last paragraph, the attestation and the whole signature block stay on one page: the
    # signature never stands on a page of its own, away from what is signed.
    story.append(KeepTogether([*numbered[-1:], para(closing, s["body"]), Spacer(1, 18), table]))
    story += [Spacer(1, 14), Paragraph("Notice under Rule 902(11) (template for counsel)", s["h3"])]
    story.append(
        para(
            f"[Party] gives written notice to [adverse party] that it intends to offer the records produced as "
            f"{layout.bates(1)} through {layout.bates(layout.total_pages)}, with the declaration above, as records "
            "of a regularly conducted activity under Federal Rule of Evidence 902(11). The records and the "
            "declaration are available for inspection at [place] on [dates], sufficiently before they are "
            "offered to give [adverse party] a fair opportunity to challenge them.",
            s["body"],
        )
    )
    story.append(PageBreak())
    return story


def _has_timestamps(layout: Layout) -> bool:
    try:
        from app.evidence.anchors import appendix_rows

        return bool(appendix_rows(layout.vault))
    except Exception:  # no evidence module rows: say none rather than claim any
        return False


def has_privilege_log(layout: Layout) -> bool:
    sel = layout.selection
    return bool(sel.left_out) or any(c.entry.fields.private for c in sel.entries)


def privilege_basis(entry: Entry) -> str:
    """The owner chooses the basis by tagging the entry 'attorney-client' or
    'work-product'; untagged entries say counsel is to confirm it."""
    tags = {t.strip().lower().replace("_", "-").replace(" ", "-") for t in entry.fields.tags}
    chosen = [label for tag, label in PRIVILEGE_BASES.items() if tag in tags]
    return "; ".join(chosen) or "To be confirmed by counsel"


def privilege_description(entry: Entry) -> str:
    """Neutral: what kind of record, never its content. The owner may write their
    own with a tag 'privlog: …'."""
    for tag in entry.fields.tags:
        if tag.lower().startswith("privlog:"):
            return tag.split(":", 1)[1].strip()
    return f"{ENTRY_KINDS.get(entry.kind, entry.kind)} written by the business about the matter"


def privilege_rows(layout: Layout) -> list[tuple[str, str, str, str, str, str]]:
    """(date, kind, participants, description, basis, status) of every private entry."""
    sel = layout.selection
    rows = []
    for entry in sel.left_out:
        rows.append(_privilege_row(entry, "withheld"))
    for chosen in sel.entries:
        if chosen.entry.fields.private:
            rows.append(_privilege_row(chosen.entry, "produced, marked PRIVILEGED"))
    return sorted(rows)


def _privilege_row(entry: Entry, status: str) -> tuple[str, str, str, str, str, str]:
    return (
        when_text(entry.occurred_at),
        ENTRY_KINDS.get(entry.kind, entry.kind),
        ", ".join(entry.fields.participants) or "—",
        privilege_description(entry),
        privilege_basis(entry),
        status,
    )


def privilege_log(layout: Layout) -> list[Any]:
    if not has_privilege_log(layout):
        return []
    s = styles()
    story: list[Any] = [heading(layout, "sec:privilege", "Privilege log")]
    story.append(
        para(
            "Entries the owner marked private (for example notes made for counsel). Withheld entries are not in "
            "this production; their descriptions say what kind of record each is without disclosing its content. "
            "The same list is in the bundle as privilege_log.csv.",
            s["muted"],
        )
    )
    rows = [cells("Date", "Kind", "Participants", "Description", "Basis", "Status", bold=True)]
    rows += [cells(*row) for row in privilege_rows(layout)]
    story += long_grid(rows, [80, 50, 80, FRAME_WIDTH - 80 - 50 - 80 - 80 - 60, 80, 60])
    story.append(PageBreak())
    return story


def signing_facts(layout: Layout) -> list[tuple[str, str]]:
    """The vault key and the trusted timestamps (app/evidence), one row each."""
    from app.evidence.anchors import appendix_rows

    key = layout.vault.signing.public_key()
    return [
        ("Signing key", f"Ed25519, fingerprint {key.fingerprint}"),
        ("Public key", key.base64),
        *appendix_rows(layout.vault),
    ]


def integrity(layout: Layout) -> list[Any]:
    s, sel = styles(), layout.selection
    story: list[Any] = [heading(layout, "sec:integrity", "Integrity appendix")]
    facts = [
        ("Ledger events", str(sel.ledger_count)),
        ("Ledger chain head", sel.ledger_head),
        ("Seal", sel.seal),
        ("Bates range", f"{layout.bates(1)} – {layout.bates(layout.total_pages)} ({layout.total_pages} pages)"),
        *signing_facts(layout),
    ]
    story.append(grid([cells(k, bold=True)[:1] + cells(v) for k, v in facts], [110, FRAME_WIDTH - 110], header=False))
    story.append(Paragraph("How to check", s["h3"]))
    steps = [
        "1. The bundle (ZIP) holds this PDF, every exhibit's original bytes under exhibits/, manifest.json, "
        "exhibits.csv, this PDF split into one PDF per document under documents/ with its text under text/, "
        "a Concordance load file (.dat), an Opticon image cross-reference (.opt), the chronology as CSV and XLSX, "
        "README.txt and SHA256SUMS.",
        "2. Unpack it and, in the unpacked folder, check every line of SHA256SUMS — on Linux: sha256sum -c "
        "SHA256SUMS; on macOS: shasum -a 256 -c SHA256SUMS (every line must say OK); on Windows, in PowerShell: "
        "Get-FileHash -Algorithm SHA256 FILE, compared with that file's line (README.txt gives a one-line loop "
        "that checks them all).",
        "3. Or run: casefile verify-bundle BUNDLE.zip — it checks every hash and the manifest, and names any file "
        "that was changed, removed or added.",
        "4. The ledger head above is a SHA-256 hash chain over every change ever made to the record. The owner "
        "can re-check the record against it at any time with casefile verify --seal SEAL; a head sent earlier to "
        "counsel supports that the record already existed in that state then.",
        "5. manifest.json is signed with the vault's signing key above (manifest.sig, signing_key.pem; README.txt "
        "gives the openssl command), and this PDF carries a PAdES signature by a certificate naming the same "
        "fingerprint: compare it with the fingerprint the owner gave you. Trusted timestamps (RFC 3161), when "
        "listed above, come from independent authorities and are in the bundle under timestamps/.",
    ]
    story += [para(step, s["body"]) for step in steps]
    story.append(Paragraph("SHA-256 of every exhibit", s["h3"]))
    rows = [cells("Exhibit", "Native file", "SHA-256", bold=True)]
    rows += [[*cells(str(ex.number), ex.native_path), para(ex.attachment.sha256, s["mono"])] for ex in layout.exhibits]
    story += long_grid(rows, [44, FRAME_WIDTH - 44 - 290, 290])
    return story
