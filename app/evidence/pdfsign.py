"""The dossier PDF's own signature: PAdES baseline B-B (B-T with a TSA), applied by pyHanko to
the finished, Bates-stamped PDF as an incremental update.

Decision: the vault's identity is its Ed25519 key, but Adobe Reader does not validate Ed25519
(EdDSA, ISO 32002) PDF signatures, so the PDF is signed with a fresh P-256 key made for this one
export and thrown away after it; its certificate is issued by a self-signed certificate of the
vault's Ed25519 key. Both name the business and the key's fingerprint. Adobe checks the
document with ECDSA P-256 ("not modified since it was signed") and shows the identity as
unknown, as for any self-signed key; pyHanko's validator (the tests) also checks the chain up
to the Ed25519 certificate. Nothing new is stored: the vault keeps exactly one secret.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

SIGNATURE_FIELD = "CasefileDossier"


def _name(business: str, common_name: str, fingerprint: str) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])]
    if business:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, business[:64]))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"Casefile vault key {fingerprint}"))
    return x509.Name(attributes)


def vault_certificate(identity: Any, business: str, fingerprint: str, now: dt.datetime) -> Any:
    """The self-signed certificate of the vault's Ed25519 key (a CA for document keys)."""
    from cryptography import x509

    name = _name(business, f"{business or 'Casefile vault'} (Casefile)", fingerprint)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(identity.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(identity.public_key()), critical=False)
        .sign(identity, None)
    )


def _key_usage(*, cert_sign: bool) -> Any:
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def document_certificate(
    identity: Any, issuer: Any, business: str, fingerprint: str, now: dt.datetime
) -> tuple[Any, Any]:
    """A one-export P-256 key and its certificate, issued by the vault certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(business, f"{business or 'Casefile vault'} dossier signature", fingerprint))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * 30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), critical=False)
        .sign(identity, None)
    )
    return key, cert


def preload() -> None:
    """Import what signing needs (pyHanko and its validator: ~0.36 s of CPU) on a thread of
    its own, for a caller that is about to wait on something else (the layout helper)."""
    import threading

    threading.Thread(target=import_signing, name="casefile-preload-signing", daemon=True).start()


def import_signing() -> None:
    """Import pyHanko's signer, incremental writer, timestamper and certificate store now."""
    import contextlib

    with contextlib.suppress(ImportError):  # the signature's own import says what is missing
        import pyhanko.pdf_utils.incremental_writer
        import pyhanko.sign.signers
        import pyhanko.sign.timestamps.api  # noqa: F401
        import pyhanko_certvalidator.registry  # noqa: F401


def sign_pdf(
    pdf: bytes, vault: Any, business: str, timestamper: Any = None, field_name: str = SIGNATURE_FIELD
) -> bytes:
    """Sign the finished PDF; returns the signed bytes (the original bytes plus one update)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    identity = vault.signing.private_key_for_certificates()
    fingerprint = vault.signing.fingerprint()
    now = dt.datetime.now(dt.UTC)
    root = vault_certificate(identity, business, fingerprint, now)
    key, cert = document_certificate(identity, root, business, fingerprint, now)

    def asn1(certificate: Any) -> Any:
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

    signer = signers.SimpleSigner(
        signing_cert=asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1(root)]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Dossier exported from a Casefile record; the bundle's manifest is signed by the same vault key",
        name=f"{business or 'Casefile vault'} (vault key {fingerprint})",
    )
    from app.records.times import iana_tz_env

    with iana_tz_env():  # pyhanko asks tzlocal for the signing time's zone
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, timestamper=timestamper)
    return bytes(out.getvalue())


def timestamper_for(vault: Any, timeout: float = 10.0) -> Any:
    """A pyHanko TimeStamper over the vault's first reachable TSA (stdlib HTTP, our timeout),
    or None when anchoring is off, no TSA is set or none answers: the PDF is then B-B."""
    from asn1crypto import tsp as asn1_tsp
    from pyhanko.sign.timestamps.api import TimeStamper

    from app.evidence import tsp

    if not vault.anchors.after_export:
        return None

    class CasefileTimeStamper(TimeStamper):  # type: ignore[misc]
        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

        async def async_request_tsa_response(self, req: Any) -> Any:
            try:
                return asn1_tsp.TimeStampResp.load(tsp.post(self.url, req.dump(), timeout))
            except tsp.TsaError as error:
                raise OSError(str(error)) from None

    probe, _nonce = tsp.make_request(b"\0" * 32)
    for url in vault.anchors.tsa_urls():
        try:
            tsp.post(url, probe, timeout)
        except tsp.TsaError:
            continue
        return CasefileTimeStamper(url)
    return None


def sign_pdf_with_timestamp(pdf: bytes, vault: Any, business: str) -> bytes:
    """B-T when a TSA answers (the signature gets a signature timestamp), else B-B."""
    timestamper = timestamper_for(vault)
    if timestamper is not None:
        try:
            return sign_pdf(pdf, vault, business, timestamper=timestamper)
        except OSError:
            pass  # the TSA went away between the probe and the signature
    return sign_pdf(pdf, vault, business)
