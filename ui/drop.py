"""Files dropped onto a client, an entry or the quick-capture dialog go through ingest.

Onto a client: ``app.ingest`` imports each file as its own entry (an email becomes an
email entry, a photo a photo entry with thumbnails …). Onto an entry: each file is
read by the same ingest readers and its parts (the original, an email's attachments,
thumbnails, extracted text) are attached to that entry. Either way every file gets an
``ImportResult``: refusals carry a one-line reason and do-not-serve matches a WARNING note.

Runs on a worker thread: it touches only the vault, never a widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import CasefileError, CorruptVault, VaultBusy, VaultLocked
from app.ingest.importer import (
    DUPLICATE,
    IMPORTED,
    REFUSED,
    ImportResult,
    do_not_serve_warnings,
    file_sha256,
    import_path,
    iter_files,
    reader_for,
)
from app.ingest.parsed import Source
from ui.words import plural


@dataclass(frozen=True)
class DropOutcome:
    """What a drop did: one result per file, and whether Cancel stopped it early."""

    client_id: int
    results: tuple[ImportResult, ...]
    entry_id: int | None = None  # the entry the files were attached to, for a drop onto an entry
    cancelled: bool = False

    @property
    def entry_ids(self) -> list[int]:
        return [e for r in self.results if r.status == IMPORTED for e in r.entry_ids]

    @property
    def imported(self) -> int:
        return sum(r.status == IMPORTED for r in self.results)

    @property
    def problems(self) -> list[ImportResult]:
        """Files refused or already in the vault: the user should see why."""
        return [r for r in self.results if r.status != IMPORTED]

    @property
    def warnings(self) -> list[str]:
        return list(dict.fromkeys(n for r in self.results for n in r.notes if n.startswith("WARNING")))

    def summary(self, client_name: str = "") -> str:
        total = len(self.results)
        if self.imported == total and not self.cancelled:
            text = f"Imported {plural(total, 'file')}"
        else:
            text = f"Imported {self.imported} of {plural(total, 'file')}"
        if client_name:
            text += f" into {client_name}"
        refused = sum(r.status == REFUSED for r in self.results)
        duplicate = sum(r.status == DUPLICATE for r in self.results)
        if refused:
            text += f"; {refused} refused"
        if duplicate:
            text += f"; {duplicate} already in the vault"
        return text + ("; stopped by Cancel." if self.cancelled else ".")


def import_dropped_files(
    vault: Any,
    client_id: int,
    paths: list[Path],
    entry_id: int | None = None,
    progress: Any = None,
    chat: Any = None,
) -> DropOutcome:
    """Import ``paths`` (folders are walked) for the client, or attach them to ``entry_id``.

    Each file is one result; ``progress`` (a ui.workers.Progress) is told before each
    and may stop the rest (a file is never left half stored).
    """
    files = list(iter_files(paths))
    results: list[ImportResult] = []
    cancelled = False
    for done, path in enumerate(files):
        if progress is not None:
            if progress.cancelled:
                cancelled = True
                break
            progress.report(done, len(files), path.name)
        if entry_id is None:
            results.append(import_path(vault, client_id, path, source="drag", chat=chat))
        else:
            results.append(attach_to_entry(vault, client_id, entry_id, path))
    if progress is not None:
        progress.report(len(results), len(files), "")
    return DropOutcome(client_id, tuple(results), entry_id, cancelled)


def attach_to_entry(vault: Any, client_id: int, entry_id: int, path: Path) -> ImportResult:
    """Read one file with ingest and store its parts under an existing entry, in one transaction."""
    try:
        src = Source.from_path(Path(path))
        sha = file_sha256(src)
        if any(a.sha256 == sha for a in vault.attachments.for_entry(entry_id)):
            reason = f"already attached to entry {entry_id} (same SHA-256); not added again."
            return ImportResult(path=str(path), status=DUPLICATE, entry_ids=(entry_id,), sha256=sha, reason=reason)
        items = reader_for(src)(src)
        with vault.db.write():  # the repositories below join this one transaction
            count = 0
            for item in items:
                for part in item.parts:
                    with part.open() as stream:
                        stored = vault.attachments.add_stream(
                            entry_id,
                            stream,
                            part.name,
                            media_type=part.media_type,
                            source=part.attachment_source or "drag",
                            metadata=part.metadata,
                            text=part.text,
                        )
                    for kind, data in part.derivatives.items():
                        vault.attachments.put_derivative(stored.sha256, kind, data)
                    count += 1
    except (VaultLocked, VaultBusy, CorruptVault):
        raise  # the vault's problem, not the file's
    except CasefileError as error:
        return ImportResult(path=str(path), status=REFUSED, reason=" ".join(str(error).split()))
    except Exception as error:  # a library's own exception for a malformed file
        reason = f"{Path(path).name}: could not be read ({type(error).__name__})."
        return ImportResult(path=str(path), status=REFUSED, reason=reason)
    notes = tuple(dict.fromkeys(n for item in items for n in item.notes)) + do_not_serve_warnings(
        vault, client_id, items
    )
    return ImportResult(
        path=str(path),
        status=IMPORTED,
        entry_ids=(entry_id,),
        attachments=count,
        sha256=sha,
        size=src.size,
        notes=notes,
    )
