"""Timestamp anchors: RFC 3161 tokens proving that a seal (or an export) existed by a time.

``casefile anchor`` asks every configured TSA for a token over the current seal's hash (the
ledger head: the token's message imprint *is* that SHA-256 value); an export asks for tokens
over its PDF's and its manifest's SHA-256. A granted token is kept, with the TSA's
certificate chain, in an ``anchor`` ledger event under ``anchor:<sealed event count>`` (its
own namespace: it adds to the chain and changes no row). A request that fails — offline,
HTTP 500, garbage, a timeout — is queued in ``anchor_queue`` with its one-line reason and
retried by ``casefile anchor --pending`` or the app's retry timer; nothing is lost or blocked.

``check_evidence`` (run by ``verify``) re-checks every stored token offline.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app import ledger
from app.records.settings import DEFAULTS
from app.records.times import now_utc, utc_text
from app.vault.store import Connection
from app.words import plural

if TYPE_CHECKING:
    from app.evidence.tsp import TokenInfo
    from app.vault.vault import Vault

# The default list (vault setting ``tsa_urls``): independent public TSAs — two commercial CAs
# (DigiCert, Sectigo) and a free community TSA (FreeTSA).
DEFAULT_TSA_URLS = tuple(DEFAULTS["tsa_urls"].splitlines())
DEFAULT_TIMEOUT = 10.0
# A vault clock further than this from a TSA's time is reported (never refused).
CLOCK_TOLERANCE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Anchor:
    event_seq: int
    kind: str  # "seal", "pdf" or "manifest"
    imprint: str  # the SHA-256 (hex) the token covers
    sealed_count: int
    sealed_hash: str
    label: str
    tsa_url: str
    tsa_name: str
    gen_time: dt.datetime

    def sentence(self) -> str:
        what = (
            f"the record at event {self.sealed_count:,} with head {self.sealed_hash[:16]}…".replace(",", " ")
            if self.kind == "seal"
            else f"{self.label} (SHA-256 {self.imprint[:16]}…)"
        )
        return f"{what} existed no later than {self.gen_time:%Y-%m-%d %H:%M:%S} UTC, per {self.tsa_name}"


@dataclass(frozen=True)
class PendingAnchor:
    id: int
    kind: str
    imprint: str
    sealed_count: int
    label: str
    tsa_url: str
    queued_at: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class AnchorResult:
    tsa_url: str
    anchor: Anchor | None
    error: str = ""
    token: bytes = b""

    @property
    def ok(self) -> bool:
        return self.anchor is not None


@dataclass(frozen=True)
class _Request:
    kind: str
    imprint: str
    sealed_count: int
    sealed_hash: str
    label: str
    tsa_url: str
    queue_id: int | None = None


@dataclass(frozen=True)
class Fetched:
    """A TSA's answer, not yet stored: an export keeps it only once its save succeeded."""

    request: _Request
    token: bytes = b""
    chain: tuple[bytes, ...] = ()
    info: TokenInfo | None = None
    error: str = ""


def _fetch_one(request: _Request, timeout: float) -> Fetched:
    from app.evidence.tsp import TsaError, request_token

    try:
        token, chain, info = request_token(request.tsa_url, bytes.fromhex(request.imprint), timeout)
    except TsaError as error:
        return Fetched(request, error=str(error))
    return Fetched(request, token, tuple(chain), info)


def _payload(fetched: Fetched) -> dict[str, Any]:
    r, info = fetched.request, fetched.info
    assert info is not None
    return {
        "kind": r.kind,
        "imprint": r.imprint,
        "sealed_count": r.sealed_count,
        "sealed_hash": r.sealed_hash,
        "label": r.label,
        "tsa_url": r.tsa_url,
        "tsa": info.tsa_name,
        "gen_time": info.gen_time.astimezone(dt.UTC).isoformat(),
        "serial": str(info.serial),
        "token": base64.b64encode(fetched.token).decode(),
        "chain": [base64.b64encode(c).decode() for c in fetched.chain],
    }


