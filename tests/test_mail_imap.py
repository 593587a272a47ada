"""The owner's mailbox over IMAP, against a real Dovecot on 127.0.0.1 (tests/helpers/dovecot.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.helpers.cli import ROOT
from tests.helpers.dovecot import PASSWORD, USER, Dovecot

CLIENT_ADDRESS = "dwsauder@example.com"  # the sender of 32 corpus messages
EML = sorted((CORPUS / "email" / "eml").glob("*.eml"))


def client_messages() -> list[Path]:
    return [p for p in EML if CLIENT_ADDRESS.encode() in p.read_bytes().split(b"\n\n", 1)[0]]


def sent_message(n: int, to: str = CLIENT_ADDRESS) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Owner <owner@example.test>"
    msg["To"] = to
    msg["Subject"] = f"Reply number {n}"
    msg["Date"] = format_datetime(datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=n))
    msg["Message-ID"] = make_msgid(idstring=f"reply{n}", domain="example.test")
    msg.set_content(f"This is reply {n}.\n")
    return msg.as_bytes()


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    dovecot = Dovecot()
    for index, path in enumerate(EML):
        dovecot.seed("INBOX", path.read_bytes(), seen=index % 2 == 0)
    for n in range(3):
        dovecot.seed("Sent", sent_message(n), seen=True)
    dovecot.seed("Sent", sent_message(99, to="stranger@example.org"), seen=True)
    dovecot.seed("Junk", sent_message(50), seen=False)  # a folder that does not matter
    dovecot.start()
    yield dovecot
    dovecot.cleanup()


def open_account(vault, server: Dovecot, name: str = "local", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    from app.mail.accounts import MailAccounts

    return MailAccounts(vault.db).add(
        name, password=password, username=USER, host="127.0.0.1", port=server.port, tls="none"
    )


@pytest.fixture
def client(vault):  # type: ignore[no-untyped-def]
    return vault.clients.add("Doug Sauder", emails=[CLIENT_ADDRESS, "doug.old@example.com"])


def entry_count(vault, client_id: int) -> int:  # type: ignore[no-untyped-def]
    return int(vault.db.scalar("SELECT count(*) FROM entries WHERE client_id=?", (client_id,)))


def test_first_fetch_takes_the_clients_mail_and_changes_no_flag(vault, server, client) -> None:  # type: ignore[no-untyped-def]
    from app.mail.imap import fetch_client_mail

    before = {f: server.flags(f) for f in ("INBOX", "Sent")}
    open_account(vault, server)
    report = fetch_client_mail(vault, client.id)
    expected = len(client_messages()) + 3
    assert report.imported == expected, report
    assert report.folders == ["INBOX", "Sent"]  # Junk is left alone
    assert entry_count(vault, client.id) == expected
    assert {f: server.flags(f) for f in ("INBOX", "Sent")} == before  # \Seen untouched on both folders
    assert any("\\Seen" not in flags for flags in before["INBOX"].values())
    # Provenance in the ledgered metadata of the original message.
    meta = json.loads(
        vault.db.scalar(
            "SELECT metadata FROM attachments WHERE source='imap' AND json_extract(metadata,'$.collected.folder')='Sent'"
            " ORDER BY id LIMIT 1"
        )
    )
    collected = meta["collected"]
    assert collected["server"] == "127.0.0.1" and collected["account"] == "local"
    assert collected["uid"] >= 1 and collected["uidvalidity"] > 0
    assert collected["internaldate"] and collected["fetched_at"]
    assert meta["subject"].startswith("Reply number")
    assert vault.verify().ok


def test_second_fetch_only_takes_new_mail(vault, server, client) -> None:  # type: ignore[no-untyped-def]
    from app.mail.imap import fetch_client_mail

    open_account(vault, server)
    first = fetch_client_mail(vault, client.id)
    again = fetch_client_mail(vault, client.id)
    assert (again.imported, again.duplicates) == (0, 0)  # nothing fetched twice: UIDs remembered
    server.append(
        "INBOX",
        sent_message(7, to="Owner <owner@example.test>").replace(
            b"From: Owner <owner@example.test>", b"From: Doug <dwsauder@example.com>"
        ),
    )
    server.append("Sent", sent_message(8))
    third = fetch_client_mail(vault, client.id)
    assert third.imported == 2 and third.duplicates == 0
    assert entry_count(vault, client.id) == first.imported + 2
    assert vault.verify().ok


def test_message_imported_before_as_eml_is_not_doubled(vault, server, client) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.importer import import_path
    from app.mail.imap import fetch_client_mail

    first_file = client_messages()[0]
    assert import_path(vault, client.id, first_file).status == "imported"
    open_account(vault, server)
    report = fetch_client_mail(vault, client.id)
    assert report.duplicates == 1
    assert entry_count(vault, client.id) == len(client_messages()) + 3


def test_wrong_password_is_one_line_and_stores_nothing(vault, server, client) -> None:  # type: ignore[no-untyped-def]
    from app.errors import MailError
    from app.mail.imap import fetch_client_mail

    open_account(vault, server, password="not-the-password")
    events = vault.head().count
    with pytest.raises(MailError, match="refused the user name or password") as caught:
        fetch_client_mail(vault, client.id)
    assert "\n" not in str(caught.value)
    assert vault.head().count == events and entry_count(vault, client.id) == 0


def test_server_gone_mid_fetch_keeps_what_was_committed(vault, server, client) -> None:  # type: ignore[no-untyped-def]
    from app.errors import MailError
    from app.mail import imap

    open_account(vault, server)
    imap.BATCH_COUNT, saved = 4, imap.BATCH_COUNT  # several round trips, so the server can vanish between them

    killed: list[int] = []

    def progress(p: imap.FetchProgress) -> None:  # called after each committed group of messages
        if p.done >= 6 and not killed:
            killed.append(p.done)
            server.kill()

    try:
        with pytest.raises(MailError, match="went away during the fetch") as caught:
            imap.fetch_client_mail(vault, client.id, on_progress=progress)
    finally:
        imap.BATCH_COUNT = saved
    assert "imported and kept" in str(caught.value)
    kept = entry_count(vault, client.id)
    assert 6 <= kept < len(client_messages())
    assert vault.verify().ok
    server.start()  # back again: the fetch resumes after the last committed message
    report = imap.fetch_client_mail(vault, client.id)
    assert entry_count(vault, client.id) == len(client_messages()) + 3
    assert report.duplicates == 0


def test_plain_imap_is_refused_for_a_remote_host(vault) -> None:  # type: ignore[no-untyped-def]
    from app.errors import InvalidInput
    from app.mail.accounts import MailAccounts

    with pytest.raises(InvalidInput, match="only allowed for a server on this machine"):
        MailAccounts(vault.db).add("x", password="p", username="u", host="imap.example.com", tls="none")


def test_untrusted_certificate_is_refused(vault, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.errors import MailError
    from app.mail.accounts import MailAccounts
    from app.mail.imap import fetch_client_mail

    cert, key = self_signed(tmp_path)
    dovecot = Dovecot(tls_cert=(cert, key))
    try:
        dovecot.start()
        MailAccounts(vault.db).add(
            "tls", password=PASSWORD, username=USER, host="127.0.0.1", port=dovecot.port, tls="implicit"
        )
        with pytest.raises(MailError, match=r"TLS certificate of 127\.0\.0\.1:\d+ was refused"):
            fetch_client_mail(vault, client.id)
    finally:
        dovecot.cleanup()


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(cert_path, 0o644)
    os.chmod(key_path, 0o644)
    folder.chmod(0o755)
    return cert_path, key_path


def test_cli_account_and_fetch_killed_then_resumed(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dovecot = Dovecot()
    many = 60
    for n in range(many):
        dovecot.seed("Sent", sent_message(n), seen=True)
    dovecot.start()
    try:
        cli.ok("init")
        cli.ok("client", "add", "Doug Sauder", "--email", CLIENT_ADDRESS)
        (tmp_path / "pw").write_text(PASSWORD + "\n")
        added = cli(
            "mail",
            "account",
            "add",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(dovecot.port),
            "--tls",
            "none",
            "--user",
            USER,
            "--password-file",
            str(tmp_path / "pw"),
        )
        assert added.code == 0, added.err
        listed = cli.ok("mail", "account", "list", "--json").json()
        assert listed[0]["name"] == "local" and "password" not in json.dumps(listed)
        wal = cli.vault / "vault.db-wal"
        start_size = wal.stat().st_size if wal.exists() else 0
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "mail", "fetch", "Doug Sauder"],
            env=cli.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists() and wal.stat().st_size > start_size + 150_000:
                break
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        assert cli.ok("verify").code == 0
        partial = len(cli.ok("timeline", "Doug Sauder", "--json").json())
        assert 0 < partial < many, partial
        done = cli.ok("mail", "fetch", "Doug Sauder", "--json").json()
        assert done["imported"] == many - partial and done["duplicates"] == 0
        titles = [e["title"] for e in cli.ok("timeline", "Doug Sauder", "--json").json()]
        assert sorted(titles) == sorted(f"Reply number {n}" for n in range(many))  # nothing lost or doubled
        assert cli.ok("verify").code == 0
        removed = cli.ok("mail", "account", "remove", "local")
        assert "password is forgotten" in removed.out
    finally:
        dovecot.cleanup()


def hostile_message(depth: int = 60) -> bytes:
    head = b"From: Doug <dwsauder@example.com>\nTo: owner@example.test\nSubject: deep\nMIME-Version: 1.0\n"
    for i in range(depth):
        head += f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'.encode()
    return head + b"Content-Type: text/plain\n\nhi\n" + b"".join(f"--b{i}--\n".encode() for i in reversed(range(depth)))


def test_message_that_will_not_parse_is_kept_native_with_the_reason(vault, server, client) -> None:  # type: ignore[no-untyped-def]
    from app.mail.imap import fetch_client_mail

    open_account(vault, server)
    fetch_client_mail(vault, client.id)
    raw = hostile_message()
    server.append("INBOX", raw)
    report = fetch_client_mail(vault, client.id)
    assert (report.imported, report.unreadable) == (1, 1)
    assert "nested more than 40 levels" in report.notes[0]
    original = vault.attachments.for_entry(report.entry_ids[0])[0]
    assert vault.attachments.read_bytes(original.sha256).replace(b"\r\n", b"\n") == raw
    assert "nested more than 40 levels" in original.metadata["unreadable"]
    assert original.metadata["collected"]["folder"] == "INBOX"
    assert vault.verify().ok
