"""Email threads: the entries of one conversation, from their message headers.

Each imported message keeps Message-ID, In-Reply-To and References in the
metadata of its original (the entry's first attachment). A thread is every
entry reachable through those links, in either direction.
"""

from __future__ import annotations

import json
from typing import Any

MAX_THREAD = 1000


def _ids_of(conn: Any, entry_id: int) -> tuple[str | None, set[str]]:
    """(this entry's Message-ID, the Message-IDs it points to)."""
    rows = conn.execute(
        "SELECT json_extract(metadata, '$.message_id'), json_extract(metadata, '$.in_reply_to'),"
        " json_extract(metadata, '$.references') FROM attachments WHERE entry_id=? ORDER BY id LIMIT 1",
        (entry_id,),
    ).fetchall()
    if not rows:
        return None, set()

    own, parent, refs = rows[0]
    pointers = set(json.loads(refs) if isinstance(refs, str) and refs.startswith("[") else [])
    if parent:
        pointers.add(parent)
    return own, pointers


def thread_entry_ids(vault: Any, entry_id: int) -> list[int]:
    """Entries in the same conversation as ``entry_id`` (itself included), oldest first."""
    seen = {entry_id}
    queue = [entry_id]
    with vault.db.read() as conn:
        while queue and len(seen) < MAX_THREAD:
            current = queue.pop()
            own, pointers = _ids_of(conn, current)
            found: set[int] = set()
            for message_id in pointers:
                found.update(
                    r[0]
                    for r in conn.execute(
                        "SELECT entry_id FROM attachments WHERE json_extract(metadata, '$.message_id') = ?",
                        (message_id,),
                    )
                )
            if own:
                # Replies name this message in In-Reply-To or References.
                found.update(
                    r[0]
                    for r in conn.execute(
                        "SELECT a.entry_id FROM attachments a WHERE json_extract(a.metadata, '$.in_reply_to') = ?"
                        " OR EXISTS (SELECT 1 FROM json_each(a.metadata, '$.references') WHERE value = ?)",
                        (own, own),
                    )
                )
            for other in found - seen:
                seen.add(other)
                queue.append(other)
        placeholders = ",".join("?" * len(seen))
        rows = conn.execute(
            f"SELECT id FROM entries WHERE id IN ({placeholders}) AND retracted = 0 ORDER BY occurred_utc, id",
            tuple(seen),
        ).fetchall()
    return [r[0] for r in rows]
