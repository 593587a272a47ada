"""RFC 3161 time-stamping: ask a TSA, and check a token offline.

asn1crypto parses the structures (it already comes with pyHanko) and cryptography checks
the signatures, so a token is verified with no network and no trust store: the message
imprint, the CMS signature over the signed attributes (message digest and content type
included), the ESS certificate binding, the signer's timeStamping key usage and validity at
the token's time, and every certificate in the stored chain issued by the next. Whether
the chain's top is a TSA the recipient trusts is theirs to decide (README.txt tells them
the openssl command with the TSA's published root).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from app.errors import CasefileError

MAX_RESPONSE = 1024 * 1024
# Tests (and anyone who wants Casefile to stay on this machine) set this: only 127.0.0.1 / ::1 / localhost.
LOOPBACK_ONLY_ENV = "CASEFILE_TSA_LOOPBACK_ONLY"


class TsaError(CasefileError):
    """The TSA could not be reached or did not give a usable token (the request stays queued)."""


class TokenInvalid(CasefileError):
    """A stored token does not prove what it claims."""


@dataclass(frozen=True)
class TokenInfo:
    gen_time: dt.datetime
    serial: int
    tsa_name: str
    policy: str
    imprint: str
    nonce: int | None


def host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def make_request(digest: bytes) -> tuple[bytes, int]:
    from asn1crypto import tsp

    nonce = secrets.randbits(63)
    request = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return request.dump(), nonce


def post(url: str, body: bytes, timeout: float) -> bytes:
    parts = urllib.parse.urlsplit(url)
    host = host_of(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TsaError(f"{url!r} is not an http(s) address of a time-stamping authority.")
    if os.environ.get(LOOPBACK_ONLY_ENV) and parts.hostname not in ("127.0.0.1", "::1", "localhost"):
        raise TsaError(f"{host}: not contacted ({LOOPBACK_ONLY_ENV} is set)")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/timestamp-query"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_RESPONSE + 1)
    except urllib.error.HTTPError as error:
        raise TsaError(f"{host} answered HTTP {error.code} {error.reason}".rstrip()) from None
    except TimeoutError:
        raise TsaError(f"{host} did not answer within {timeout:g} s") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise TsaError(f"{host} did not answer within {timeout:g} s") from None
        raise TsaError(f"{host} is unreachable ({getattr(reason, 'strerror', None) or reason})") from None
    except OSError as error:
        raise TsaError(f"{host} is unreachable ({error.strerror or error})") from None
    if len(data) > MAX_RESPONSE:
        raise TsaError(f"{host} sent more than {MAX_RESPONSE // 1024} KiB; not a timestamp response")
    return data


def request_token(url: str, digest: bytes, timeout: float) -> tuple[bytes, list[bytes], TokenInfo]:
    """Ask one TSA for a token over ``digest``; returns (token DER, chain DER, info). Raises TsaError."""
    body, nonce = make_request(digest)
    data = post(url, body, timeout)
    return parse_response(data, digest, nonce, host_of(url))


def parse_response(data: bytes, digest: bytes, nonce: int, host: str) -> tuple[bytes, list[bytes], TokenInfo]:
    from asn1crypto import tsp

    try:
        response = tsp.TimeStampResp.load(data, strict=True)
        status = response["status"]["status"].native
        token = response["time_stamp_token"]
    except (ValueError, TypeError, KeyError):
        raise TsaError(f"{host} sent something that is not an RFC 3161 timestamp response") from None
    if status not in ("granted", "granted_with_mods"):
        text = response["status"]["status_string"].native
        raise TsaError(f"{host} refused the request ({status}{': ' + ' '.join(text) if text else ''})")
    if token.native is None:
        raise TsaError(f"{host} granted the request but sent no token")
    token_der = token.dump()
    try:
        chain = token_chain(token_der)
        info = verify_token(token_der, digest, chain)
    except TokenInvalid as error:
        raise TsaError(f"{host} sent a token that does not verify ({error})") from None
    if info.nonce != nonce:
        raise TsaError(f"{host} sent a token for another request (nonce differs)")
    return token_der, chain, info


def token_chain(token_der: bytes) -> list[bytes]:
    """The certificates in the token, ordered from the signer up (each followed by its issuer)."""
    from asn1crypto import cms

    try:
        signed = cms.ContentInfo.load(token_der, strict=True)["content"]
        certs = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
        signer = _find_signer(signed["signer_infos"][0]["sid"], certs)
    except (ValueError, TypeError, KeyError, IndexError):
        raise TokenInvalid("it is not a CMS SignedData token") from None
    if signer is None:
        raise TokenInvalid("the token does not include the TSA's certificate")
    chain = [signer]
    while len(chain) < 8:
        current = chain[-1]
        if current.self_signed != "no":
            break
        issuer = next((c for c in certs if c.subject == current.issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
    return [c.dump() for c in chain] + [c.dump() for c in certs if c not in chain]


def _find_signer(sid: Any, certs: list[Any]) -> Any:
    if sid.name == "issuer_and_serial_number":
        wanted = sid.chosen
        return next(
            (c for c in certs if c.issuer == wanted["issuer"] and c.serial_number == wanted["serial_number"].native),
            None,
        )
    return next((c for c in certs if c.key_identifier == sid.chosen.native), None)


_HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def verify_token(token_der: bytes, digest: bytes, chain: list[bytes]) -> TokenInfo:
    """Check a token offline against the SHA-256 ``digest`` it must cover and the stored chain."""
    try:
        return _verify_token(token_der, digest, chain)
    except TokenInvalid:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
        # asn1crypto parses lazily: a damaged inner structure shows only when it is read.
        raise TokenInvalid("it is not a well-formed RFC 3161 token") from None


def _verify_token(token_der: bytes, digest: bytes, chain: list[bytes]) -> TokenInfo:
    from asn1crypto import cms, tsp
    from asn1crypto import x509 as asn1_x509

    try:
        content = cms.ContentInfo.load(token_der, strict=True)
        if content["content_type"].native != "signed_data":
            raise TokenInvalid("it is not a CMS SignedData token")
        signed = content["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TokenInvalid("it does not hold a TSTInfo")
        tst_bytes = encap["content"].contents
        tst = tsp.TSTInfo.load(tst_bytes, strict=True)
        imprint = tst["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
        signer_info = signed["signer_infos"][0]
        if len(signed["signer_infos"]) != 1:
            raise TokenInvalid("it has more than one signer")
        certs = [asn1_x509.Certificate.load(der) for der in chain]
        if not certs:
            raise TokenInvalid("no TSA certificate is stored with it")
        signer = _find_signer(signer_info["sid"], certs)
        digest_algorithm = signer_info["digest_algorithm"]["algorithm"].native
        attrs = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
        gen_time = tst["gen_time"].native
        info = TokenInfo(
            gen_time=gen_time,
            serial=int(tst["serial_number"].native),
            tsa_name=_tsa_name(tst, certs[0]),
            policy=str(tst["policy"].native),
            imprint=bytes(hashed).hex(),
            nonce=tst["nonce"].native,
        )
    except TokenInvalid:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise TokenInvalid("it is not a well-formed RFC 3161 token") from None
    if algorithm != "sha256" or hashed != digest:
        raise TokenInvalid("it was issued for another hash (its message imprint differs)")
    if signer is None or signer.dump() != chain[0]:
        raise TokenInvalid("it was not signed by the stored TSA certificate")
    # The fields the TSA's signature does not cover must still be exactly what was stored.
    embedded = {c.chosen.dump() for c in signed["certificates"] or []}
    if embedded != set(chain):
        raise TokenInvalid("the certificates in it differ from the stored TSA chain")
    if signed["version"].native not in ("v1", "v3") or signer_info["version"].native not in ("v1", "v3"):
        raise TokenInvalid("its SignedData header was changed")
    if digest_algorithm not in {a["algorithm"].native for a in signed["digest_algorithms"]}:
        raise TokenInvalid("its SignedData header was changed")
    hash_function = _HASHES.get(digest_algorithm)
    if hash_function is None:
        raise TokenInvalid(f"its digest algorithm {digest_algorithm} is not supported")
    if attrs.get("content_type") is None or attrs["content_type"].native != "tst_info":
        raise TokenInvalid("its signed attributes do not name a TSTInfo")
    if attrs.get("message_digest") is None or attrs["message_digest"].native != hash_function(tst_bytes).digest():
        raise TokenInvalid("its content was changed after it was signed (message digest differs)")
    _check_ess(attrs, chain[0])
    signed_attrs = signer_info["signed_attrs"].dump()
    _check_signature(chain[0], b"\x31" + signed_attrs[1:], signer_info, digest_algorithm)
    _check_chain(chain, gen_time)
    return info


def _tsa_name(tst: Any, signer: Any) -> str:
    """The TSA's common name (else its whole name): what a reader recognises."""
    names = [signer.subject]
    try:
        if tst["tsa"].native is not None and tst["tsa"].name == "directory_name":
            names.insert(0, tst["tsa"].chosen)
    except (ValueError, KeyError, AttributeError):
        pass
    for name in names:
        common = name.native.get("common_name") if isinstance(name.native, dict) else None
        if common:
            return str(common[0] if isinstance(common, list) else common)
    return str(signer.subject.human_friendly)


