"""The records declaration template and the integrity appendix."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import PageBreak, Paragraph, Spacer

from app.dossier.layout import Layout
from app.dossier.sections import FRAME_WIDTH, cells, grid, heading, long_grid
from app.dossier.text import para, styles

BLANK = "_" * 44


def declaration(layout: Layout) -> list[Any]:
    s, sel = styles(), layout.selection
    owner = sel.owner_name or BLANK
    business = sel.business_name or BLANK
    first, last = layout.bates(1), layout.bates(layout.total_pages)
    paragraphs = [
        f"I, {owner}, declare:",
        f'1. I am the owner of {business} (the "business") and the custodian of its records of dealings with '
        f"{sel.client.name}, or am otherwise qualified to make this declaration. I have personal knowledge of how "
        "these records are made and kept.",
        f'2. The records produced as pages {first} through {last} (the "dossier") and the native files in the '
        "accompanying bundle are true copies of records that were (a) made at or near the time of the acts, events "
        "and conversations they describe, by — or from information transmitted by — someone with knowledge of "
        "those matters; (b) kept in the course of the regularly conducted activity of the business; and (c) made "
        "as a regular practice of that activity.",
        "3. Each record carries the time it was written down ('recorded'), set by the record-keeping software "
        "and not editable. Later edits are kept as revisions and withdrawn entries as retractions; the dossier "
        "shows both.",
        "4. Each native file is identified by its SHA-256 hash value, listed in the exhibit index and the "
        "integrity appendix. I compared the hash value of each file produced with the value recorded when the "
        f"file was first stored, and they are identical. The record's hash chain stood at {sel.ledger_count} "
        f"events with head {sel.ledger_head} when the dossier was prepared.",
        "I declare under penalty of perjury under the laws of ____________________ that the foregoing is true "
        "and correct.",
    ]
    story: list[Any] = [heading(layout, "sec:declaration", "Records declaration (template)")]
    story.append(
        para(
            "Template of a custodian declaration in the style of US Federal Rules of Evidence 902(11) "
            "(certified records of a regularly conducted activity) and 902(14) (data copied from an electronic "
            "device, authenticated by a process of digital identification such as hash values). Counsel decides "
            "what the jurisdiction requires, adapts the wording, and tells the owner whether and where to sign.",
            s["muted"],
        )
    )
    story += [para(text, s["body"]) for text in paragraphs]
    story.append(Spacer(1, 24))
    blanks = [
        ("Signature", BLANK),
        ("Name", sel.owner_name or BLANK),
        ("Title / capacity", BLANK),
        ("Date", BLANK),
        ("Place", BLANK),
    ]
    table = grid([cells(k, bold=True)[:1] + cells(v) for k, v in blanks], [110, FRAME_WIDTH - 110], header=False)
    table.setStyle([("TOPPADDING", (0, 0), (-1, -1), 12)])
    story += [table, PageBreak()]
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
        "exhibits.csv, a Concordance load file (.dat), README.txt and SHA256SUMS.",
        "2. Unpack it and run, in the unpacked folder: sha256sum -c SHA256SUMS — every line must say OK.",
        "3. Or run: casefile verify-bundle BUNDLE.zip — it checks every hash and the manifest, and names any file "
        "that was changed, removed or added.",
        "4. The ledger head above is a SHA-256 hash chain over every change ever made to the record. The owner "
        "can re-check the record against it at any time with casefile verify --seal SEAL; a head sent earlier to "
        "counsel proves that the record already existed in that state then.",
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
