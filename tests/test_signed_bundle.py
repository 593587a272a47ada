"""The vault's signing key and the signed bundle: a consistent rewrite is caught and named."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.helpers.bundles import rewrite_zip

TARGET = "exhibits/EX0001_contract-summary.pdf"


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from app.demo import build_demo_vault
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.vault import Vault

    root = tmp_path_factory.mktemp("signed")
    build_demo_vault(root / "vault", PASSPHRASE)
    with Vault.open(root / "vault", PASSPHRASE) as vault:
        key = vault.signing.public_key()
        result = export_dossier(vault, DossierOptions(vault.clients.resolve("Gerald").id), root / "out")
        events = vault.events()
    return {"result": result, "key": key, "root": root, "events": events}


def _forge(src: Path, dest: Path, resign: object = None) -> None:
    """Edit an exhibit and rewrite its hash consistently everywhere a hash of it is written."""
    with zipfile.ZipFile(src) as zf:
        original = zf.read(TARGET)
    forged = original + b"\n% appended later\n"
    old, new = hashlib.sha256(original).hexdigest(), hashlib.sha256(forged).hexdigest()
    texts = {"manifest.json", "exhibits.csv", "loadfile.dat"}
    changed: dict[str, bytes] = {}

    def first_pass(name: str, data: bytes) -> bytes:
        if name == TARGET:
            data = forged
        elif name in texts:
            data = data.replace(old.encode(), new.encode())
        changed[name] = data
        return data

    rewrite_zip(src, dest.with_suffix(".tmp"), first_pass)
    manifest = json.loads(changed["manifest.json"])
    for name in ("exhibits.csv", "loadfile.dat"):
        manifest["files"][name] = hashlib.sha256(changed[name]).hexdigest()
    if resign is not None:  # a forger with a key of their own
        from cryptography.hazmat.primitives import serialization

        raw = resign.public_key().public_bytes_raw()  # type: ignore[attr-defined]
        manifest["signature"]["public_key"] = base64.b64encode(raw).decode()
        pem = resign.public_key().public_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        changed["signing_key.pem"] = pem
        manifest["files"]["signing_key.pem"] = hashlib.sha256(pem).hexdigest()
    changed["manifest.json"] = json.dumps(manifest, indent=2).encode()
    if resign is not None:
        changed["manifest.sig"] = resign.sign(changed["manifest.json"])  # type: ignore[attr-defined]
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in changed.items() if name != "SHA256SUMS"
    )
    changed["SHA256SUMS"] = sums.encode()
    rewrite_zip(dest.with_suffix(".tmp"), dest, lambda name, _data: changed[name])


def test_the_vault_key_is_made_with_the_vault_and_recorded_in_the_ledger(vault) -> None:  # type: ignore[no-untyped-def]
    key = vault.signing.public_key()
    assert len(key.raw) == 32 and len(key.fingerprint.split()) == 8
    assert key.fingerprint == vault.signing.fingerprint()
    created = [e for e in vault.events() if e.action == "signing_key.created"]
    assert [e.subject for e in created] == ["signing_key:1"]
    assert created[0].payload["state"]["public_key"] == key.base64
    assert "private" not in json.dumps(created[0].payload)
    # the private half is only inside the encrypted database
    assert key.raw not in (vault.path / "vault.db").read_bytes()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(key.raw).verify(vault.signing.sign(b"x"), b"x")
    assert vault.verify().ok


def test_a_swapped_signing_key_fails_verify(vault) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate().private_bytes_raw()
    with vault.db.write() as conn:
        conn.execute("UPDATE signing_keys SET private_key = ?", (other,))
    report = vault.verify()
    assert not report.ok
    assert "signing_key:1" in report.first_break


def test_key_show_and_seal_print_the_same_fingerprint(cli) -> None:  # type: ignore[no-untyped-def]
    cli.ok("init")
    shown = cli.ok("key", "show", "--json").json()
    seal = cli.ok("seal")
    assert seal.out.strip().startswith("CF1-")  # stdout stays the seal alone
    assert shown["fingerprint"] in seal.err and shown["public_key"] in seal.err
    assert cli.ok("key", "show", "--pem").out.startswith("-----BEGIN PUBLIC KEY-----")


def test_the_signed_bundle_verifies_with_casefile_openssl_and_its_own_script(signed, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    zip_path = signed["result"].zip_path
    result = cli.ok("verify-bundle", str(zip_path), "--key", signed["key"].fingerprint)
    assert signed["key"].fingerprint in result.out
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        zf.extractall(tmp_path / "unpacked")
    assert manifest["signature"]["fingerprint"] == signed["key"].fingerprint
    assert set(manifest["files"]) >= {signed["result"].pdf_path.name, "exhibits.csv", "verify_bundle.py"}
    entry = manifest["entries"][0]
    event_hashes = {e.hash for e in signed["events"]}
    assert len(entry["content_sha256"]) == 64 and entry["ledger_events"]
    assert all(e["hash"] in event_hashes for e in entry["ledger_events"])
    unpacked = tmp_path / "unpacked"
    openssl = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signing_key.pem", "-rawin", "-in", "manifest.json",
         "-sigfile", "manifest.sig"], cwd=unpacked, capture_output=True, text=True,
    )  # fmt: skip
    assert openssl.returncode == 0 and "Verified Successfully" in openssl.stdout, openssl.stderr
    for target in (zip_path, unpacked):  # the script runs with the standard library + cryptography only
        run = subprocess.run(
            [sys.executable, str(unpacked / "verify_bundle.py"), str(target)], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout
        assert signed["key"].fingerprint in run.stdout
    readme = (unpacked / "README.txt").read_text()
    for tool in ("openssl pkeyutl", "sha256sum", "shasum -a 256", "certutil -hashfile", "Get-FileHash"):
        assert tool in readme


def test_a_consistently_rewritten_bundle_fails_and_names_the_file(signed, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.verify_bundle import verify_bundle

    bad = tmp_path / "forged.zip"
    _forge(signed["result"].zip_path, bad)
    report = verify_bundle(bad)
    assert not report.ok
    assert report.problems[0].startswith("manifest.json was changed after it was signed")
    assert any(TARGET in p and "exhibit index" in p for p in report.problems)
    result = cli("verify-bundle", str(bad))
    assert result.code == 3 and "manifest.json was changed after it was signed" in result.err
    with zipfile.ZipFile(bad) as zf:
        zf.extractall(tmp_path / "forged")
    assert (
        subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "forged", capture_output=True).returncode == 0
    )
    run = subprocess.run(
        [sys.executable, str(tmp_path / "forged" / "verify_bundle.py"), str(bad)], capture_output=True, text=True
    )
    assert run.returncode == 1 and "manifest.json was changed" in run.stdout


def test_a_forger_who_resigns_with_their_own_key_is_still_caught(signed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.dossier.verify_bundle import verify_bundle

    bad = tmp_path / "resigned.zip"
    _forge(signed["result"].zip_path, bad, resign=Ed25519PrivateKey.generate())
    report = verify_bundle(bad)
    assert report.signed_by != signed["key"].fingerprint
    assert (
        [p for p in report.problems if "exhibit index" in p]
        == [p for p in report.problems if p.startswith(TARGET)]
        != []
    )
    pinned = verify_bundle(bad, expect_fingerprint=signed["key"].fingerprint)
    assert any("not by the expected" in p for p in pinned.problems)


def test_a_removed_signature_is_named(signed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.verify_bundle import verify_bundle

    bad = tmp_path / "unsigned.zip"
    rewrite_zip(signed["result"].zip_path, bad, lambda name, data: None if name == "manifest.sig" else data)
    assert verify_bundle(bad).problems[0].startswith("manifest.sig was removed")
    shutil.rmtree(tmp_path / "x", ignore_errors=True)


def test_the_pdf_is_signed_after_bates_stamping_and_pyhanko_finds_it_intact(signed) -> None:  # type: ignore[no-untyped-def]
    from cryptography import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    key = signed["key"]
    with signed["result"].pdf_path.open("rb") as handle:
        reader = PdfFileReader(handle)
        [signature] = reader.embedded_signatures
        [vault_cert] = list(signature.other_embedded_certs)
        # the chain ends in the vault's own Ed25519 key, named with its fingerprint
        root = x509.load_der_x509_certificate(vault_cert.dump())
        assert root.public_key().public_bytes_raw() == key.raw  # type: ignore[union-attr]
        assert key.fingerprint in signature.signer_cert.subject.human_friendly
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=[vault_cert]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE  # nothing was added after signing
    assert signature.signer_cert.public_key.algorithm == "ec"  # P-256: what Adobe Reader validates


def test_the_cover_and_the_integrity_appendix_print_the_fingerprint(signed) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(signed["result"].pdf_path.read_bytes())
    try:
        pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        cover = pages[0]
        appendix = next(text for text in pages if "How to check" in text)
    finally:
        doc.close()
    assert signed["key"].fingerprint in cover
    assert signed["key"].fingerprint in appendix and signed["key"].base64[:20] in appendix