def _check_ess(attrs: dict[str, Any], signer_der: bytes) -> None:
    if "signing_certificate_v2" in attrs:
        ess = attrs["signing_certificate_v2"]["certs"][0]
        algorithm = ess["hash_algorithm"]["algorithm"].native if ess["hash_algorithm"].native else "sha256"
        expected = _HASHES.get(algorithm, hashlib.sha256)(signer_der).digest()
    elif "signing_certificate" in attrs:
        ess = attrs["signing_certificate"]["certs"][0]
        expected = hashlib.sha1(signer_der).digest()
    else:
        raise TokenInvalid("it does not bind the TSA's certificate (no ESS signing-certificate attribute)")
    if ess["cert_hash"].native != expected:
        raise TokenInvalid("it names another TSA certificate than the stored one")


def _check_signature(signer_der: bytes, data: bytes, signer_info: Any, digest_algorithm: str) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    chosen = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}
    algorithm = chosen[digest_algorithm]
    key = x509.load_der_x509_certificate(signer_der).public_key()
    signature = signer_info["signature"].native
    mechanism = signer_info["signature_algorithm"].signature_algo
    try:
        if isinstance(key, rsa.RSAPublicKey) and mechanism == "rsassa_pss":
            key.verify(signature, data, padding.PSS(padding.MGF1(algorithm), padding.PSS.AUTO), algorithm)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise TokenInvalid("the TSA's key type is not supported")
    except InvalidSignature:
        raise TokenInvalid("its signature does not verify with the TSA's certificate") from None


def _check_chain(chain: list[bytes], gen_time: dt.datetime) -> None:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    certs = [x509.load_der_x509_certificate(der) for der in chain]
    signer = certs[0]
    try:
        usage = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise TokenInvalid("the TSA's certificate is not for time-stamping")
    for cert in certs:
        if not cert.not_valid_before_utc <= gen_time <= cert.not_valid_after_utc:
            raise TokenInvalid(f"a certificate in its chain was not valid at {gen_time:%Y-%m-%d %H:%M:%S} UTC")
    path = [signer]
    while path[-1].issuer != path[-1].subject:
        issuer = next((c for c in certs if c.subject == path[-1].issuer and c not in path), None)
        if issuer is None:
            break  # the top of the stored chain is not self-signed: nothing above it to check
        path.append(issuer)
    for cert, issuer in zip(path, [*path[1:], path[-1]], strict=True):
        if cert is path[-1] and cert.issuer != cert.subject:
            break
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError):
            raise TokenInvalid(
                f"the certificate of {cert.subject.rfc4514_string()} is not issued by the next in its chain"
            ) from None
        except Exception as error:  # InvalidSignature
            raise TokenInvalid(f"a certificate in its chain has a bad signature ({type(error).__name__})") from None
