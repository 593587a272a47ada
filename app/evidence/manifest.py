"""The signed manifest: what a bundle adds so that a consistent rewrite cannot pass.

manifest.json        (bundle.py) + ``files`` (SHA-256 of every file but the four below),
                     ``entries[].content_sha256`` and ``entries[].ledger_events``, ``signature``
manifest.sig         Ed25519 over the exact bytes of manifest.json (64 raw bytes, for openssl)
signing_key.pem      the vault's public key (SubjectPublicKeyInfo)
timestamps/*.tsr     RFC 3161 tokens for the manifest and the PDF, when a TSA answered

``verify-bundle`` checks the signature first (``check_signature``), then every file, then that
the SHA-256 values printed in the PDF's exhibit index are the manifest's (``check_pdf_index``).
A recipient without Casefile runs the bundle's own ``verify_bundle.py`` (standard library +
cryptography, ``standalone_verify.py`` here) or the openssl commands in README.txt.
"""

from __future__ import annotations

import base64
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import ledger

if TYPE_CHECKING:
    from app.dossier.layout import Layout

SIG_NAME, KEY_NAME, SCRIPT_NAME, STAMPS_DIR = "manifest.sig", "signing_key.pem", "verify_bundle.py", "timestamps/"
# Not listed in manifest["files"]: they are made after it (or are it).
UNLISTED = ("manifest.json", SIG_NAME, "SHA256SUMS")
MAX_MANIFEST = 64 * 1024 * 1024


@dataclass
class BundleEvidence:
    """What save_dossier hands write_bundle: the signer, and tokens once the manifest exists."""

    public_key_b64: str
    fingerprint: str
    public_key_pem: str
    sign: Any  # Callable[[bytes], bytes]
    # (kind, sha256 hex, label) -> {bundle path: DER token}; None when anchoring is off
    timestamp: Any = None
    tokens: dict[str, bytes] = field(default_factory=dict)  # the PDF's tokens: bundle path -> DER token
    answers: list[Any] = field(default_factory=list)  # every TSA answer, kept by save_dossier once saved


def evidence_for(vault: Any, *, pdf_name: str = "", pdf_sha256: str = "", layout: Any = None) -> BundleEvidence:
    """The signer, and (when anchoring after export is on) tokens over the PDF now and over
    the manifest once it exists. Nothing is written to the vault here."""
    key = vault.signing.public_key()
    evidence = BundleEvidence(key.base64, key.fingerprint, key.pem, vault.signing.sign)
    anchors = vault.anchors
    if layout is None or not anchors.after_export or not anchors.tsa_urls():
        return evidence
    sel = layout.selection

    def timestamp(kind: str, sha256: str, label: str) -> dict[str, bytes]:
        answers = anchors.fetch(kind, sha256, sel.ledger_count, sel.ledger_head, label)
        evidence.answers.extend(answers)
        return {f"{STAMPS_DIR}{label}.{_host_tag(a.request.tsa_url)}.tsr": a.token for a in answers if a.token}

    evidence.timestamp = timestamp
    evidence.tokens = timestamp("pdf", pdf_sha256, pdf_name)
    return evidence


