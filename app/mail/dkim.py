"""DKIM and ARC: the sending provider's own signature on a message, checked and kept.

Every message is checked at import with dkimpy. The key record is looked up through a
``Lookup`` (dnspython against the system's resolver, or ``CASEFILE_DNS_SERVER=HOST:PORT``,
or the ``dns_server`` setting; tests pass their own), and the exact TXT text, the
answer time and the DNSSEC AD flag are stored with the result, in the original
message's metadata under ``dkim``. A later check (``casefile mail dkim-recheck``) can
replay against that archived record, so a rotated key does not erase a pass that was
observed.

Statuses: ``pass``, ``fail`` (with the reason: body hash mismatch, signature does not
match the signed headers, no key published, malformed signature), ``none`` (not
signed) and ``not_checked`` (offline, DNS failure: checked later). What a pass means
is modest and said so: the signing domain vouched for these headers and this body; it
does not prove who typed the message.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any

from app.records.times import now_utc, utc_text

PASS, FAIL, NONE, NOT_CHECKED = "pass", "fail", "none", "not_checked"
MAX_SIGNATURES = 5
_LOOKUP_LIFETIME = 4.0
_MEANING = "the signing domain vouched for these headers and this body; it does not prove who typed the message"


@dataclass(frozen=True)
class KeyAnswer:
    """One TXT lookup: ``text`` is None when the name has no record."""

    name: str
    text: str | None
    answer_ms: int
    dnssec: bool
    server: str = "system resolver"


class DnsUnavailable(Exception):
    """The lookup could not be made (offline, timeout, no resolver): 'not checked yet'."""


Lookup = Callable[[str], KeyAnswer]


def dns_server(vault: Any = None) -> str:
    """HOST:PORT of the resolver to ask, '' for the system's: environment first, then the setting."""
    chosen = os.environ.get("CASEFILE_DNS_SERVER", "").strip()
    if not chosen and vault is not None:
        try:
            chosen = vault.settings.get("dns_server").strip()
        except Exception:  # an older vault without the setting
            chosen = ""
    return chosen


