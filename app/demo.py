"""The demo vault: a realistic difficult-client story to look at and to test against.

Sam Rivera runs Brightline Renovations. Gerald Whitmore's kitchen remodel went
from scope creep to late payments, angry calls, a complaint about the tiles and
finally a threat to sue. Three other clients show the rest of the range.
Attachments are made here (emails as .eml, "photos" as PNG, an invoice as PDF)
so the demo needs no files from outside.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.records.models import EntryFields
from app.vault import Vault

DEMO_PASSPHRASE = "demo-casefile-vault"
TZ_NAME = "America/Chicago"
CDT = timezone(timedelta(hours=-5))
CST = timezone(timedelta(hours=-6))


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    zone = CDT if (3, 9) <= (moment.month, moment.day) < (11, 2) else CST
    return moment.replace(tzinfo=zone)


def png_bytes(width: int, height: int, rgb: tuple[int, int, int], stripe: tuple[int, int, int]) -> bytes:
    """A small valid PNG: a colour field with a diagonal crack, made without Pillow."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            crack = abs(x - y * width // height) < 3 + (x % 7 == 0)
            rows.extend(stripe if crack else rgb)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF with the given lines (Helvetica), with a correct xref table."""
    text = (
        "BT /F1 12 Tf 72 740 Td 16 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def eml_bytes(sender: str, to: str, subject: str, when: datetime, body: str, msg_id: str) -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{msg_id}@mail.example>"
    msg.set_content(body)
    return bytes(msg)


SAM = "Sam Rivera <sam@brightline-reno.example>"
GERALD = "Gerald Whitmore <gwhitmore@example.net>"

# (when, kind, title, body, extra fields, attachments)
# attachments: ("eml", subject-from-title) | ("png", name, colour) | ("pdf", name, lines)
WHITMORE_STORY: list[tuple[str, str, str, str, dict[str, object], list[tuple[object, ...]]]] = [
    (
        "2026-05-04T10:00",
        "agreement",
        "Signed kitchen remodel contract ($24,800)",
        "Contract signed at the Whitmore house. Scope: cabinets, counters, backsplash tile, lighting. "
        "Payment schedule 30/40/30. Change orders in writing only (clause 7). 14 days' notice to terminate (clause 12).",
        {"participants": ("Gerald Whitmore", "Sam Rivera"), "amount_cents": 2480000, "currency": "USD"},
        [
            (
                "pdf",
                "contract-summary.pdf",
                [
                    "Brightline Renovations - Kitchen remodel",
                    "Client: Gerald Whitmore",
                    "Contract price: $24,800",
                    "Payment: 30% / 40% / 30%",
                    "Clause 7: change orders in writing",
                    "Clause 12: 14 days' notice",
                ],
            )
        ],
    ),
    (
        "2026-05-18T16:30",
        "call",
        "Asked for an island added at no charge",
        "Gerald called asking to add a kitchen island 'since you're already here'. Explained it needs a written "
        "change order (about $3,200). He said other contractors 'throw things in' and hung up.",
        {"participants": ("Gerald Whitmore",), "duration_min": 14, "time_spent_min": 20},
        [],
    ),
    (
        "2026-05-29T09:15",
        "email",
        "Change order refused by email",
        "Gerald replied to the change order: he will not pay for the island and expects it done.",
        {"participants": ("Gerald Whitmore",)},
        [("eml", GERALD, SAM)],
    ),
    (
        "2026-06-12T11:00",
        "invoice",
        "Invoice #1042 — second instalment ($9,920)",
        "Second instalment due on cabinet installation, net 14.",
        {"amount_cents": 992000, "currency": "USD"},
        [
            (
                "pdf",
                "invoice-1042.pdf",
                [
                    "INVOICE #1042",
                    "Brightline Renovations",
                    "Bill to: Gerald Whitmore",
                    "Second instalment (40%): $9,920.00",
                    "Due: 2026-06-26",
                ],
            )
        ],
    ),
    (
        "2026-06-30T08:40",
        "call",
        "Payment late; blamed 'sloppy work'",
        "Invoice #1042 four days overdue. Gerald said he won't pay until the 'sloppy work' is fixed but could not "
        "name a defect. Offered a walk-through on Thursday.",
        {"participants": ("Gerald Whitmore",), "duration_min": 22, "time_spent_min": 30},
        [],
    ),
    (
        "2026-07-02T14:00",
        "meeting",
        "Walk-through: no defects found",
        "Walk-through with Gerald and our lead carpenter Luis. Gerald pointed at a 1 mm gap behind the fridge "
        "panel (within tolerance; fixed on the spot). Agreed payment by 7 July.",
        {"participants": ("Gerald Whitmore", "Luis Ortega"), "duration_min": 45, "time_spent_min": 60},
        [("png", "fridge-panel-gap.png", (214, 204, 186))],
    ),
    (
        "2026-07-09T10:05",
        "payment",
        "Invoice #1042 paid, 12 days late",
        "Payment received by bank transfer.",
        {"amount_cents": 992000, "currency": "USD"},
        [],
    ),
    (
        "2026-08-14T19:45",
        "incident",
        "Shouted at the tile crew on site",
        "Gerald came home during grouting and shouted at the crew for 'ruining' the backsplash, told them to leave. "
        "Crew left at 7:50 pm. Luis wrote a statement.",
        {"participants": ("Gerald Whitmore", "Luis Ortega", "Mia Chen"), "time_spent_min": 90},
        [],
    ),
    (
        "2026-08-15T08:00",
        "statement",
        "Statement of Luis Ortega (lead carpenter)",
        "On 14 August at about 7:45 pm Mr Whitmore entered the kitchen and shouted that we had ruined his "
        "backsplash. He told us to get out. We packed up and left at 7:50 pm. The grout was not finished.",
        {"participants": ("Luis Ortega",)},
        [],
    ),
    (
        "2026-08-16T12:30",
        "complaint",
        "Complaint: 'cracked' backsplash tile",
        "Gerald sent photos of one tile with a hairline crack and demanded the whole backsplash be redone for free. "
        "One tile can be replaced in 30 minutes.",
        {"participants": ("Gerald Whitmore",)},
        [
            ("png", "backsplash-tile-photo-1.png", (236, 236, 230)),
            ("png", "backsplash-tile-photo-2.png", (228, 230, 232)),
        ],
    ),
    (
        "2026-08-20T15:10",
        "call",
        "Offered tile replacement; refused",
        "Offered to replace the cracked tile at no charge. Gerald refused: 'all or nothing'. Said he will leave "
        "reviews everywhere.",
        {"participants": ("Gerald Whitmore",), "duration_min": 18, "time_spent_min": 25},
        [],
    ),
    (
        "2026-09-03T17:20",
        "legal_threat",
        "Threatened to sue for $30,000",
        "Gerald emailed that his lawyer will 'sue for the full contract price plus damages' unless we redo the "
        "backsplash and refund the second instalment. Final invoice #1057 is unpaid.",
        {"participants": ("Gerald Whitmore",)},
        [("eml", GERALD, SAM)],
    ),
    (
        "2026-09-04T09:00",
        "note",
        "Spoke with our lawyer (strategy)",
        "Called Dana Kim (attorney). Advice: keep documenting, do not argue by email, send a clear written "
        "position, keep all photos.",
        {"participants": ("Dana Kim",), "private": True, "time_spent_min": 40},
        [],
    ),
    (
        "2026-09-05T11:00",
        "invoice",
        "Final invoice #1057 ($7,440) unpaid",
        "Final instalment on completion.",
        {"amount_cents": 744000, "currency": "USD"},
        [
            (
                "pdf",
                "invoice-1057.pdf",
                [
                    "INVOICE #1057",
                    "Brightline Renovations",
                    "Bill to: Gerald Whitmore",
                    "Final instalment (30%): $7,440.00",
                    "Due: 2026-09-19",
                ],
            )
        ],
    ),
    (
        "2026-09-22T10:30",
        "letter_sent",
        "Letter ending the engagement",
        "Dear Mr Whitmore, thank you for choosing Brightline for your kitchen. We have decided to end our "
        "engagement under clause 12 of our contract, effective 6 October. We will replace the cracked tile before "
        "then at no charge. The final invoice #1057 remains due. Other contractors you may consider: Oak & Iron "
        "Builders, Lakeside Home Services. Sincerely, Sam Rivera",
        {"participants": ("Gerald Whitmore",)},
        [("eml", SAM, GERALD)],
    ),
    (
        "2026-09-23T10:45",
        "call",
        "Follow-up call after the letter",
        "Called 24 h after the letter. Gerald was angry but calmer; repeated our decision is final and that we "
        "wish him the best. He asked about the tile; booked for 29 September.",
        {"participants": ("Gerald Whitmore",), "duration_min": 9, "time_spent_min": 15},
        [],
    ),
]


def _attachment(spec: tuple[object, ...], title: str, when: datetime, index: int) -> tuple[str, bytes]:
    kind = spec[0]
    if kind == "eml":
        sender, to = str(spec[1]), str(spec[2])
        body = f"{title}.\n\nSent from my phone"
        return f"email-{when:%Y%m%d}.eml", eml_bytes(sender, to, title, when, body, f"demo-{when:%Y%m%d%H%M}-{index}")
    if kind == "png":
        colour = spec[2]
        assert isinstance(colour, tuple)
        return str(spec[1]), png_bytes(320, 240, colour, (90, 90, 95))
    lines = spec[2]
    assert isinstance(lines, list)
    return str(spec[1]), pdf_bytes([str(x) for x in lines])


def populate(vault: Vault) -> None:
    vault.settings.set("demo", "on")
    vault.settings.set("owner_name", "Sam Rivera")
    vault.settings.set("business_name", "Brightline Renovations")
    vault.settings.set("bates_prefix", "BRIGHT")
    vault.settings.set("referrals", "Oak & Iron Builders, (312) 555-0100\nLakeside Home Services, (708) 555-0175")
    vault.settings.set("display_timezone", TZ_NAME)
    whitmore = vault.clients.add(
        "Gerald Whitmore",
        emails=["gwhitmore@example.net"],
        phones=["+1 312 555 0147"],
        address="418 Linden Ave, Oak Park, IL",
        notes="Kitchen remodel, referred by a neighbour.",
    )
    for index, (when_text, kind, title, body, extra, attachments) in enumerate(WHITMORE_STORY):
        when = _at(when_text)
        fields = EntryFields(kind=kind, occurred_at=when, occurred_tz=TZ_NAME, title=title, body=body, **extra)  # type: ignore[arg-type]
        entry = vault.entries.log(whitmore.id, fields)
        for spec in attachments:
            name, data = _attachment(spec, title, when, index)
            vault.attachments.add_stream(entry.id, io.BytesIO(data), name, source="demo")
        if kind == "legal_threat":
            vault.clients.set_status(whitmore.id, "watch", "Threatened legal action over the backsplash.")
        if kind == "letter_sent":
            vault.clients.set_status(whitmore.id, "parting_ways", "Engagement ended under clause 12.")
    # An edit and a retraction, so the record shows both.
    first_call = vault.entries.timeline(whitmore.id, ("call",))[-1]
    vault.entries.revise(
        first_call.id,
        EntryFields(
            **{
                **first_call.fields.__dict__,
                "body": first_call.fields.body + " Followed up with the change order by email the same day.",
            }
        ),
        note="Added the follow-up.",
    )
    mistaken = vault.entries.log(
        whitmore.id,
        EntryFields(
            "call",
            _at("2026-08-21T09:00"),
            "Call about tile (wrong client)",
            "Logged under the wrong client by mistake.",
        ),
    )
    vault.entries.retract(mistaken.id, "Logged under the wrong client; the call was with Maple Street Bakery.")
    _parting_checklist(vault, whitmore.id)
    vault.reminders.add(whitmore.id, _at("2026-09-29T08:00"), "Replace the cracked tile")

    bakery = vault.clients.add(
        "Maple Street Bakery", emails=["orders@maplestreetbakery.example"], phones=["+1 312 555 0190"]
    )
    for when_text, kind, title, body in [
        ("2026-06-02T08:30", "meeting", "Counter refit walk-through", "Friendly walk-through; agreed scope."),
        ("2026-06-20T16:00", "invoice", "Invoice #1048 ($4,200)", "Counter refit."),
        ("2026-06-27T09:10", "payment", "Invoice #1048 paid", "Paid on time."),
        ("2026-08-21T09:00", "call", "Call about tile for the café corner", "Wants a quote for next spring."),
    ]:
        vault.entries.log(bakery.id, EntryFields(kind, _at(when_text), title, body, occurred_tz=TZ_NAME))

    priya = vault.clients.add("Priya Natarajan", emails=["priya.n@example.org"])
    vault.entries.log(
        priya.id,
        EntryFields(
            "call",
            _at("2026-10-14T13:00"),
            "Disputed the bathroom estimate",
            "Says the estimate 'doubled'; it did not. Sent the breakdown again.",
            occurred_tz=TZ_NAME,
            duration_min=25,
        ),
    )
    vault.entries.log(
        priya.id,
        EntryFields(
            "complaint",
            _at("2026-10-28T18:20"),
            "Complained about noise to the landlord",
            "Landlord forwarded a complaint about drilling at 8 am (allowed by the lease).",
            occurred_tz=TZ_NAME,
        ),
    )
    vault.clients.set_status(priya.id, "watch", "Second dispute in two weeks.")

    dale = vault.clients.add("Dale Corbin", emails=["dale.corbin@example.com"], phones=["+1 708 555 0112"])
    vault.entries.log(
        dale.id,
        EntryFields(
            "incident",
            _at("2025-11-03T10:00"),
            "Refused to pay; abusive voicemail",
            "Left an abusive voicemail after the deck job; paid only after a demand letter.",
            occurred_tz=TZ_NAME,
        ),
    )
    vault.clients.set_status(dale.id, "do_not_serve", "Abusive to staff; paid only after a demand letter (2025).")


def _parting_checklist(vault: Vault, client_id: int) -> None:
    """Gerald's parting-ways checklist, done up to the follow-up call (outcome, reflection, status still open)."""
    from app.parting.checklist import mark_done

    def entry(kind: str, title_start: str) -> int:
        return next(e.id for e in vault.entries.timeline(client_id, (kind,)) if e.title.startswith(title_start))

    mark_done(
        vault,
        client_id,
        "meeting",
        done_at=_at("2026-07-02T15:00"),
        note="Walk-through; payment by 7 July agreed.",
        entry_id=entry("meeting", "Walk-through"),
    )
    terms_at, notice_end = _at("2026-09-15T09:00"), _at("2026-10-06T09:00")
    mark_done(vault, client_id, "terms", done_at=terms_at, notice_end=notice_end, note="clause 12")
    mark_done(vault, client_id, "settled", done_at=_at("2026-09-18T16:00"), note="Final invoice #1057 outstanding.")
    mark_done(vault, client_id, "drafted", done_at=_at("2026-09-20T20:00"))
    mark_done(vault, client_id, "proofread", done_at=_at("2026-09-21T12:00"), by_whom="Dana Kim (attorney)")
    letter_id = entry("letter_sent", "Letter ending")
    mark_done(vault, client_id, "sent", done_at=_at("2026-09-22T10:30"), how="email", entry_id=letter_id)
    call_id = entry("call", "Follow-up call")
    mark_done(vault, client_id, "follow_up", done_at=_at("2026-09-23T10:45"), entry_id=call_id, note="Calmer.")


def build_demo_vault(path: Path, passphrase: str) -> str:
    """Create the demo vault at ``path``; returns its recovery key."""
    vault, recovery_key = Vault.create(path, passphrase)
    try:
        populate(vault)
    finally:
        vault.lock()
    return recovery_key