def _anchor(seq: int, payload: dict[str, Any]) -> Anchor:
    return Anchor(
        event_seq=seq,
        kind=str(payload.get("kind")),
        imprint=str(payload.get("imprint")),
        sealed_count=int(payload.get("sealed_count") or 0),
        sealed_hash=str(payload.get("sealed_hash")),
        label=str(payload.get("label", "")),
        tsa_url=str(payload.get("tsa_url", "")),
        tsa_name=str(payload.get("tsa", "")),
        gen_time=dt.datetime.fromisoformat(str(payload.get("gen_time"))),
    )


def _anchor_events(conn: Connection):  # type: ignore[no-untyped-def]
    # The subject index makes this a range scan, whatever the ledger's size.
    for seq, at, action, payload in conn.execute(
        "SELECT seq, at, action, payload FROM events WHERE subject >= 'anchor:' AND subject < 'anchor;' ORDER BY seq"
    ):
        if action == "anchor":
            yield int(seq), str(at), json.loads(payload)


class Anchors:
    """``vault.anchors``: what is anchored, what waits, and asking TSAs (call those on a worker)."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    # -- settings ----------------------------------------------------------

    def tsa_urls(self) -> list[str]:
        text = self._vault.settings.get("tsa_urls")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def set_tsa_urls(self, urls: list[str]) -> None:
        from app.errors import InvalidInput

        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise InvalidInput(f"{url!r} is not an http(s) address of a time-stamping authority.")
        self._vault.settings.set("tsa_urls", "\n".join(urls))

    @property
    def after_export(self) -> bool:
        return self._vault.settings.get("anchor_after_export") == "on"

    # -- reading -----------------------------------------------------------

    def anchored(self) -> list[Anchor]:
        with self._vault.db.read() as conn:
            return [_anchor(seq, payload) for seq, _at, payload in _anchor_events(conn)]

    def pending(self) -> list[PendingAnchor]:
        rows = self._vault.db.all(
            "SELECT id, kind, imprint, sealed_count, label, tsa_url, queued_at, attempts, last_error"
            " FROM anchor_queue ORDER BY id"
        )
        return [PendingAnchor(*row) for row in rows]

    # -- asking TSAs -------------------------------------------------------

    def fetch(
        self,
        kind: str,
        imprint: str,
        sealed_count: int,
        sealed_hash: str,
        label: str,
        *,
        tsa_urls: list[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> list[Fetched]:
        """Ask every TSA at once (network only; nothing is written). See ``keep``."""
        urls = self.tsa_urls() if tsa_urls is None else tsa_urls
        requests = [_Request(kind, imprint, sealed_count, sealed_hash, label, url) for url in urls]
        return _fetch_all(requests, timeout)

    def keep(self, answers: list[Fetched]) -> list[AnchorResult]:
        """Store granted tokens as ledger events and queue the failures, in one transaction."""
        results: list[AnchorResult] = []
        now = utc_text(now_utc())
        with self._vault.db.write() as conn:
            for fetched in answers:
                r = fetched.request
                if fetched.info is not None:
                    payload = _payload(fetched)
                    event = ledger.append(conn, "anchor", f"anchor:{r.sealed_count}", payload)
                    if r.queue_id is not None:
                        conn.execute("DELETE FROM anchor_queue WHERE id = ?", (r.queue_id,))
                    results.append(AnchorResult(r.tsa_url, _anchor(event.seq, payload), token=fetched.token))
                    continue
                if r.queue_id is not None:
                    conn.execute(
                        "UPDATE anchor_queue SET attempts = attempts + 1, last_attempt_at = ?, last_error = ?"
                        " WHERE id = ?",
                        (now, fetched.error, r.queue_id),
                    )
                elif not conn.execute(
                    "SELECT 1 FROM anchor_queue WHERE imprint = ? AND tsa_url = ?", (r.imprint, r.tsa_url)
                ).fetchone():
                    conn.execute(
                        "INSERT INTO anchor_queue(kind, imprint, sealed_count, label, tsa_url, queued_at, attempts,"
                        " last_attempt_at, last_error) VALUES (?,?,?,?,?,?,1,?,?)",
                        (r.kind, r.imprint, r.sealed_count, r.label, r.tsa_url, now, now, fetched.error),
                    )
                results.append(AnchorResult(r.tsa_url, None, fetched.error))
        return results

    def anchor_seal(self, tsa_urls: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT) -> list[AnchorResult]:
        """Anchor the current seal (the ledger head) with every TSA; failures are queued."""
        self._vault.signing.ensure()  # an older vault gets its key before its first anchor
        head = self._vault.head()
        seal = ledger.format_seal(head)
        return self.keep(self.fetch("seal", head.hash, head.count, head.hash, seal, tsa_urls=tsa_urls, timeout=timeout))

    def retry_pending(self, timeout: float = DEFAULT_TIMEOUT) -> list[AnchorResult]:
        """Retry every queued request once; granted ones leave the queue."""
        requests = []
        for p in self.pending():
            sealed_hash = p.imprint
            if p.kind != "seal":
                with self._vault.db.read() as conn:
                    row = conn.execute("SELECT hash FROM events WHERE seq = ?", (p.sealed_count,)).fetchone()
                sealed_hash = str(row[0]) if row else ""
            requests.append(_Request(p.kind, p.imprint, p.sealed_count, sealed_hash, p.label, p.tsa_url, p.id))
        return self.keep(_fetch_all(requests, timeout)) if requests else []


def _fetch_all(requests: list[_Request], timeout: float) -> list[Fetched]:
    if not requests:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(requests))) as pool:
        return list(pool.map(lambda r: _fetch_one(r, timeout), requests))


# -- verify ------------------------------------------------------------------


def check_evidence(conn: Connection, report: Any, problem: Callable[[str], bool]) -> bool:
    """The signing key matches its public half; every anchor's token proves what it claims."""
    from app.evidence.signing import check_keys
    from app.evidence.tsp import TokenInvalid, verify_token

    if any(problem(text) for text in check_keys(conn)):
        return True
    count = 0
    for seq, at, payload in _anchor_events(conn):
        count += 1
        try:
            anchor = _anchor(seq, payload)
            token = base64.b64decode(str(payload["token"]), validate=True)
            chain = [base64.b64decode(str(c), validate=True) for c in payload["chain"]]
            info = verify_token(token, bytes.fromhex(anchor.imprint), chain)
        except TokenInvalid as error:
            if problem(f"anchor at event {seq} ({payload.get('tsa_url')}): the timestamp token is not valid: {error}."):
                return True
            continue
        except (KeyError, ValueError, TypeError):
            if problem(f"anchor at event {seq}: the stored timestamp token is unreadable."):
                return True
            continue
        failure = _ordering_problem(conn, seq, anchor, info)
        if failure:
            if problem(f"anchor at event {seq} ({anchor.tsa_name}): {failure}."):
                return True
            continue
        report.anchored.append(anchor)
        skew = _as_utc(at) - info.gen_time
        if abs(skew) > CLOCK_TOLERANCE:
            direction = "ahead of" if skew > dt.timedelta(0) else "behind"
            report.notes.append(
                f"At event {seq} the vault's clock was {_duration(abs(skew))} {direction} {anchor.tsa_name}'s time."
            )
    report.checked["anchors"] = count
    return False


def _ordering_problem(conn: Connection, seq: int, anchor: Anchor, info: TokenInfo) -> str:
    if info.gen_time != anchor.gen_time:
        return "the token's time differs from the time recorded with it"
    if anchor.sealed_count >= seq:
        return f"it claims to anchor event {anchor.sealed_count}, which is not before it in the ledger"
    if anchor.kind == "seal":
        row = conn.execute("SELECT hash FROM events WHERE seq = ?", (anchor.sealed_count,)).fetchone()
        if row is None or str(row[0]) != anchor.imprint:
            return f"the token is for another hash than event {anchor.sealed_count}'s"
    return ""


def _as_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def appendix_rows(vault: Vault) -> list[tuple[str, str]]:
    """For the integrity appendix: one row per anchored seal or export (newest 20)."""
    anchors = vault.anchors.anchored()
    rows = [(f"Timestamp ({a.kind})", f"{a.sentence()} (token at ledger event {a.event_seq})") for a in anchors[-20:]]
    pending = len(vault.anchors.pending())
    if not anchors:
        rows.append(
            ("Timestamps", "none yet" + (f"; {plural(pending, 'request')} queued for a TSA" if pending else ""))
        )
    return rows
