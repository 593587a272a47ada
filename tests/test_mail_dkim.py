"""DKIM and ARC: messages signed here with dkimpy and a generated key, the key served by an
injected resolver or a real DNS server on 127.0.0.1 (no network)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from app.mail.dkim import DnsUnavailable, KeyAnswer, check
from tests.helpers.dns_server import TxtServer


@pytest.fixture(scope="module")
def keypair() -> tuple[bytes, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"


def message(sender: str = "Gerald Whitmore <gerald@example.com>", body: str = "I will see you in court.\n") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "owner@brightline.test"
    msg["Subject"] = "Final warning"
    msg["Date"] = format_datetime(datetime(2026, 5, 4, 16, 30, tzinfo=UTC))
    msg["Message-ID"] = "<final-warning@example.com>"
    msg.set_content(body)
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def signed(private: bytes, raw: bytes | None = None, domain: bytes = b"example.com") -> bytes:
    import dkim

    raw = raw or message()
    header = dkim.sign(raw, b"s1", domain, private, include_headers=[b"from", b"to", b"subject", b"date"])
    return header + raw


def resolver(records: dict[str, str], dnssec: bool = False):  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def lookup(name: str) -> KeyAnswer:
        asked.append(name)
        return KeyAnswer(name, records.get(name), 3, dnssec, "test resolver")

    lookup.asked = asked  # type: ignore[attr-defined]
    return lookup


def test_valid_signature_passes_and_keeps_the_exact_key_record(keypair) -> None:  # type: ignore[no-untyped-def]
    private, record = keypair
    result = check(signed(private), resolver({"s1._domainkey.example.com": record}, dnssec=True))
    assert result["status"] == "pass", result
    assert (result["domain"], result["selector"], result["aligned"]) == ("example.com", "s1", True)
    assert result["keys"][0]["record"] == record and result["keys"][0]["dnssec"] is True
    assert result["keys"][0]["answer_ms"] == 3


def test_one_changed_byte_in_the_body_fails_with_the_reason(keypair) -> None:  # type: ignore[no-untyped-def]
    private, record = keypair
    raw = signed(private).replace(b"see you in court", b"see you in courT")
    result = check(raw, resolver({"s1._domainkey.example.com": record}))
    assert result["status"] == "fail"
    assert "body hash mismatch" in result["reason"]


def test_a_changed_signed_header_fails(keypair) -> None:  # type: ignore[no-untyped-def]
    private, record = keypair
    raw = signed(private).replace(b"Subject: Final warning", b"Subject: Final warninG")
    result = check(raw, resolver({"s1._domainkey.example.com": record}))
    assert result["status"] == "fail"
    assert "signed headers" in result["reason"]


def test_signature_by_another_domain_is_not_aligned(keypair) -> None:  # type: ignore[no-untyped-def]
    private, record = keypair
    result = check(signed(private, domain=b"mailer.test"), resolver({"s1._domainkey.mailer.test": record}))
    assert result["status"] == "pass" and result["aligned"] is False


def test_unsigned_message_is_none() -> None:
    result = check(message(), resolver({}))
    assert result["status"] == "none"


def test_offline_is_not_checked_then_recheck_passes(vault, keypair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.importer import import_path
    from app.mail.dkim_recheck import recheck

    private, record = keypair

    def offline(name: str) -> KeyAnswer:
        raise DnsUnavailable("DNS unavailable (Timeout)")

    client = vault.clients.add("Gerald Whitmore", emails=["gerald@example.com"])
    path = tmp_path / "warning.eml"
    path.write_bytes(signed(private))
    from app.mail import dkim as dkim_module

    real = dkim_module.lookup_for
    dkim_module.lookup_for = lambda vault: offline  # type: ignore[assignment]
    try:
        result = import_path(vault, client.id, path)
    finally:
        dkim_module.lookup_for = real
    entry_id = result.entry_ids[0]
    original = vault.attachments.for_entry(entry_id)[0]
    assert original.metadata["dkim"]["status"] == "not_checked"
    report = recheck(vault, client.id, lookup=resolver({"s1._domainkey.example.com": record}))
    assert (report.checked, report.changed) == (1, 1)
    after = vault.attachments.for_entry(entry_id)[0].metadata["dkim"]
    assert after["status"] == "pass" and after["previous"][0]["status"] == "not_checked"
    assert vault.verify().ok  # the new verdict is in the ledger with the attachment's state


def test_rotated_key_does_not_erase_an_observed_pass(vault, keypair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.importer import import_path
    from app.mail.dkim_recheck import recheck

    private, record = keypair
    client = vault.clients.add("Gerald Whitmore", emails=["gerald@example.com"])
    path = tmp_path / "warning.eml"
    path.write_bytes(signed(private))
    with TxtServer({"s1._domainkey.example.com": record}, dnssec=True) as dns, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEFILE_DNS_SERVER", dns.address)  # the real resolver path, against a real DNS server
        entry_id = import_path(vault, client.id, path).entry_ids[0]
        assert dns.queries == ["s1._domainkey.example.com"]
    first = vault.attachments.for_entry(entry_id)[0].metadata["dkim"]
    assert first["status"] == "pass" and first["keys"][0]["dnssec"] is True
    assert first["keys"][0]["server"].startswith("127.0.0.1:")
    # The provider rotated its key: the selector is gone from DNS.
    report = recheck(vault, client.id, every=True, lookup=resolver({}))
    after = vault.attachments.for_entry(entry_id)[0].metadata["dkim"]
    assert report.statuses == {"pass": 1}
    assert after["replayed"] is True and after["live_recheck"]["status"] == "fail"
    assert after["keys"][0]["record"] == record
    assert vault.verify().ok


def test_arc_on_a_forwarded_message(keypair) -> None:  # type: ignore[no-untyped-def]
    import dkim

    private, record = keypair
    original = signed(private)
    # A mailing list checks the signature, says so, tags the subject (which breaks DKIM) and seals.
    received = b"Authentication-Results: lists.example.org; dkim=pass header.d=example.com header.s=s1\r\n" + original
    forwarded = received.replace(b"Subject: Final warning", b"Subject: [tenants] Final warning")
    seal = b"".join(dkim.arc_sign(forwarded, b"arc1", b"example.org", private, b"lists.example.org"))
    raw = seal + forwarded
    records = {"s1._domainkey.example.com": record, "arc1._domainkey.example.org": record}
    result = check(raw, resolver(records))
    assert result["status"] == "fail"  # the list changed a signed header
    assert result["arc"]["status"] == "pass" and result["arc"]["instances"] == 1
    ar = result["authentication_results"]
    assert any(r["authserv_id"] == "lists.example.org" and r["results"][0]["result"] == "pass" for r in ar)


def test_show_json_detail_line_and_dossier_carry_the_verdict(cli, keypair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    private, record = keypair
    path = tmp_path / "warning.eml"
    path.write_bytes(signed(private))
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore", "--email", "gerald@example.com")
    with TxtServer({"s1._domainkey.example.com": record}) as dns:
        imported = cli.ok("import", "Gerald Whitmore", str(path), "--json", CASEFILE_DNS_SERVER=dns.address).json()
    entry_id = imported["results"][0]["entry_ids"][0]
    shown = cli.ok("show", str(entry_id), "--json").json()
    assert shown["dkim"]["status"] == "pass" and shown["dkim"]["domain"] == "example.com"
    assert shown["dkim"]["selector"] == "s1" and shown["dkim"]["aligned"] is True and shown["dkim"]["checked_at"]
    out = tmp_path / "dossier"
    cli.ok("export", "Gerald Whitmore", "--out", str(out))
    pdf = next(Path(out).rglob("*.pdf")) if out.is_dir() else out
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "DKIM: valid signature by example.com (selector s1), aligned with the sender" in flat
    assert "it does not prove who typed the message" in flat
    # the declaration counts the one email as a person would say it
    assert "The dossier produces 1 email message as received" in flat and "It carries a DKIM signature" in flat


def test_detail_pane_shows_one_dkim_line(vault, keypair, tmp_path, qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.importer import import_path
    from app.mail import dkim as dkim_module
    from ui.widgets.detail_pane import DetailPane
    from ui.workers import Tasks

    private, record = keypair
    client = vault.clients.add("Gerald Whitmore", emails=["gerald@example.com"])
    path = tmp_path / "warning.eml"
    path.write_bytes(signed(private))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dkim_module, "lookup_for", lambda vault: resolver({"s1._domainkey.example.com": record}))
        entry_id = import_path(vault, client.id, path).entry_ids[0]
    tasks = Tasks(parent=qapp)  # a parentless QObject outliving QApplication crashes at exit
    pane = DetailPane(tasks)
    qtbot.addWidget(pane)
    pane.set_vault(vault)
    pane.show_entry(entry_id)
    text = pane.text.toPlainText()
    assert "DKIM: valid signature by example.com (selector s1), aligned with the sender; key record archived" in text
    assert text.count("DKIM:") == 1
    tasks.pool.waitForDone(5000)


def test_cli_recheck_replays_the_archived_record_offline(cli, keypair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    private, record = keypair
    path = tmp_path / "warning.eml"
    path.write_bytes(signed(private))
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore", "--email", "gerald@example.com")
    with TxtServer({"s1._domainkey.example.com": record}) as dns:
        cli.ok("import", "Gerald Whitmore", str(path), CASEFILE_DNS_SERVER=dns.address)
    replayed = cli.ok("mail", "dkim-recheck", "Gerald Whitmore", "--replay", "--json").json()
    assert replayed["checked"] == 1 and replayed["statuses"] == {"pass": 1}
    assert cli.ok("verify").code == 0
