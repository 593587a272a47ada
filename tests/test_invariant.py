"""The record's invariant: after any operation Casefile offers, ``verify`` passes.

Seeded random sequences of every state-changing operation of the core and the CLI run
against one real vault per sequence, and ``verify`` (with the latest seal taken in the
sequence, so a rollback would show too) must pass after EACH step.

**Any new state-changing operation must join ``OPERATIONS`` below** (one
``Operation(name, run, applicable)``; ``expensive=True`` for exports, KDF work or
subprocesses, which then only run in the shorter sequences). ``test_each_operation_alone``
runs every operation once from a prepared vault, so a new one is exercised at least once
even if the random sequences never pick it.

A failure names the seed and the steps so far; ``pytest tests/test_invariant.py -k 'seed-N'``
replays it exactly (the generator is ``random.Random(seed)``).
"""

from __future__ import annotations

import io
import mailbox
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.errors import CasefileError
from app.records.models import CLIENT_STATUSES, ENTRY_KINDS, EntryFields
from app.vault import Vault
from tests.conftest import CORPUS, PASSPHRASE
from tests.helpers.cli import CliRunner

CHEAP_SEQUENCES = 200
CHEAP_LENGTH = 10
FULL_SEQUENCES = 16
FULL_LENGTH = 8

EML = sorted((CORPUS / "email" / "eml").glob("*.eml"))
MSG = CORPUS / "email" / "msg" / "strangeDate.msg"
JPEGS = [CORPUS / "images" / "jpeg" / "Canon_40D.jpg", CORPUS / "images" / "jpeg" / "Nikon_D70.jpg"]
HEIC = CORPUS / "images" / "heic" / "IMG_5195.HEIC"


@dataclass
class World:
    """One sequence: its vault, its files and what it has done so far."""

    rng: random.Random
    root: Path
    vault: Vault
    passphrase: str = PASSPHRASE
    recovery_key: str = ""
    seal: str | None = None
    steps: list[str] = field(default_factory=list)
    counter: int = 0
    tsa_url: str = ""  # a real RFC 3161 TSA on 127.0.0.1 (tests/helpers/tsa.py)

    @property
    def path(self) -> Path:
        return self.vault.path

    def fresh(self, name: str) -> Path:
        """A new path under this sequence's folder."""
        self.counter += 1
        return self.root / f"{self.counter:03d}-{name}"

    def clients(self) -> list[int]:
        return [c.id for c in self.vault.clients.list()]

    def client(self) -> int:
        return self.rng.choice(self.clients())

    def live_entries(self) -> list[int]:
        ids = self.vault.db.all("SELECT id FROM entries WHERE retracted = 0 ORDER BY id")
        return [int(r[0]) for r in ids]

    def clients_with_entries(self) -> list[int]:
        rows = self.vault.db.all("SELECT DISTINCT client_id FROM entries WHERE retracted = 0 ORDER BY client_id")
        return [int(r[0]) for r in rows]

    def when(self) -> datetime:
        """An occurred_at from three months ago to now, in a random UTC offset."""
        offset = timedelta(hours=self.rng.choice([-8, -5, 0, 1, 5.5, 9]))
        moment = datetime.now(UTC) - timedelta(minutes=self.rng.randint(0, 90 * 24 * 60))
        return moment.astimezone(timezone(offset))

    def fields(self, kind: str | None = None) -> EntryFields:
        r = self.rng
        return EntryFields(
            kind=kind or r.choice(list(ENTRY_KINDS)),
            occurred_at=self.when(),
            title=r.choice(["Call about the invoice", "Shouted at the crew", "Email: refund", "Note ☎ é 漢字"]),
            body=r.choice(["", "He said he would not pay.", "Line one\nline two", "x" * 300]),
            participants=tuple(r.sample(["Gerald", "Sam", "Dana"], r.randint(0, 2))),
            duration_min=r.choice([None, 5, 45]),
            time_spent_min=r.choice([None, 30]),
            amount_cents=r.choice([None, 12_500]),
            currency="USD",
            tags=tuple(r.sample(["refund", "site", "legal"], r.randint(0, 2))),
            private=r.random() < 0.2,
        )

    def cli(self) -> CliRunner:
        secret = self.fresh("passphrase.txt")
        secret.write_text(self.passphrase + "\n")
        return CliRunner(self.path, secret, self.root)

    def reopen(self, path: Path | None = None, passphrase: str | None = None) -> None:
        """Lock and open again (the next steps run on what was really committed)."""
        target = path or self.path
        self.vault.lock()
        self.vault = Vault.open(target, passphrase or self.passphrase)


@dataclass(frozen=True)
class Operation:
    """A state-changing operation Casefile offers, as the random sequences use it.

    ``ledger``: the operation always appends to the ledger (checked when it runs alone);
    False for drafts, seal and backup, which are not changes of the record.
    """

    name: str
    run: Callable[[World], None]
    applicable: Callable[[World], bool] = lambda w: True
    expensive: bool = False
    ledger: bool = True


