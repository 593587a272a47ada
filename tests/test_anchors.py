"""RFC 3161 anchors against a real local TSA (openssl ts -reply on 127.0.0.1): tokens verify
offline, tampered or misattributed tokens fail, the offline queue drains, bad TSAs leave it intact."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import ledger
from tests.conftest import PASSPHRASE
from tests.helpers.tsa import LocalTsa


@pytest.fixture(scope="module")
def tsa_server() -> Iterator[LocalTsa]:
    server = LocalTsa()
    yield server
    server.close()


@pytest.fixture
def tsa(tsa_server: LocalTsa) -> Iterator[LocalTsa]:
    tsa_server.mode = "ok"
    if tsa_server._server is None:
        tsa_server.start()
    yield tsa_server
    tsa_server.mode = "ok"


def _rewrite_event(vault, seq: int, payload: dict) -> None:  # type: ignore[no-untyped-def]
    """A forger with the database key: change one event and recompute every hash after it."""
    with vault.db.write() as conn:
        conn.execute("UPDATE events SET payload = ? WHERE seq = ?", (ledger.canonical(payload).decode(), seq))
        rows = conn.execute(
            "SELECT seq, at, action, subject, payload, prev_hash FROM events WHERE seq >= ? ORDER BY seq", (seq,)
        ).fetchall()
        prev = rows[0][5]
        for s, at, action, subject, text, _prev in rows:
            digest = ledger.event_hash(prev, s, at, action, subject, json.loads(text))
            conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, s))
            prev = digest


def test_a_seal_anchored_by_a_local_tsa_verifies_offline(vault, tsa: LocalTsa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = vault.head()
    [result] = vault.anchors.anchor_seal([tsa.url])
    assert result.ok, result.error
    anchor = result.anchor
    assert (anchor.kind, anchor.sealed_count, anchor.imprint) == ("seal", head.count, head.hash)
    assert f"the record at event {head.count} with head {head.hash[:16]}" in anchor.sentence()
    assert "existed no later than" in anchor.sentence() and "Casefile Test TSA" in anchor.sentence()
    assert vault.anchors.anchored() == [anchor] and vault.anchors.pending() == []
    event = vault.events()[-1]
    assert (event.action, event.subject) == ("anchor", f"anchor:{head.count}")
    tsa.stop()  # offline from here on
    report = vault.verify()
    assert report.ok, report.problems
    assert report.anchored == [anchor] and report.checked["anchors"] == 1
    # the token is a standard one: openssl verifies it against the TSA's root
    (tmp_path / "t.tsr").write_bytes(base64.b64decode(event.payload["token"]))
    run = subprocess.run(
        ["openssl", "ts", "-verify", "-digest", head.hash, "-in", "t.tsr", "-token_in",
         "-CAfile", str(tsa.folder / "ca.pem")], cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0 and "Verification: OK" in run.stdout, run.stderr


def test_tampered_tokens_and_tokens_for_another_hash_fail(vault, tsa: LocalTsa) -> None:  # type: ignore[no-untyped-def]
    from app.evidence import tsp

    digest = hashlib.sha256(b"the record").digest()
    token, chain, info = tsp.request_token(tsa.url, digest, 5)
    assert tsp.verify_token(token, digest, chain) == info
    with pytest.raises(tsp.TokenInvalid, match="another hash"):
        tsp.verify_token(token, hashlib.sha256(b"another record").digest(), chain)
    gen_time = token.index(info.gen_time.strftime("%Y%m%d%H%M%S").encode())
    for where in (gen_time + 3, len(token) - 5):  # the time it vouches for; the signature
        bad = bytearray(token)
        bad[where] ^= 0x01
        with pytest.raises(tsp.TokenInvalid):
            tsp.verify_token(bytes(bad), digest, chain)
    other = LocalTsa("Another TSA")  # a chain that did not sign it
    try:
        _t, other_chain, _i = tsp.request_token(other.url, digest, 5)
    finally:
        other.close()
    with pytest.raises(tsp.TokenInvalid, match="not signed by the stored TSA certificate"):
        tsp.verify_token(token, digest, other_chain)


def test_a_rewritten_anchor_fails_verify_even_with_the_chain_recomputed(vault, tsa: LocalTsa) -> None:  # type: ignore[no-untyped-def]
    [result] = vault.anchors.anchor_seal([tsa.url])
    seq = result.anchor.event_seq
    payload = vault.events()[seq - 1].payload
    token = bytearray(base64.b64decode(payload["token"]))
    token[-5] ^= 0x01
    _rewrite_event(vault, seq, {**payload, "token": base64.b64encode(bytes(token)).decode()})
    report = vault.verify()
    assert not report.ok and f"anchor at event {seq}" in report.first_break and "not valid" in report.first_break
    # claiming the token anchors another state of the record fails too
    vault.record_event("note", "test:1", {})
    _rewrite_event(vault, seq, {**payload, "imprint": vault.head().hash})
    assert "another hash" in vault.verify().first_break


def test_offline_requests_are_queued_and_drain_when_the_tsa_comes_up(vault, tsa: LocalTsa) -> None:  # type: ignore[no-untyped-def]
    tsa.stop()
    [failed] = vault.anchors.anchor_seal([tsa.url], timeout=2)
    assert not failed.ok and "unreachable" in failed.error
    [waiting] = vault.anchors.pending()
    assert (waiting.kind, waiting.attempts, waiting.sealed_count) == ("seal", 1, vault.head().count)
    assert vault.verify().ok  # a queued request is not a failure
    tsa.start()
    [granted] = vault.anchors.retry_pending()
    assert granted.ok and vault.anchors.pending() == []
    assert granted.anchor.sealed_count == waiting.sealed_count
    report = vault.verify()
    assert report.ok and len(report.anchored) == 1


@pytest.mark.parametrize(("mode", "message"), [
    ("garbage", "not an RFC 3161 timestamp response"),
    ("500", "answered HTTP 500"),
    ("slow", "did not answer within 1 s"),
])  # fmt: skip
def test_a_bad_tsa_gives_one_line_and_leaves_the_queue_intact(vault, tsa: LocalTsa, mode: str, message: str) -> None:  # type: ignore[no-untyped-def]
    tsa.stop()
    vault.anchors.anchor_seal([tsa.url], timeout=1)
    tsa.start()
    tsa.mode = mode
    before = vault.head()
    [result] = vault.anchors.retry_pending(timeout=1)
    assert not result.ok and message in result.error and "\n" not in result.error
    [waiting] = vault.anchors.pending()
    assert waiting.attempts == 2 and message in waiting.last_error
    assert vault.head() == before  # nothing entered the ledger
    tsa.mode = "ok"
    assert [r.ok for r in vault.anchors.retry_pending()] == [True]


def test_cli_anchor_pending_and_verify(cli, tsa: LocalTsa) -> None:  # type: ignore[no-untyped-def]
    cli.ok("init")
    cli.ok("anchor", "--tsa", tsa.url, "--save-tsa")
    tsa.mode = "500"
    failed = cli("anchor", "--timeout", "2")
    assert failed.code == 1
    lines = [line for line in failed.err.splitlines() if line.startswith("casefile:")]
    assert len(lines) == 1 and "HTTP 500" in lines[0] and "queued" in lines[0]
    tsa.mode = "ok"
    drained = cli.ok("anchor", "--pending")
    assert drained.out.startswith("Anchored: the record at event")
    assert "existed no later than" in cli.ok("verify").out
    listed = cli.ok("anchor", "--list", "--json").json()
    assert listed["tsa_urls"] == [tsa.url] and len(listed["anchored"]) == 1 and listed["pending"] == []


def test_an_export_is_anchored_and_its_tokens_travel_in_the_bundle(tmp_path: Path, tsa: LocalTsa) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from app.demo import build_demo_vault
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.dossier.verify_bundle import verify_bundle
    from app.evidence import tsp
    from app.vault import Vault

    build_demo_vault(tmp_path / "v", PASSPHRASE)
    with Vault.open(tmp_path / "v", PASSPHRASE) as vault:
        vault.anchors.set_tsa_urls([tsa.url])
        [sealed] = vault.anchors.anchor_seal()
        result = export_dossier(vault, DossierOptions(vault.clients.resolve("Gerald").id), tmp_path / "out")
        kinds = [a.kind for a in vault.anchors.anchored()]
        assert kinds == ["seal", "pdf", "manifest"] and vault.anchors.pending() == []
        report = vault.verify()
        assert len(report.anchored) == 3
        assert not [p for p in report.problems if "anchor" in p]
    with zipfile.ZipFile(result.zip_path) as zf:
        stamps = {n: zf.read(n) for n in zf.namelist() if n.startswith("timestamps/")}
        manifest_sha = hashlib.sha256(zf.read("manifest.json")).digest()
    names = sorted(stamps)
    assert len(names) == 2 and names[0].startswith(f"timestamps/{result.pdf_path.name}.")
    assert names[1].startswith("timestamps/manifest.json.")
    manifest_token = next(v for n, v in stamps.items() if n.startswith("timestamps/manifest.json."))
    tsp.verify_token(manifest_token, manifest_sha, tsp.token_chain(manifest_token))
    assert verify_bundle(result.zip_path).ok
    with result.pdf_path.open("rb") as handle:  # PAdES B-T: the signature carries a timestamp token
        [signature] = PdfFileReader(handle).embedded_signatures
        unsigned = {a["type"].native for a in signature.signer_info["unsigned_attrs"]}
        assert "signature_time_stamp_token" in unsigned
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(result.pdf_path.read_bytes())
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    assert "existed no later than" in text.replace("\r\n", " ") and str(sealed.anchor.sealed_count) in text