def system_lookup(server: str = "") -> Lookup:
    """A dnspython resolver; after one network failure every later lookup of this batch is 'offline' at once."""
    import dns.exception
    import dns.flags
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=not server)
    label = "system resolver"
    if server:
        host, _, port = server.rpartition(":") if server.count(":") == 1 or server.startswith("[") else (server, "", "")
        resolver.nameservers = [host.strip("[]") or server]
        resolver.port = int(port or 53)
        label = server
    resolver.use_edns(0, dns.flags.DO, 1232)
    resolver.flags = dns.flags.RD | dns.flags.AD  # ask the resolver to say whether it validated (DNSSEC)
    resolver.lifetime = _LOOKUP_LIFETIME
    offline: list[str] = []

    def lookup(name: str) -> KeyAnswer:
        if offline:
            raise DnsUnavailable(offline[0])
        started = time.perf_counter()
        try:
            answer = resolver.resolve(name, "TXT", raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return KeyAnswer(name, None, _ms(started), False, label)
        except (dns.exception.Timeout, dns.resolver.NoNameservers, OSError) as error:
            offline.append(f"DNS unavailable ({type(error).__name__})")
            raise DnsUnavailable(offline[0]) from None
        except dns.exception.DNSException as error:
            raise DnsUnavailable(f"DNS lookup failed ({type(error).__name__})") from None
        records = [b"".join(r.strings) for r in answer.rrset or ()]
        dkim_records = [r for r in records if b"p=" in r] or records
        text = dkim_records[0].decode("utf-8", "replace") if dkim_records else None
        return KeyAnswer(name, text, _ms(started), bool(answer.response.flags & dns.flags.AD), label)

    return lookup


def archived_lookup(previous: dict[str, Any]) -> Lookup:
    """Answers from the key records archived with an earlier check (no network)."""
    records = {k["name"]: k for k in previous.get("keys", []) if isinstance(k, dict) and k.get("name")}

    def lookup(name: str) -> KeyAnswer:
        kept = records.get(name)
        if kept is None or kept.get("record") is None:
            raise DnsUnavailable(f"no archived key record for {name}")
        return KeyAnswer(name, kept["record"], 0, bool(kept.get("dnssec")), f"archived {kept.get('fetched_at', '')}")

    return lookup


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _header_block(raw: bytes) -> bytes:
    end = re.search(rb"\r?\n\r?\n", raw)
    return raw[: end.start()] if end else raw


def _headers(raw: bytes, name: bytes) -> list[str]:
    """Unfolded values of every header ``name`` (case-insensitive), from the raw bytes."""
    block = _header_block(raw)
    found = []
    for match in re.finditer(rb"(?im)^" + re.escape(name) + rb":[ \t]*((?:.*)(?:\r?\n[ \t].*)*)", block):
        found.append(" ".join(match[1].decode("utf-8", "replace").split()))
    return found


def from_domain(raw: bytes) -> str:
    values = _headers(raw, b"From")
    addresses = [a for _n, a in getaddresses(values[:1]) if "@" in a]
    return addresses[0].rsplit("@", 1)[1].lower().rstrip(".") if addresses else ""


def aligned(signing_domain: str, sender_domain: str) -> bool:
    """Relaxed alignment (DMARC-style, without the public suffix list): the same domain, or one
    a subdomain of the other."""
    d, f = signing_domain.lower().rstrip("."), sender_domain.lower().rstrip(".")
    return bool(d and f) and (d == f or f.endswith("." + d) or d.endswith("." + f))


def is_signed(raw: bytes) -> bool:
    block = _header_block(raw).lower()
    return b"dkim-signature:" in block or b"arc-seal:" in block


def check(raw: bytes, lookup: Lookup | None) -> dict[str, Any]:
    """The DKIM (and ARC) verdict for one message. ``lookup`` None means offline: 'not checked'."""
    result: dict[str, Any] = {"checked_at": utc_text(now_utc()), "meaning": _MEANING}
    result["authentication_results"] = authentication_results(raw)
    sender = from_domain(raw)
    result["from_domain"] = sender
    signatures = _headers(raw, b"DKIM-Signature")
    if not signatures:
        result.update(status=NONE, reason="the message carries no DKIM signature")
        result["arc"] = _arc(raw, lookup)
        return result
    import dkim

    keys: dict[str, dict[str, Any]] = {}

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        if lookup is None:
            raise DnsUnavailable("offline: the key record was not looked up")
        text_name = name.decode("ascii", "replace").rstrip(".")
        answer = lookup(text_name)
        keys[text_name] = {
            "name": text_name,
            "record": answer.text,
            "answer_ms": answer.answer_ms,
            "dnssec": answer.dnssec,
            "server": answer.server,
            "fetched_at": utc_text(now_utc()),
        }
        return answer.text.encode("utf-8") if answer.text is not None else None

    outcomes = []
    for index in range(min(len(signatures), MAX_SIGNATURES)):
        outcomes.append(_one_signature(dkim, raw, index, dnsfunc, sender))
    best = _best(outcomes)
    result.update(best)
    result["signatures"] = outcomes
    result["keys"] = list(keys.values())
    result["arc"] = _arc(raw, lookup)
    return result


def _one_signature(dkim: Any, raw: bytes, index: int, dnsfunc: Any, sender: str) -> dict[str, Any]:
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger(f"casefile.dkim.{index}")
    logger.propagate = False
    logger.handlers = [_Collect()]
    logger.setLevel(logging.INFO)
    verifier = dkim.DKIM(raw, logger=logger, minkey=1024)
    outcome: dict[str, Any] = {"domain": "", "selector": "", "aligned": False}
    try:
        ok = verifier.verify(idx=index, dnsfunc=dnsfunc)
        status, reason = (PASS, "valid signature") if ok else (FAIL, _failure_reason(messages))
    except DnsUnavailable as error:
        status, reason = NOT_CHECKED, str(error)
    except dkim.ValidationError as error:
        text = str(error)
        status = FAIL
        reason = "body hash mismatch: the body was changed after signing" if "body hash" in text else text
    except dkim.DKIMException as error:
        status, reason = FAIL, f"malformed signature or key ({error})"
    domain = verifier.domain.decode("ascii", "replace") if isinstance(verifier.domain, bytes) else ""
    selector = verifier.selector.decode("ascii", "replace") if isinstance(verifier.selector, bytes) else ""
    outcome.update(status=status, reason=reason, domain=domain, selector=selector, aligned=aligned(domain, sender))
    return outcome


def _failure_reason(messages: list[str]) -> str:
    for text in messages:
        if "missing public key" in text:
            return "no public key is published for this selector (revoked, rotated or never existed)"
        if "KeyFormatError" in text or "public key" in text:
            return f"the published key is unusable ({text})"
    return "the signature does not match the signed headers (a signed header was changed, or the signature is bad)"


def _best(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    order = {PASS: 0, FAIL: 2, NOT_CHECKED: 1}
    ranked = sorted(outcomes, key=lambda o: (order.get(o["status"], 3), not o["aligned"]))
    best = ranked[0]
    return {k: best[k] for k in ("status", "reason", "domain", "selector", "aligned")}


def _arc(raw: bytes, lookup: Lookup | None) -> dict[str, Any]:
    if not _headers(raw, b"ARC-Seal"):
        return {"status": NONE}
    if lookup is None:
        return {"status": NOT_CHECKED, "reason": "offline"}
    import dkim

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        answer = lookup(name.decode("ascii", "replace").rstrip("."))
        return answer.text.encode("utf-8") if answer.text is not None else None

    try:
        cv, results, reason = dkim.arc_verify(raw, dnsfunc=dnsfunc)
    except DnsUnavailable as error:
        return {"status": NOT_CHECKED, "reason": str(error)}
    status = {dkim.CV_Pass: PASS, dkim.CV_Fail: FAIL, dkim.CV_None: NONE}.get(cv, FAIL)
    return {"status": status, "reason": str(reason), "instances": len(results)}


def authentication_results(raw: bytes) -> list[dict[str, Any]]:
    """Authentication-Results headers as the receiving providers wrote them, parsed with authres."""
    found = []
    for value in _headers(raw, b"Authentication-Results")[:10]:
        entry: dict[str, Any] = {"header": value[:2000]}
        try:
            import authres

            parsed = authres.all_features().parse_value(value)
            entry["authserv_id"] = parsed.authserv_id
            entry["results"] = [
                {"method": r.method, "result": r.result, **{f"{p.type}.{p.name}": p.value for p in r.properties}}
                for r in parsed.results
            ]
        except Exception as error:  # authres raises its own syntax errors; the raw header is kept anyway
            entry["unparsed"] = type(error).__name__
        found.append(entry)
    return found


# -- the vault side ---------------------------------------------------------------


def lookup_for(vault: Any) -> Lookup:
    return system_lookup(dns_server(vault))


def annotate(raw: bytes, metadata: dict[str, Any], lookup: Lookup | None) -> None:
    """Put the verdict into an original message's metadata (before its import transaction)."""
    try:
        metadata["dkim"] = check(raw, lookup) if is_signed(raw) else _unsigned(raw)
    except Exception as error:  # a hostile header must not stop an import: evidence is never refused
        metadata["dkim"] = {"status": NOT_CHECKED, "reason": f"could not be checked ({type(error).__name__})"}


def _unsigned(raw: bytes) -> dict[str, Any]:
    return {
        "status": NONE,
        "reason": "the message carries no DKIM signature",
        "checked_at": utc_text(now_utc()),
        "from_domain": from_domain(raw),
        "authentication_results": authentication_results(raw),
        "arc": {"status": NONE},
    }


def annotate_items(vault: Any, items: list[Any], lookup: Lookup | None = None) -> None:
    """DKIM for every parsed email about to be imported (the importer calls this)."""
    chosen: Lookup | None = lookup
    for item in items:
        part = item.parts[0] if item.parts else None
        if part is None or part.media_type != "message/rfc822" or "dkim" in part.metadata:
            continue
        with part.open() as stream:
            raw = stream.read()
        if chosen is None and is_signed(raw):
            chosen = lookup_for(vault)
        annotate(raw, part.metadata, chosen)


def summary(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """What ``show --json`` prints as ``dkim``."""
    result = metadata.get("dkim")
    if not isinstance(result, dict):
        return None
    keys = result.get("keys") or []
    return {
        "status": result.get("status"),
        "reason": result.get("reason"),
        "domain": result.get("domain") or None,
        "selector": result.get("selector") or None,
        "aligned": result.get("aligned"),
        "checked_at": result.get("checked_at"),
        "key_archived_at": keys[0].get("fetched_at") if keys and keys[0].get("record") else None,
        "dnssec": bool(keys and keys[0].get("dnssec")),
        "arc": (result.get("arc") or {}).get("status"),
        "replayed": bool(result.get("replayed")),
    }


def sentence(metadata: dict[str, Any]) -> str | None:
    """One modest line for the detail pane and the dossier."""
    s = summary(metadata)
    if s is None:
        return None
    status = s["status"]
    if status == PASS:
        text = f"DKIM: valid signature by {s['domain']} (selector {s['selector']})"
        text += ", aligned with the sender" if s["aligned"] else ", not the sender's domain"
        if s["key_archived_at"]:
            text += f"; key record archived {str(s['key_archived_at'])[:10]}"
        if s["replayed"]:
            text += " (re-verified against that archived record)"
        return text + f". This means {_MEANING}."
    if status == FAIL:
        who = f" by {s['domain']} (selector {s['selector']})" if s["domain"] else ""
        return f"DKIM: signature{who} does not verify: {s['reason']}."
    if status == NOT_CHECKED:
        who = f" by {s['domain']}" if s["domain"] else ""
        return f"DKIM: signed{who}, not checked yet ({s['reason']})."
    return "DKIM: no signature."