# -- the operations -------------------------------------------------------------------


def _client_add(w: World) -> None:
    r = w.rng
    w.vault.clients.add(
        r.choice(["Gerald Whitmore", "Dana Pruitt", "ACME Ltd.", "Zoë Ångström"]) + f" {w.counter}",
        emails=r.choice([(), (f"client{w.counter}@example.com",)]),
        phones=r.choice([(), ("+1 555 0100",)]),
        status=r.choice(["active", "active", "watch", "do_not_serve"]),
    )
    w.counter += 1


def _client_edit(w: World) -> None:
    r = w.rng
    w.vault.clients.update(
        w.client(),
        **r.choice([{"name": f"Renamed {w.counter}"}, {"notes": f"note {w.counter}"}, {"emails": ["a@b.c"]}]),
    )
    w.counter += 1


def _client_status(w: World) -> None:
    w.vault.clients.set_status(w.client(), w.rng.choice(list(CLIENT_STATUSES)), "The pattern keeps repeating.")


def _log(w: World) -> None:
    w.vault.entries.log(w.client(), w.fields())


def _revise(w: World) -> None:
    entry_id = w.rng.choice(w.live_entries())
    current = w.vault.entries.get(entry_id).fields
    fields = w.fields(kind=current.kind)
    if fields == current:
        fields = EntryFields(current.kind, current.occurred_at, current.title + " (corrected)", current.body)
    w.vault.entries.revise(entry_id, fields, note=w.rng.choice(["", "typo"]))


def _retract(w: World) -> None:
    w.vault.entries.retract(w.rng.choice(w.live_entries()), "Logged under the wrong client.")


def _attach(w: World) -> None:
    # Small random bytes, or bytes the vault may already hold (dedup).
    data = w.rng.choice([b"same bytes every time" * 100, w.rng.randbytes(w.rng.randint(1, 3000))])
    w.vault.attachments.add_stream(w.rng.choice(w.live_entries()), io.BytesIO(data), w.rng.choice(["a.bin", "é.txt"]))


def _import(make: Callable[[World], Path]) -> Callable[[World], None]:
    def run(w: World) -> None:
        from app.ingest.importer import import_path

        result = import_path(w.vault, w.client(), make(w))
        assert result.ok, result.line()

    return run


def _import_chat(make: Callable[[World], Path], **options: str) -> Callable[[World], None]:
    def run(w: World) -> None:
        from app.ingest.chats import ChatOptions
        from app.ingest.importer import import_path

        result = import_path(w.vault, w.client(), make(w), chat=ChatOptions(**options))  # type: ignore[arg-type]
        assert result.ok, result.line()

    return run


def _sms_backup(w: World) -> Path:
    from tests.helpers.chats import sms_backup, sms_line

    start = 1_773_392_400_000 + w.rng.randint(0, 30) * 86_400_000
    path = w.fresh("sms.xml")
    path.write_bytes(
        sms_backup([sms_line("+15550107788", start + i * 60_000, 1 + i % 2, f"text {i}") for i in range(3)])
    )
    return path


def _whatsapp(w: World) -> Path:
    from tests.helpers.chats import whatsapp_chat

    path = w.fresh("WhatsApp Chat with Gerald Whitmore.txt")
    path.write_text(whatsapp_chat("android_uk", datetime(2026, 3, 13, 9, 0) + timedelta(days=w.rng.randint(0, 30))))
    return path


def _damaged_sms_backup(w: World) -> Path:  # kept as a plain file with the reason
    path = _sms_backup(w)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _chat_db(w: World) -> Path:
    from tests.helpers.chats import chat_db

    start = datetime(2026, 3, 13, 15, 0, tzinfo=UTC) + timedelta(days=w.rng.randint(0, 30))
    path = w.fresh("Messages") / "chat.db"
    path.parent.mkdir()
    chat_db(path, [(start + timedelta(minutes=i), i % 2 == 1, f"imessage {i}", i == 2) for i in range(3)])
    return path


def _recording(w: World) -> Path:
    from tests.helpers.audio import amr, mp3, opus, wav

    name, build = w.rng.choice([("memo.wav", wav), ("call.mp3", mp3), ("note.opus", opus), ("vm.amr", amr)])
    path = w.fresh(name)
    build(path, 1.0 + w.rng.randint(0, 3))
    return path


def _ocr_text(w: World) -> None:
    """OCR's write path (a derivative + search rows, no ledger event); the engine itself is in test_ingest_ocr."""
    from app.ingest.ocr import candidates, store_text

    todo = candidates(w.vault) or []
    if todo:
        store_text(w.vault, w.rng.choice(todo).sha256, f"machine read {w.counter}")
        w.counter += 1


