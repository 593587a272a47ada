"""The demo vault: a realistic difficult-client story to look at and to test against.

Sam Rivera runs Brightline Renovations. Gerald Whitmore's kitchen remodel went
from scope creep to late payments, angry calls, a complaint about the tiles and
finally a threat to sue. Three other clients show the rest of the range.
Attachments are made here (emails as .eml carrying the words the entries quote, photos
drawn with Pillow in app/demo_photos.py, a contract and invoices as PDF) so the demo
needs no files from outside. It is built on a story clock: see ``build_demo_vault``.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.records.models import EntryFields
from app.vault import Vault

if TYPE_CHECKING:
    from app.clock import StoryClock

DEMO_PASSPHRASE = "demo-casefile-vault"
TZ_NAME = "America/Chicago"
CDT = timezone(timedelta(hours=-5))
CST = timezone(timedelta(hours=-6))


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    zone = CDT if (3, 9) <= (moment.month, moment.day) < (11, 2) else CST
    return moment.replace(tzinfo=zone)


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

CHANGE_ORDER_REPLY = """Sam,

I'm not signing a change order for the island and I'm not paying $3,200 for it. You're already
here with the whole crew. Other contractors throw things like this in. I expect it done with
the rest of the kitchen.

Gerald"""

THREAT_EMAIL = """Sam,

I have spoken to my lawyer. Unless you redo the entire backsplash and refund the second
instalment by Friday, my lawyer will sue you for the full contract price plus damages,
$30,000. I will not pay invoice #1057. I will also leave reviews everywhere so people know
what kind of work you do.

