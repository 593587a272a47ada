"""Files dropped onto a client or an entry go into the vault.

Until the ingest module lands this attaches the files as they are to a new
"document" entry (or to the entry they were dropped on); it is one function so it
can be switched to ``app.ingest`` in one place.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from app.records.models import EntryFields
from app.records.times import local_zone


def attach_dropped_files(
    vault: Any, client_id: int, paths: list[Path], entry_id: int | None = None, progress: Any = None
) -> int:
    """Store ``paths`` under ``entry_id`` (or a new document entry for the client). Returns the entry id.

    Runs on a worker thread: it touches only the vault, never a widget. Each file is one
    transaction; ``progress`` (a ui.workers.Progress) is told after each and may stop the rest.
    """
    if entry_id is None:
        names = ", ".join(p.name for p in paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        entry = vault.entries.log(
            client_id,
            EntryFields(
                kind="document",
                occurred_at=datetime.now().astimezone(),
                occurred_tz=local_zone()[1],
                title=f"Files added: {names}",
            ),
        )
        entry_id = entry.id
    for done, path in enumerate(paths):
        if progress is not None:
            if progress.cancelled:
                break
            progress.report(done, len(paths), path.name)
        vault.attachments.add_file(entry_id, path, source="drag")
    if progress is not None:
        progress.report(len(paths), len(paths), "")
    return int(entry_id)