def _an_eml(w: World) -> Path:
    return w.rng.choice(EML)


def _an_mbox(w: World) -> Path:
    path = w.fresh("thread.mbox")
    box = mailbox.mbox(path)
    for eml in w.rng.sample(EML, 2):
        box.add(mailbox.mboxMessage(eml.read_bytes()))
    box.flush()
    box.close()
    return path


def _a_pdf(w: World) -> Path:
    import pypdfium2 as pdfium

    path = w.fresh("contract.pdf")
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(200 + w.rng.randint(0, 400), 200)
    pdf.save(path)
    return path


def _other_file(w: World) -> Path:
    path = w.fresh(w.rng.choice(["memo.m4a", "notes.txt", "data.xyz"]))
    path.write_bytes(w.rng.choice([b"The client refused the invoice.", w.rng.randbytes(500)]))
    return path


def _triage_add(w: World) -> None:
    from app.ingest import triage
    from app.ingest.parsed import Source

    triage.add(w.vault, Source.from_path(w.rng.choice([_other_file, _an_eml])(w)))


def _pending_triage(w: World) -> bool:
    from app.ingest import triage

    return bool(triage.pending(w.vault)) and bool(w.clients())


def _triage_assign(w: World) -> None:
    from app.ingest import triage

    item = w.rng.choice(triage.pending(w.vault))
    triage.assign(w.vault, item.id, w.client())


def _step(w: World) -> None:
    from app.parting.checklist import STEPS, mark_done

    step = w.rng.choice(STEPS).key
    kw: dict[str, object] = {"by_whom": "Dana", "how": "email", "note": "Went as planned."}
    if step == "terms" and w.rng.random() < 0.5:
        kw["notice_end"] = datetime.now(UTC) + timedelta(days=30)
    if step == "status":
        kw |= {"status": w.rng.choice(["former", "do_not_serve"]), "reason": "Parted ways."}
    mark_done(w.vault, w.client(), step, **kw)  # type: ignore[arg-type]


def _undoable_steps(w: World) -> list[int]:
    return [
        r[0]
        for r in w.vault.db.all("SELECT id FROM parting_steps WHERE id NOT IN (SELECT step_id FROM parting_step_undos)")
    ]


def _step_undo(w: World) -> None:
    """Edit → Undo of a checklist step (a step is marked first when none is left to undo)."""
    from app.parting.checklist import undo_step

    if not _undoable_steps(w):
        _step(w)
    undo_step(w.vault, w.rng.choice(_undoable_steps(w)), "undone by the owner")


def _letter_sent(w: World) -> None:
    from app.parting.letters import LETTER_TEMPLATES, record_sent, render

    client_id = w.client()
    letter = render(w.vault, client_id, w.rng.choice(list(LETTER_TEMPLATES)), effective_date="March 31")
    record_sent(w.vault, client_id, letter, how="email", proofread_by=w.rng.choice(["", "Dana"]))


def _letter_exported(w: World) -> None:
    from app.parting.export import export_letter
    from app.parting.letters import LETTER_TEMPLATES, render

    client_id = w.client()
    letter = render(w.vault, client_id, w.rng.choice(list(LETTER_TEMPLATES)))
    export_letter(w.vault, client_id, letter, w.fresh("letter" + w.rng.choice([".txt", ".eml"])))


def _follow_up(w: World) -> None:
    from app.parting.followup import log_follow_up_call

    log_follow_up_call(w.vault, w.client(), summary="He accepted.", outcome=w.rng.choice(["", "Agreed to part."]))


def _reminder_add(w: World) -> None:
    w.vault.reminders.add(w.client(), w.when() + timedelta(days=30), "Call back")


def _open_reminders(w: World) -> bool:
    return bool(w.vault.reminders.open())


def _reminder_done(w: World) -> None:
    w.vault.reminders.complete(w.rng.choice(w.vault.reminders.open()).id)


def _reminder_snooze(w: World) -> None:
    from app.records.reminders import SNOOZE_CHOICES, snooze_until

    until = snooze_until(w.rng.choice(SNOOZE_CHOICES), datetime.now(UTC))
    w.vault.reminders.snooze(
        w.rng.choice(w.vault.reminders.open()).id, until, reason=w.rng.choice(["", "undone by the owner"])
    )


def _done_reminders(w: World) -> list[int]:
    return [r[0] for r in w.vault.db.all("SELECT id FROM reminders WHERE done_at IS NOT NULL")]


def _reminder_reopen(w: World) -> None:
    """Edit → Undo of "done" (a reminder is completed first when none is done yet)."""
    done = _done_reminders(w) or [w.vault.reminders.complete(w.rng.choice(w.vault.reminders.open()).id).id]
    w.vault.reminders.reopen(w.rng.choice(done), "undone by the owner")