Gerald Whitmore"""

# (when, kind, title, body, extra fields, attachments)
# attachments: ("eml", from, to, subject, body or None for the entry's own text) |
#   ("jpg", name, scene in app/demo_photos.py) | ("pdf", name, lines)
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
                    "HOME IMPROVEMENT CONTRACT",
                    "Between Brightline Renovations LLC (Contractor), Sam Rivera, owner,",
                    "and Gerald Whitmore (Owner), 418 Linden Ave, Oak Park, IL.",
                    "1. Work: kitchen remodel - cabinets, counters, backsplash tile, lighting,",
                    "   as in the attached scope of 28 April 2026.",
                    "2. Price: $24,800.00, fixed.",
                    "3. Payment: 30% on signing, 40% on cabinet installation, 30% on completion;",
                    "   each invoice due within 14 days.",
                    "7. Changes: any change to the work is agreed in a written change order,",
                    "   signed by both parties, with its price, before it is carried out.",
                    "12. Termination: either party may end this contract with 14 days'",
                    "    written notice; work done to that date is paid for.",
                    "Signed at Oak Park, IL, on 4 May 2026.",
                    "Gerald Whitmore (Owner)          Sam Rivera, Brightline Renovations LLC",
                ],
            )
        ],
    ),
    (
        "2026-05-18T16:30",
        "call",
        "Request to add an island at no charge",
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
        [("eml", GERALD, SAM, "Re: Change order #1 - kitchen island", CHANGE_ORDER_REPLY)],
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
        "Call about the overdue invoice #1042",
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
        [("jpg", "fridge-panel-gap.jpg", "fridge")],
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
        "Client told the tile crew to leave the site",
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
        "Complaint about a cracked backsplash tile",
        "Gerald sent photos of one tile with a hairline crack and demanded the whole backsplash be redone for free. "
        "One tile can be replaced in 30 minutes.",
        {"participants": ("Gerald Whitmore",)},
        [
            ("jpg", "backsplash-tile-photo-1.jpg", "tiles-1"),
            ("jpg", "backsplash-tile-photo-2.jpg", "tiles-2"),
        ],
    ),
    (
        "2026-08-20T15:10",
        "call",
        "Offered to replace the tile; offer declined",
        "Offered to replace the cracked tile at no charge. Gerald refused: 'all or nothing'. Said he will leave "
        "reviews everywhere.",
        {"participants": ("Gerald Whitmore",), "duration_min": 18, "time_spent_min": 25},
        [],
    ),
    (
        "2026-09-03T17:20",
        "legal_threat",
        "Email stating he will sue for $30,000",
        "Gerald emailed that his lawyer will 'sue for the full contract price plus damages' unless we redo the "
        "backsplash and refund the second instalment. Final invoice #1057 is unpaid.",
        {"participants": ("Gerald Whitmore",)},
        [("eml", GERALD, SAM, "Backsplash - final warning", THREAT_EMAIL)],
    ),
    (
        "2026-09-04T09:00",
        "note",
        "Call with our lawyer (strategy)",
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
        [("eml", SAM, GERALD, "Ending our engagement (clause 12)", None)],
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


def _attachment(spec: tuple[object, ...], entry_body: str, when: datetime, index: int) -> tuple[str, bytes]:
    from app import demo_photos

    kind = spec[0]
    if kind == "eml":
        sender, to, subject, text = str(spec[1]), str(spec[2]), str(spec[3]), spec[4]
        body = str(text) if text is not None else entry_body
        return f"email-{when:%Y%m%d}.eml", eml_bytes(sender, to, subject, when, body, f"demo-{when:%Y%m%d%H%M}-{index}")
    if kind == "jpg":
        scene = str(spec[2])
        photos = {
            "fridge": demo_photos.fridge_panel_gap,
            "tiles-1": lambda: demo_photos.backsplash_tiles(1),
            "tiles-2": lambda: demo_photos.backsplash_tiles(2),
            "water": demo_photos.water_damage,
        }
        return str(spec[1]), photos[scene]()
    lines = spec[2]
    assert isinstance(lines, list)
    return str(spec[1]), pdf_bytes([str(x) for x in lines])


# Minutes between an event and the moment its entry was saved: a call is written up
# just after it ends, an email is filed when it is read, a meeting after the drive back.
SAVED_AFTER_MIN = {"call": 8, "meeting": 35, "email": 25, "incident": 40, "statement": 30, "complaint": 45,
                   "legal_threat": 20, "invoice": 2, "payment": 180, "agreement": 90, "note": 15,
                   "letter_sent": 3}  # fmt: skip


def _saved_at(kind: str, when: datetime, extra: dict[str, object]) -> datetime:
    duration = extra.get("duration_min") or 0
    return when + timedelta(minutes=int(duration) + SAVED_AFTER_MIN.get(kind, 30))  # type: ignore[call-overload]


def populate(vault: Vault, clock: StoryClock) -> None:
    """The story, written in the order it happened, each step at its own story time."""
    from app.parting.checklist import mark_done

    clock.set(_at("2025-10-20T09:00"))
    vault.settings.set("demo", "on")
    vault.settings.set("owner_name", "Sam Rivera")
    vault.settings.set("business_name", "Brightline Renovations")
    vault.settings.set("bates_prefix", "BRIGHT")
    vault.settings.set("referrals", "Oak & Iron Builders, (312) 555-0100\nLakeside Home Services, (708) 555-0175")
    vault.settings.set("display_timezone", TZ_NAME)
    ids: dict[str, int] = {}
    steps: list[tuple[datetime, Any]] = []

    def at(when: str | datetime, action: Any) -> None:
        steps.append((_at(when) if isinstance(when, str) else when, action))

    def log(client: str, when: datetime, kind: str, title: str, body: str, extra: dict[str, object],
            attachments: list[tuple[object, ...]] = (), key: str = "") -> None:  # type: ignore[assignment]  # fmt: skip
        def action() -> None:
            fields = EntryFields(kind=kind, occurred_at=when, occurred_tz=TZ_NAME, title=title, body=body, **extra)  # type: ignore[arg-type]
            entry = vault.entries.log(ids[client], fields)
            ids[key or title] = entry.id
            for index, spec in enumerate(attachments):
                name, data = _attachment(spec, body, when, index)
                vault.attachments.add_stream(entry.id, io.BytesIO(data), name, source="demo")

        at(_saved_at(kind, when, extra), action)

    def add_client(key: str, name: str, **details: Any) -> Any:
        return lambda: ids.__setitem__(key, vault.clients.add(name, **details).id)

    # Dale Corbin: a client from last year, already refused.
    at("2025-10-20T09:30", add_client("dale", "Dale Corbin", emails=["dale.corbin@example.com"], phones=["+1 708 555 0112"]))  # fmt: skip
    log("dale", _at("2025-11-03T10:00"), "incident", "Refused to pay; voicemail with insults",
        "Left a voicemail with insults after the deck job; paid only after a demand letter.", {})  # fmt: skip
    at("2025-11-20T16:00", lambda: vault.clients.set_status(ids["dale"], "do_not_serve", "Abusive to staff; paid only after a demand letter (2025)."))  # fmt: skip

    at("2026-05-04T09:00", add_client("whitmore", "Gerald Whitmore", emails=["gwhitmore@example.net"],
       phones=["+1 312 555 0147"], address="418 Linden Ave, Oak Park, IL", notes="Kitchen remodel, referred by a neighbour."))  # fmt: skip
    for when_text, kind, title, body, extra, attachments in WHITMORE_STORY:
        when = _at(when_text)
        log("whitmore", when, kind, title, body, extra, attachments)
        if kind == "legal_threat":
            at(when + timedelta(minutes=50), lambda: vault.clients.set_status(ids["whitmore"], "watch", "Stated he will take legal action over the backsplash."))  # fmt: skip
        if kind == "letter_sent":
            at(when + timedelta(minutes=15), lambda: vault.clients.set_status(ids["whitmore"], "parting_ways", "Engagement ended under clause 12."))  # fmt: skip

    def revise_first_call() -> None:  # the same evening: a revision, so the record shows one
        entry = vault.entries.get(ids["Request to add an island at no charge"])
        fields = EntryFields(**{**entry.fields.__dict__, "body": entry.fields.body + " Followed up with the change order by email the same day."})  # fmt: skip
        vault.entries.revise(entry.id, fields, note="Added the follow-up.")

    at("2026-05-18T18:10", revise_first_call)
    log("whitmore", _at("2026-08-21T09:00"), "call", "Call about tile (wrong client)",
        "Logged under the wrong client by mistake.", {}, key="mistaken")  # fmt: skip
    at("2026-08-21T09:40", lambda: vault.entries.retract(ids["mistaken"], "Logged under the wrong client; the call was with Maple Street Bakery."))  # fmt: skip

    def checklist(step: str, done: str, **kw: Any) -> None:
        at(_at(done) + timedelta(minutes=5), lambda: mark_done(vault, ids["whitmore"], step, done_at=_at(done), **kw))

    at("2026-07-02T15:40", lambda: mark_done(vault, ids["whitmore"], "meeting", done_at=_at("2026-07-02T15:00"),
       note="Walk-through; payment by 7 July agreed.", entry_id=ids["Walk-through: no defects found"]))  # fmt: skip
    checklist("terms", "2026-09-15T09:00", notice_end=_at("2026-10-06T09:00"), note="clause 12")
    checklist("settled", "2026-09-18T16:00", note="Final invoice #1057 outstanding.")
    checklist("drafted", "2026-09-20T20:00")
    checklist("proofread", "2026-09-21T12:00", by_whom="Dana Kim (attorney)")
    at("2026-09-22T10:40", lambda: mark_done(vault, ids["whitmore"], "sent", done_at=_at("2026-09-22T10:30"), how="email",
       entry_id=ids["Letter ending the engagement"]))  # fmt: skip
    at("2026-09-23T11:05", lambda: mark_done(vault, ids["whitmore"], "follow_up", done_at=_at("2026-09-23T10:45"),
       entry_id=ids["Follow-up call after the letter"], note="Calmer."))  # fmt: skip
    at("2026-09-23T11:10", lambda: vault.reminders.add(ids["whitmore"], _at("2026-09-29T08:00"), "Replace the cracked tile"))  # fmt: skip

    at("2026-06-02T08:00", add_client("bakery", "Maple Street Bakery", emails=["orders@maplestreetbakery.example"], phones=["+1 312 555 0190"]))  # fmt: skip
    for when_text, kind, title, body in [
        ("2026-06-02T08:30", "meeting", "Counter refit walk-through", "Friendly walk-through; agreed scope."),
        ("2026-06-20T16:00", "invoice", "Invoice #1048 ($4,200)", "Counter refit."),
        ("2026-06-27T09:10", "payment", "Invoice #1048 paid", "Paid on time."),
        ("2026-08-21T09:00", "call", "Call about tile for the café corner", "Wants a quote for next spring."),
    ]:
        log("bakery", _at(when_text), kind, title, body, {})

    at("2026-10-14T12:30", add_client("priya", "Priya Natarajan", emails=["priya.n@example.org"]))
    log("priya", _at("2026-10-14T13:00"), "call", "Disputed the bathroom estimate",
        "Says the estimate 'doubled'; it did not. Sent the breakdown again, with the photo of the water damage "
        "under the sink that the estimate covers.", {"duration_min": 25},
        [("jpg", "sink-cabinet-water-damage.jpg", "water")])  # fmt: skip
    log("priya", _at("2026-10-28T18:20"), "complaint", "Complaint to the landlord about noise",
        "Landlord forwarded a complaint about drilling at 8 am (allowed by the lease).", {})  # fmt: skip
    at("2026-10-28T19:15", lambda: vault.clients.set_status(ids["priya"], "watch", "Second dispute in two weeks."))

    # Python's sort is stable: steps at the same minute keep the order they were written in.
    for moment, action in sorted(steps, key=lambda step: step[0]):
        clock.set(moment)
        action()


def build_demo_vault(path: Path, passphrase: str) -> str:
    """Create the demo vault at ``path``; returns its recovery key. Built on a story clock
    (app/clock.py): the vault is made before the story starts and every entry, status
    change and ledger event carries a plausible time, a few minutes after its event."""
    from app.clock import StoryClock, story_time

    with story_time(StoryClock(_at("2025-10-20T09:00"))) as clock:
        vault, recovery_key = Vault.create(path, passphrase)
        try:
            populate(vault, clock)
        finally:
            vault.lock()
    return recovery_key
