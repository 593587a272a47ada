"""Check DKIM again later: messages imported offline, or every signed message (``mail dkim-recheck``).

A recheck asks DNS again; when the key is gone or changed (rotated keys are normal) and an
earlier check had passed, the message is verified against the key record archived then,
and the result says so. Each changed verdict updates the original's metadata and is in
the ledger (``attachment.dkim_check``, carrying the attachment's new state).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app import ledger
from app.mail.dkim import NOT_CHECKED, PASS, Lookup, archived_lookup, check, lookup_for
from app.records.attachments import attachment_state
from app.records.common import dumps
from app.words import plural

_COLUMNS = "id, entry_id, sha256, name, media_type, size, source, metadata, added_at"


@dataclass
class RecheckReport:
    checked: int = 0
    changed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    attachment_ids: list[int] = field(default_factory=list)

    def line(self) -> str:
        counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(self.statuses.items())) or "nothing to check"
        return f"{plural(self.checked, 'message')} checked, {plural(self.changed, 'verdict')} changed: {counts}."


def recheck(
    vault: Any,
    client_id: int | None = None,
    *,
    every: bool = False,
    replay: bool = False,
    lookup: Lookup | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RecheckReport:
    """``every``: all signed messages, not only those not checked yet. ``replay``: only the archived
    key records, no network."""
    sql = (
        "SELECT a.id FROM attachments a JOIN entries e ON e.id = a.entry_id"
        " WHERE a.media_type = 'message/rfc822' AND json_extract(a.metadata, '$.dkim.status') IS NOT NULL"
        " AND json_extract(a.metadata, '$.dkim.status') != 'none'"
    )
    params: list[Any] = []
    if not (every or replay):
        sql += " AND json_extract(a.metadata, '$.dkim.status') = 'not_checked'"
    if client_id is not None:
        sql += " AND e.client_id = ?"
        params.append(client_id)
    ids = [row[0] for row in vault.db.all(sql + " ORDER BY a.id", params)]
    report = RecheckReport()
    live = None if replay else (lookup or lookup_for(vault))
    for done, att_id in enumerate(ids, start=1):
        row = vault.db.one(f"SELECT {_COLUMNS} FROM attachments WHERE id=?", (att_id,))
        metadata = json.loads(row[7])
        raw = vault.attachments.read_bytes(row[2])
        result = _verdict(raw, metadata["dkim"], live)
        report.checked += 1
        report.statuses[result["status"]] = report.statuses.get(result["status"], 0) + 1
        if _changed(metadata["dkim"], result):
            _store(vault, att_id, {**metadata, "dkim": result})
            report.changed += 1
            report.attachment_ids.append(att_id)
        if on_progress is not None:
            on_progress(done, len(ids))
    return report


def _verdict(raw: bytes, previous: dict[str, Any], live: Lookup | None) -> dict[str, Any]:
    history = [{"status": previous.get("status"), "checked_at": previous.get("checked_at")}]
    history += list(previous.get("previous", []))[:20]
    if live is None:
        result = check(raw, archived_lookup(previous))
        result["replayed"] = True
    else:
        result = check(raw, live)
        if result["status"] != PASS and previous.get("status") == PASS:
            again = check(raw, archived_lookup(previous))
            if again["status"] == PASS:
                again["replayed"] = True
                again["live_recheck"] = {"status": result["status"], "reason": result.get("reason")}
                again["keys"] = previous.get("keys", [])  # the record that was observed, with its time
                result = again
        if result["status"] == NOT_CHECKED and previous.get("status") not in (None, NOT_CHECKED):
            return previous  # offline now: an earlier verdict is not replaced by 'not checked'
    result["previous"] = history
    return result


def _changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    if after is before:
        return False
    keys = ("status", "reason", "domain", "selector", "aligned", "replayed")
    return any(before.get(k) != after.get(k) for k in keys) or before.get("keys") != after.get("keys")


def _store(vault: Any, att_id: int, metadata: dict[str, Any]) -> None:
    with vault.db.write() as conn:
        conn.execute("UPDATE attachments SET metadata=? WHERE id=?", (dumps(metadata), att_id))
        row = conn.execute(f"SELECT {_COLUMNS} FROM attachments WHERE id=?", (att_id,)).fetchone()
        ledger.record(conn, "attachment.dkim_check", f"attachment:{att_id}", attachment_state(row))