def _reminder_cancel(w: World) -> None:
    w.vault.reminders.cancel(w.rng.choice(w.vault.reminders.open()).id, "undone by the owner")


def _draft_save(w: World) -> None:
    drafts = w.vault.drafts.list()
    draft_id = w.rng.choice(drafts).id if drafts and w.rng.random() < 0.5 else None
    w.vault.drafts.save({"title": "half-written", "body": "He called again"}, draft_id=draft_id, client_id=w.client())


def _draft_discard(w: World) -> None:
    w.vault.drafts.discard(w.rng.choice(w.vault.drafts.list()).id)


def _setting(w: World) -> None:
    key, value = w.rng.choice(
        [("owner_name", "Sam Rivera"), ("business_name", "Brightline"), ("bates_prefix", "WHIT"),
         ("late_entry_days", "3"), ("display_timezone", "Europe/Paris"), ("referrals", "Ace Renovations"),
         ("backup_keep", "7")]
    )  # fmt: skip
    w.vault.settings.set(key, value)


def _settings_at_once(w: World) -> None:
    """The Settings dialog's save: the changed vault settings in one transaction (``set_many``)."""
    w.vault.settings.set_many(
        {"display_timezone": w.rng.choice(["Asia/Tokyo", ""]), "ocr": w.rng.choice(["on", "off"]), "backup_keep": "9"}
    )


def _seal(w: World) -> None:
    w.seal = w.vault.seal()


def _export(w: World) -> None:
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    client_id = w.rng.choice(w.clients_with_entries())
    export_dossier(w.vault, DossierOptions(client_id, include_private=w.rng.random() < 0.5), w.fresh("dossier"))


def _export_in_child(w: World) -> None:
    """The app's export: laid out, signed and bundled in a spawned child that reads the
    vault read-only; the production and its ledger event recorded here."""
    from app.dossier.child import export_in_child
    from app.dossier.select import DossierOptions

    client_id = w.rng.choice(w.clients_with_entries())
    export_in_child(w.vault, DossierOptions(client_id, include_private=w.rng.random() < 0.5), w.fresh("dossier"))


def _export_with_layout_helper(w: World) -> None:
    """A large dossier's export: the later entries and exhibits laid out by a second process
    that reads the vault read-only (app/dossier/layout_helper.py), whatever the size here."""
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    client_id = w.rng.choice(w.clients_with_entries())
    before = os.environ.get("CASEFILE_LAYOUT_HELPER")
    os.environ["CASEFILE_LAYOUT_HELPER"] = "always"
    try:
        export_dossier(w.vault, DossierOptions(client_id), w.fresh("dossier"))
    finally:
        if before is None:
            del os.environ["CASEFILE_LAYOUT_HELPER"]
        else:
            os.environ["CASEFILE_LAYOUT_HELPER"] = before


def _export_production(w: World) -> None:
    """A production with the register's options: another prefix and digits, a number
    skipped ahead, a recipient, a legend, superseding the client's last one."""
    from app.dossier.export import export_dossier
    from app.dossier.productions import productions
    from app.dossier.select import DossierOptions

    client_id = w.rng.choice(w.clients_with_entries())
    earlier = productions(w.vault, client_id)
    prefix = w.rng.choice(["INV", "inv_", "CF"])
    last = max(
        (p.bates_last for p in productions(w.vault) if p.bates_prefix.rstrip("-_") == prefix.upper().rstrip("-_")),
        default=0,
    )
    options = DossierOptions(
        client_id,
        bates_prefix=prefix,
        bates_digits=w.rng.choice([None, 4, 8]),
        bates_start=last + w.rng.randint(1, 50) if w.rng.random() < 0.5 else None,
        recipient="Smith & Lee LLP",
        supersedes=earlier[-1].number if earlier else None,
        legend=w.rng.choice(["none", "confidential", "aeo"]),
    )
    export_dossier(w.vault, options, w.fresh("production"))


def _passwd(w: World) -> None:
    new = f"another passphrase {w.counter}"
    w.vault.change_passphrase(new)
    w.passphrase = new
    w.reopen()


def _recovery(w: World) -> None:
    """Forgotten passphrase: open with the recovery key, set a new one, replace the key."""
    w.vault.lock()
    w.vault = Vault.open_with_recovery_key(w.root / "vault", w.recovery_key)
    w.passphrase = f"recovered passphrase {w.counter}"
    w.vault.change_passphrase(w.passphrase)
    w.recovery_key = w.vault.new_recovery_key()
    w.reopen()


def _recovery_reset(w: World) -> None:
    """`casefile recovery --reset`: the passphrase makes a new recovery key (rewrites the key file)."""
    w.recovery_key = w.vault.new_recovery_key()
    w.reopen()


def _inbox_folder(w: World) -> None:
    from app.ingest.inbox_folders import add_client_folder, folder_of, remove_client_folder

    client_id = w.client()
    if folder_of(w.vault, client_id) is None:
        add_client_folder(w.vault, client_id, neutral=w.rng.random() < 0.5)
    else:
        remove_client_folder(w.vault, client_id)


