"""Drafts: half-written notes, autosaved into the vault so a crash or a lock loses nothing.

Drafts are scratch work, not evidence: they are not in the ledger. A draft becomes
evidence when it is saved as an entry, and is deleted in that same transaction.
"""

from __future__ import annotations

import json
from typing import Any

from app.errors import NotFound
from app.records.common import dumps
from app.records.models import Draft
from app.records.times import now_utc, parse_utc_text, utc_text
from app.vault.db import Database


def _draft(row: Any) -> Draft:
    return Draft(row[0], row[1], row[2], json.loads(row[3]), parse_utc_text(row[4]))


class Drafts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(
        self,
        content: dict[str, Any],
        *,
        draft_id: int | None = None,
        client_id: int | None = None,
        entry_id: int | None = None,
    ) -> int:
        now = utc_text(now_utc())
        with self._db.write() as conn:
            if draft_id is not None:
                cur = conn.execute(
                    "UPDATE drafts SET content=?, updated_at=? WHERE id=?", (dumps(content), now, draft_id)
                )
                if cur.rowcount:
                    return draft_id
            cur = conn.execute(
                "INSERT INTO drafts(client_id, entry_id, content, updated_at) VALUES (?,?,?,?)",
                (client_id, entry_id, dumps(content), now),
            )
            return int(cur.lastrowid)  # type: ignore[arg-type]

    def get(self, draft_id: int) -> Draft:
        row = self._db.one("SELECT id, client_id, entry_id, content, updated_at FROM drafts WHERE id=?", (draft_id,))
        if row is None:
            raise NotFound(f"There is no draft with id {draft_id}.")
        return _draft(row)

    def list(self, client_id: int | None = None) -> list[Draft]:
        sql = "SELECT id, client_id, entry_id, content, updated_at FROM drafts"
        params: tuple[Any, ...] = ()
        if client_id is not None:
            sql += " WHERE client_id = ?"
            params = (client_id,)
        return [_draft(r) for r in self._db.all(sql + " ORDER BY updated_at DESC", params)]

    def discard(self, draft_id: int) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM drafts WHERE id=?", (draft_id,))