def _host_tag(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return re.sub(
        r"[^A-Za-z0-9.-]+", "-", f"{parts.hostname or 'tsa'}-{parts.port}" if parts.port else parts.hostname or "tsa"
    )


def add_ledger_hashes(layout: Layout, manifest: dict[str, Any]) -> None:
    """Per entry: the SHA-256 of its current content as the ledger holds it, and the hash of
    every ledger event about it (entry, revisions, retraction, attachments)."""
    by_id = {e["id"]: e for e in manifest["entries"]}
    with layout.vault.db.read() as conn:
        for chosen in layout.selection.entries:
            entry_id = chosen.entry.id
            subjects = [f"entry:{entry_id}", f"retraction:{entry_id}"]
            rev_ids = conn.execute(
                "SELECT id, rev FROM revisions WHERE entry_id = ? ORDER BY rev", (entry_id,)
            ).fetchall()
            subjects += [f"revision:{rid}" for rid, _rev in rev_ids]
            subjects += [f"attachment:{a.id}" for a in chosen.attachments]
            marks = ",".join("?" * len(subjects))
            rows = conn.execute(
                f"SELECT seq, action, subject, hash, payload FROM events WHERE subject IN ({marks}) ORDER BY seq",
                subjects,
            ).fetchall()
            current = {f"revision:{rid}" for rid, rev in rev_ids if rev == chosen.entry.rev}
            content = ""
            for _seq, _action, subject, _hash, payload in rows:
                if subject in current:
                    content = ledger.state_digest(json.loads(payload).get("state") or {})
            record = by_id.get(entry_id)
            if record is not None:
                record["content_sha256"] = content
                record["ledger_events"] = [
                    {"seq": seq, "action": action, "subject": subject, "hash": digest}
                    for seq, action, subject, digest, _payload in rows
                ]


def index_pages(layout: Layout) -> list[int]:
    first = layout.page_of("sec:exhibits")
    last = layout.page_of("ex:1") - 1 if layout.exhibits else first
    return [first, max(first, last)]


def signature_block(evidence: BundleEvidence) -> dict[str, Any]:
    return {
        "algorithm": "ed25519",
        "public_key": evidence.public_key_b64,
        "fingerprint": evidence.fingerprint,
        "signature_file": SIG_NAME,
        "key_file": KEY_NAME,
    }


def script_source() -> bytes:
    return (Path(__file__).with_name("standalone_verify.py")).read_bytes()


def readme_section(evidence: BundleEvidence, pdf_name: str) -> str:
    text = f"""
Signature (without Casefile)
  manifest.json lists the SHA-256 of every file, of every entry's content and of the ledger
  events behind them. It is signed with the vault's Ed25519 key:
      key fingerprint  {evidence.fingerprint}
  Compare this fingerprint with the one the owner sent you earlier (with a seal, or from
  `casefile key show`). A bundle signed by any other key did not come from that vault.

  1. Check the signature (OpenSSL 3):
       openssl pkeyutl -verify -pubin -inkey {KEY_NAME} -rawin -in manifest.json -sigfile {SIG_NAME}
     It must print "Signature Verified Successfully". The fingerprint is the first 32 hex
     digits of:   openssl pkey -pubin -in {KEY_NAME} -outform DER | tail -c 32 | sha256sum
  2. Or run the script in this bundle (Python 3 with the `cryptography` package):
       python3 {SCRIPT_NAME} THIS.zip        (or the unpacked folder)
  3. Check each file against manifest.json / SHA256SUMS:
       Linux:       sha256sum -c SHA256SUMS
       macOS:       shasum -a 256 -c SHA256SUMS
       Windows:     certutil -hashfile "{pdf_name}" SHA256
       PowerShell:  Get-FileHash -Algorithm SHA256 "{pdf_name}"
     and compare each value with manifest.json ("files", "pdf", "exhibits").
  4. The PDF itself carries a PAdES signature by a certificate naming the same fingerprint;
     Adobe Reader shows "the document has not been modified since it was signed" (the
     identity is shown as unknown: the certificate is the vault's own, not a CA's).
"""
    text += """
Trusted timestamps (RFC 3161)
  If the bundle has a timestamps/ folder, its .tsr files are tokens from independent Time-Stamping Authorities proving that the
  manifest and the PDF existed no later than the time in the token:
       openssl ts -reply -in timestamps/manifest.json.HOST.tsr -token_in -text
       openssl ts -verify -data manifest.json -in timestamps/manifest.json.HOST.tsr -token_in -CAfile TSA-ROOT.pem
  (TSA-ROOT.pem: the TSA's published root certificate.)
"""
    return text.replace("\n", "\r\n")


# -- checking -------------------------------------------------------------


def check_signature(
    zf: zipfile.ZipFile, names: list[str], expect_fingerprint: str | None = None
) -> tuple[list[str], str]:
    """Verify manifest.sig over manifest.json with the bundle's key. Returns (problems, fingerprint)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.evidence.signing import fingerprint_of

    for name in ("manifest.json", SIG_NAME, KEY_NAME):
        if name not in names:
            return [f"{name} was removed: the bundle's signature cannot be checked"], ""
    if zf.getinfo("manifest.json").file_size > MAX_MANIFEST:
        return ["manifest.json is too large to be a dossier manifest"], ""
    manifest_bytes, signature = zf.read("manifest.json"), zf.read(SIG_NAME)[:1024]
    try:
        key = serialization.load_pem_public_key(zf.read(KEY_NAME)[:4096])
    except ValueError:
        return [f"{KEY_NAME} was changed: it is not a public key"], ""
    if not isinstance(key, Ed25519PublicKey):
        return [f"{KEY_NAME} was changed: it is not an Ed25519 key"], ""
    raw = key.public_bytes_raw()
    fingerprint = fingerprint_of(raw)
    problems = []
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature:
        problems.append(f"manifest.json was changed after it was signed ({SIG_NAME} does not verify with {KEY_NAME})")
    try:
        stated = json.loads(manifest_bytes).get("signature", {})
    except (ValueError, AttributeError):
        stated = {}
    if isinstance(stated, dict) and stated.get("public_key") not in (None, base64.b64encode(raw).decode()):
        problems.append(f"{KEY_NAME} is not the key manifest.json names")
    if expect_fingerprint and _norm(expect_fingerprint) != _norm(fingerprint):
        problems.append(f"the bundle is signed by key {fingerprint}, not by the expected {expect_fingerprint.strip()}")
    return problems, fingerprint


def _norm(fingerprint: str) -> str:
    return re.sub(r"[^0-9a-f]", "", fingerprint.lower())


def check_files(manifest: dict[str, Any], actual: dict[str, str], names: list[str]) -> list[str]:
    """Every file the manifest lists has that SHA-256; every file in the bundle is listed."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        return ["manifest.json was changed: it has no file list"]
    problems = []
    for name, sha in files.items():
        if name in actual and actual[name] != sha:
            problems.append(f"{name} does not match the SHA-256 in manifest.json")
    for name in names:
        if name not in files and name not in UNLISTED and not name.startswith(STAMPS_DIR):
            problems.append(f"{name} is not listed in manifest.json")
    return problems


def check_pdf_index(pdf_bytes: bytes, manifest: dict[str, Any]) -> list[str]:
    """The SHA-256 printed in the PDF's exhibit index must be the manifest's, exhibit by exhibit."""
    import pypdfium2 as pdfium

    from app.pdf_engine import LOCK

    pdf_info = manifest.get("pdf", {})
    pages = pdf_info.get("exhibit_index_pages")
    exhibits = manifest.get("exhibits", [])
    if not exhibits:
        return []
    if not (isinstance(pages, list) and len(pages) == 2 and all(isinstance(p, int) for p in pages)):
        return ["manifest.json was changed: it does not say where the PDF's exhibit index is"]
    name = str(pdf_info.get("path"))
    with LOCK:
        try:
            doc = pdfium.PdfDocument(pdf_bytes)
        except pdfium.PdfiumError:
            return [f"{name} cannot be read as a PDF"]
        try:
            first, last = max(1, pages[0]), min(len(doc), pages[1])
            text = []
            for number in range(first, last + 1):
                page = doc[number - 1]
                textpage = page.get_textpage()
                text.append(textpage.get_text_range())
                textpage.close()
                page.close()
        finally:
            doc.close()
    printed = re.sub(r"\s+", "", "".join(text)).lower()
    return [
        f"{ex.get('native_path')} has SHA-256 {str(ex.get('sha256'))[:16]}… in manifest.json, "
        f"but the PDF's exhibit index does not print it (exhibit {ex.get('number')})"
        for ex in exhibits
        if str(ex.get("sha256", "")).lower() not in printed
    ]