def _idle_checkpoint(w: World) -> None:
    w.vault.idle()  # WAL into vault.db, the last state seen recorded


def _accept_loss(w: World) -> None:
    """An older vault.db copied over the current one (no backup holds the rest): refused at
    open, then accepted as found with `unlock --accept-loss`, which the ledger records."""
    from app.vault.seen import RolledBack

    path = w.path
    w.vault.lock()  # checkpointed: vault.db alone is the whole record
    older = w.fresh("older.db")
    shutil.copy2(path / "vault.db", older)
    w.vault = Vault.open(path, w.passphrase)
    w.vault.clients.add(f"Lost client {w.counter}")
    w.vault.lock()
    shutil.copy2(older, path / "vault.db")
    with pytest.raises(RolledBack):
        Vault.open(path, w.passphrase)
    w.vault = Vault.open(path, w.passphrase, check_seen=False)
    assert w.vault.behind is not None
    w.vault.accept_as_found()
    w.seal = None  # a seal taken after the older copy names events that are gone


def _backup_restore(w: World) -> None:
    """Back up, then carry on in a restored copy (the restored vault must be the record)."""
    backup = w.vault.backup(w.fresh("backup"))
    if w.rng.random() < 0.5:
        restored = Vault.restore(backup, w.fresh("restored"), w.passphrase)
        w.vault.lock()
        shutil.rmtree(w.root / "vault")
        shutil.move(restored, w.root / "vault")
        w.vault = Vault.open(w.root / "vault", w.passphrase)


def _auto_backup(w: World) -> None:
    """The automatic, rotated backup (Settings → Backups, the app's daily timer)."""
    from app.vault.backups import auto_backup, check_backup, list_backups

    usb = w.root / "usb"
    usb.mkdir(exist_ok=True)
    w.counter += 1
    result = auto_backup(w.vault, usb, keep=2, now=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=w.counter))
    assert result.written == list_backups(usb, w.vault.vault_id)[-1][1]
    assert check_backup(result.written, w.passphrase).head == w.vault.head()


def _cli_backup_auto_restore_check(w: World) -> None:
    usb = w.root / "usb-cli"
    usb.mkdir(exist_ok=True)
    cli = w.cli()
    written = cli.ok("backup", "--auto", str(usb), "--keep", "2").out.split(": ", 1)[1].split(" (")[0]
    out = cli.ok("restore", "--check", written).out
    assert f"Seal: {w.vault.seal()}" in out, out


def _inbox_once(w: World) -> None:
    """The watched Inbox with --once semantics: files in client folders and the root."""
    from app.ingest.inbox import Inbox
    from app.ingest.inbox_folders import add_client_folder

    inbox = Inbox(w.vault, w.fresh("inbox"), settle_seconds=0)
    folder = add_client_folder(w.vault, w.client(), neutral=w.rng.random() < 0.5)
    inbox.prepare()
    shutil.copy(w.rng.choice(EML), inbox.root / folder / "mail.eml")
    _other_file(w).replace(inbox.root / "unsorted.txt")
    results = inbox.drain(timeout=10)
    assert len(results) == 2 and all(r.ok for r in results), [r.line() for r in results]


def _inbox_in_child(w: World) -> None:
    """The watched Inbox as the app runs it: a child process writing through its own connection."""
    import threading
    import time

    from app.ingest.inbox_child import InboxProcess
    from app.ingest.inbox_folders import add_client_folder

    results: list[object] = []
    arrived = threading.Event()

    def collect(result: object) -> None:
        results.append(result)
        if len(results) == 2:
            arrived.set()

    root = w.fresh("inbox")
    folder = add_client_folder(w.vault, w.client(), neutral=w.rng.random() < 0.5)
    inbox = InboxProcess(w.vault, root, settle_seconds=0, on_result=collect)
    inbox.start()
    try:
        shutil.copy(w.rng.choice(EML), root / folder / "mail.eml")
        _other_file(w).replace(root / "unsorted.txt")
        deadline = time.monotonic() + 60
        while not arrived.wait(0.1):
            assert time.monotonic() < deadline, "the Inbox's child took no file within 60 s"
    finally:
        inbox.stop()
    assert all(r.ok for r in results), [r.line() for r in results]  # type: ignore[attr-defined]


def _cli_watch_once(w: World) -> None:
    inbox = w.fresh("inbox")
    inbox.mkdir()
    _other_file(w).replace(inbox / "scan.txt")
    w.cli().ok("watch", "--once", "--inbox", str(inbox), "--settle", "0")


def _cli_log_edit(w: World) -> None:
    cli = w.cli()
    entry = cli.ok("log", str(w.client()), "--kind", "call", "--title", "Called from the CLI", "--json").json()
    cli.ok("edit", str(entry["id"]), "--title", "Called from the CLI (edited)", "--note", "typo")


def _cli_letter_out_record(w: World) -> None:
    out = w.fresh("letter.txt")
    w.cli().ok("letter", str(w.client()), "--template", "not-right-fit", "--out", str(out), "--record", "--how", "post")


OFFLINE_TSA = "http://127.0.0.1:9/tsr"  # the discard port: connection refused at once


def _anchor(w: World) -> None:
    (result,) = w.vault.anchors.anchor_seal([w.tsa_url], timeout=20)
    assert result.ok, result


def _anchor_offline(w: World) -> None:
    (result,) = w.vault.anchors.anchor_seal([OFFLINE_TSA], timeout=2)
    assert not result.ok and w.vault.anchors.pending()  # queued, nothing lost


def _retry_anchors(w: World) -> None:
    w.vault.anchors.retry_pending(timeout=2)


def _mail_account_add(w: World) -> None:
    from app.mail.accounts import MailAccounts

    MailAccounts(w.vault.db).add(
        f"account {w.counter}", password="app-password", username="owner@example.test", preset="fastmail"
    )
    w.counter += 1


def _mail_accounts(w: World) -> list[int]:
    from app.mail.accounts import MailAccounts

    return [a.id for a in MailAccounts(w.vault.db).list()]


def _mail_account_remove(w: World) -> None:
    from app.mail.accounts import MailAccounts

    accounts = MailAccounts(w.vault.db)
    accounts.remove(w.rng.choice(accounts.list()).name)


def _imap_fetch(w: World) -> None:
    from app.mail.accounts import MailAccounts
    from app.mail.imap import fetch_client_mail
    from tests.helpers.dovecot import PASSWORD, USER, Dovecot
    from tests.test_mail_imap import sent_message

    client_id = w.client()
    address = f"fetched{w.counter}@example.com"
    w.vault.clients.update(client_id, emails=[*w.vault.clients.get(client_id).emails, address])
    server = Dovecot()
    for n in range(3):
        server.seed("INBOX", sent_message(w.counter * 10 + n, to=address))
    try:
        server.start()
        name = f"local {w.counter}"
        MailAccounts(w.vault.db).add(
            name, password=PASSWORD, username=USER, host="127.0.0.1", port=server.port, tls="none"
        )
        assert fetch_client_mail(w.vault, client_id, name).imported == 3
    finally:
        server.cleanup()
    w.counter += 1


def _dkim_recheck(w: World) -> None:
    """A signed message imported while offline ('not checked'), then checked: the verdict changes."""
    from app.ingest.importer import import_path
    from app.mail import dkim as dkim_module
    from app.mail.dkim_recheck import recheck
    from tests.test_mail_dkim import message, resolver, signed

    private, record = _dkim_key()
    path = w.fresh("signed.eml")
    path.write_bytes(signed(private, message(body=f"Message {w.counter}\n")))
    w.counter += 1

    def offline(name: str) -> dkim_module.KeyAnswer:
        raise dkim_module.DnsUnavailable("offline")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dkim_module, "lookup_for", lambda vault: offline)
        assert import_path(w.vault, w.client(), path).ok
    assert recheck(w.vault, lookup=resolver({"s1._domainkey.example.com": record})).changed >= 1


_KEY: list[tuple[bytes, str]] = []


def _dkim_key() -> tuple[bytes, str]:
    if not _KEY:
        import base64

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        _KEY.append((private, f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"))
    return _KEY[0]


def _has(what: Callable[[World], list[int]]) -> Callable[[World], bool]:
    return lambda w: bool(what(w))


_CLIENTS = _has(World.clients)
_ENTRIES = _has(World.live_entries)

OPERATIONS: list[Operation] = [
    Operation("client add", _client_add),
    Operation("client edit", _client_edit, _CLIENTS),
    Operation("client status", _client_status, _CLIENTS),
    Operation("log", _log, _CLIENTS),
    Operation("edit (revision)", _revise, _ENTRIES),
    Operation("retract", _retract, _ENTRIES),
    Operation("attach", _attach, _ENTRIES),
    Operation("import .eml", _import(_an_eml), _CLIENTS),
    Operation("import .mbox", _import(_an_mbox), _CLIENTS),
    Operation("import .msg", _import(lambda w: MSG), _CLIENTS),
    Operation("import JPEG", _import(lambda w: w.rng.choice(JPEGS)), _CLIENTS),
    Operation("import HEIC", _import(lambda w: HEIC), _CLIENTS, expensive=True),
    Operation("import PDF", _import(_a_pdf), _CLIENTS),
    Operation("import other file", _import(_other_file), _CLIENTS),
    Operation("import SMS backup", _import_chat(_sms_backup, with_="+15550107788", zone="UTC"), _CLIENTS),
    Operation("import damaged SMS backup", _import_chat(_damaged_sms_backup, with_="+15550107788"), _CLIENTS),
    Operation(
        "import WhatsApp chat",
        _import_chat(_whatsapp, with_="Gerald Whitmore", zone="Europe/Berlin", date_order="dmy"),
        _CLIENTS,
    ),
    Operation("import chat.db", _import_chat(_chat_db, with_="+15550107788", zone="America/New_York"), _CLIENTS),
    Operation("import recording", _import(_recording), _CLIENTS),
    Operation("OCR text stored", _ocr_text, ledger=False),
    Operation("import .pst", _import(lambda w: CORPUS / "email" / "pst" / "support.pst"), _CLIENTS, expensive=True),
    Operation("mail account add", _mail_account_add),
    Operation("mail account remove", _mail_account_remove, _has(_mail_accounts)),
    Operation("IMAP fetch (Dovecot)", _imap_fetch, _CLIENTS, expensive=True),
    Operation("DKIM recheck", _dkim_recheck, _CLIENTS),
    Operation("triage add", _triage_add),
    Operation("triage assign", _triage_assign, _pending_triage),
    Operation("checklist step", _step, _CLIENTS),
    Operation("checklist step undone", _step_undo, _CLIENTS),
    Operation("letter recorded as sent", _letter_sent, _CLIENTS),
    Operation("letter exported", _letter_exported, _CLIENTS),
    Operation("follow-up call", _follow_up, _CLIENTS),
    Operation("reminder add", _reminder_add, _CLIENTS),
    Operation("reminder done", _reminder_done, _open_reminders),
    Operation("reminder snooze", _reminder_snooze, _open_reminders),
    Operation(
        "reminder reopen (undo done)", _reminder_reopen, lambda w: bool(_done_reminders(w) or _open_reminders(w))
    ),
    Operation("reminder cancel (undo add)", _reminder_cancel, _open_reminders),
    Operation("draft save", _draft_save, _CLIENTS, ledger=False),
    Operation("draft discard", _draft_discard, lambda w: bool(w.vault.drafts.list()), ledger=False),
    Operation("setting", _setting),
    Operation("settings saved together (Settings dialog)", _settings_at_once),
    Operation("seal", _seal, ledger=False),
    Operation("signing key (first use)", lambda w: w.vault.signing.ensure() and None, ledger=False),
    Operation("anchor seal (TSA offline: queued)", _anchor_offline, ledger=False),
    Operation("retry pending anchors", _retry_anchors, lambda w: bool(w.vault.anchors.pending()), ledger=False),
    Operation("anchor seal (local TSA)", _anchor, expensive=True),
    Operation("export dossier", _export, _has(World.clients_with_entries), expensive=True),
    Operation("export a production", _export_production, _has(World.clients_with_entries), expensive=True),
    Operation("export in a child process", _export_in_child, _has(World.clients_with_entries), expensive=True),
    Operation(
        "export with the layout helper", _export_with_layout_helper, _has(World.clients_with_entries), expensive=True
    ),
    Operation("passwd", _passwd, expensive=True),
    Operation("recovery", _recovery, expensive=True),
    Operation("backup/restore", _backup_restore, expensive=True, ledger=False),
    Operation("automatic backup (rotated)", _auto_backup, expensive=True, ledger=False),
    Operation("CLI backup --auto + restore --check", _cli_backup_auto_restore_check, expensive=True, ledger=False),
    Operation("recovery --reset", _recovery_reset, expensive=True),
    Operation("idle checkpoint", _idle_checkpoint, ledger=False),
    Operation("unlock --accept-loss", _accept_loss, expensive=True),
    Operation("inbox folder for a client", _inbox_folder, _CLIENTS),
    Operation("inbox watch (once)", _inbox_once, _CLIENTS, expensive=True),
    Operation("inbox watched by a child process", _inbox_in_child, _CLIENTS, expensive=True),
    Operation("CLI watch --once", _cli_watch_once, expensive=True),
    Operation("CLI log + edit", _cli_log_edit, _CLIENTS, expensive=True),
    Operation("CLI letter --out --record", _cli_letter_out_record, _CLIENTS, expensive=True),
]


# -- running sequences ----------------------------------------------------------------


@pytest.fixture(scope="module")
def tsa_url():  # type: ignore[no-untyped-def]
    from tests.helpers.tsa import LocalTsa

    server = LocalTsa()
    yield server.url
    server.close()


@pytest.fixture
def created_world(tmp_path: Path, tsa_url: str):  # type: ignore[no-untyped-def]
    """A sequence that starts with a real ``Vault.create``."""
    vault, recovery_key = Vault.create(tmp_path / "vault", PASSPHRASE)
    w = World(random.Random(0), tmp_path, vault, recovery_key=recovery_key, tsa_url=tsa_url)
    yield w
    w.vault.lock()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, str]:
    """One freshly created vault (closed), its data key and its recovery key."""
    from app.vault.keys import KeyFile

    path = tmp_path_factory.mktemp("template") / "vault"
    vault, recovery_key = Vault.create(path, PASSPHRASE)
    assert vault.verify().ok
    vault.lock()
    return path, KeyFile.load(path / "vault.key").unwrap_with_passphrase(PASSPHRASE), recovery_key


@pytest.fixture
def world(tmp_path: Path, template: tuple[Path, bytes, str], tsa_url: str):  # type: ignore[no-untyped-def]
    """A copy of the template vault, opened with its data key: what ``Vault.open`` does after
    the KDF. Two hundred Argon2 runs (64 MiB each) would cost more than all the steps; the
    KDF and a real create are exercised by ``created_world`` and the rest of the suite."""
    from app.vault.keys import KeyFile

    source, data_key, recovery_key = template
    shutil.copytree(source, tmp_path / "vault")
    key_file = KeyFile.load(tmp_path / "vault" / "vault.key")
    vault = Vault._open_with_key(tmp_path / "vault", key_file, data_key, None)
    w = World(random.Random(0), tmp_path, vault, recovery_key=recovery_key, tsa_url=tsa_url)
    yield w
    w.vault.lock()


def check(w: World) -> None:
    report = w.vault.verify(seal=w.seal)
    assert report.ok, f"verify failed after {' → '.join(w.steps)}: {report.problems}"
    if w.seal is not None:
        assert report.seal_ok


def run_sequence(w: World, seed: int, length: int, *, expensive: bool) -> None:
    w.rng = random.Random(seed)
    ops = [op for op in OPERATIONS if expensive or not op.expensive]
    w.steps.append("vault create")
    check(w)
    for _ in range(length):
        op = w.rng.choice([op for op in ops if op.applicable(w)])
        w.steps.append(op.name)
        op.run(w)
        check(w)


@pytest.mark.parametrize("seed", range(CHEAP_SEQUENCES), ids=lambda s: f"seed-{s}")
def test_cheap_sequences_keep_the_record_verifiable(world: World, seed: int) -> None:
    run_sequence(world, seed, CHEAP_LENGTH, expensive=False)


@pytest.mark.parametrize("seed", range(10_000, 10_000 + FULL_SEQUENCES), ids=lambda s: f"seed-{s}")
def test_sequences_with_exports_keys_and_backups_keep_the_record_verifiable(created_world: World, seed: int) -> None:
    run_sequence(created_world, seed, FULL_LENGTH, expensive=True)


def _prepare(w: World) -> None:
    """A vault where every operation is applicable: clients, entries, a reminder, a draft, triage, a
    queued anchor."""
    _client_add(w)
    _client_add(w)
    for _ in range(3):
        _log(w)
    _reminder_add(w)
    _draft_save(w)
    _triage_add(w)
    _anchor_offline(w)
    _mail_account_add(w)
    check(w)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_each_operation_alone_keeps_the_record_verifiable(world: World, op: Operation) -> None:
    _prepare(world)
    assert op.applicable(world), f"{op.name} is not applicable in the prepared vault"
    before = world.vault.head().count
    world.steps.append(op.name)
    op.run(world)
    check(world)
    if op.ledger:
        assert world.vault.head().count > before, f"{op.name} changed nothing in the ledger"


def test_a_refused_operation_changes_nothing(world: World) -> None:
    """Bad input: a clear error, and the record (and its verification) as it was."""
    _prepare(world)
    entry_id = world.live_entries()[0]
    world.vault.entries.retract(entry_id, "Wrong client.")
    head = world.vault.head()
    refusals: list[Callable[[], object]] = [
        lambda: world.vault.entries.retract(entry_id, "again"),
        lambda: world.vault.entries.revise(entry_id, world.fields()),
        lambda: world.vault.clients.set_status(world.client(), "banished", "no such status"),
        lambda: world.vault.settings.set("no_such_setting", "x"),
        lambda: world.vault.settings.set_many({"ocr": "off", "no_such_setting": "x"}),  # all or nothing
        lambda: world.vault.entries.log(world.client(), EntryFields("call", world.when(), "")),
        lambda: _export_refused(world, bates_digits=3),
        lambda: _export_refused(world, bates_prefix="-bad"),
        lambda: _export_refused(world, supersedes="NO-PROD-001"),
        lambda: _export_refused(world, legend="x" * 80),
    ]
    for refuse in refusals:
        with pytest.raises(CasefileError):
            refuse()
        assert world.vault.head() == head
        check(world)


def _export_refused(world: World, **options: object) -> object:
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    client_id = world.clients_with_entries()[0]
    return export_dossier(world.vault, DossierOptions(client_id, **options), world.fresh("refused"))  # type: ignore[arg-type]
