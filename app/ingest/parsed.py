"""What a reader hands to the importer: plain data, nothing stored yet."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app.errors import UnsupportedFile
from app.records.attachments import open_for_import
from app.records.models import EntryFields

_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_title(text: str, fallback: str) -> str:
    """One line, no control or bidi-override characters (a subject must not reorder
    the text around it in a timeline or a dossier)."""
    cleaned = "".join(
        "\ufffd" if ch in _BIDI_CONTROLS else ch
        for ch in " ".join(text.split())
        if ch.isprintable() or ch in _BIDI_CONTROLS
    )
    return cleaned[:1000] or fallback


def file_time(timestamp: float) -> datetime:
    """A file's modification time, or now when it is absurd (year 1601, 2500 …):
    a touched or copied file must not stop its import."""
    from app.records.times import in_range, now_utc

    try:
        moment = datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return now_utc()
    return moment if in_range(moment) else now_utc()


@dataclass(frozen=True)
class Source:
    """A file to import: from disk, or read back from the vault (triage).

    ``opener`` returns a fresh binary stream each call, so a reader can look at the
    first bytes and the importer can stream the whole file afterwards.
    """

    name: str
    size: int
    mtime: datetime
    opener: Callable[[], BinaryIO]
    path: Path | None = None

    @classmethod
    def from_path(cls, path: Path) -> Source:
        with open_for_import(path):  # a clear reason if it cannot be read at all
            stat = path.stat()
        return cls(
            name=path.name,
            size=stat.st_size,
            mtime=file_time(stat.st_mtime),
            opener=lambda: open_for_import(path),
            path=path,
        )

    @classmethod
    def from_bytes(cls, name: str, data: bytes, mtime: datetime) -> Source:
        return cls(name=name, size=len(data), mtime=mtime, opener=lambda: io.BytesIO(data))

    def head(self, n: int = 4096) -> bytes:
        with self.opener() as stream:
            return stream.read(n)

    def read_all(self, limit: int, what: str) -> bytes:
        """The whole file in memory, for readers that need it (emails, images)."""
        if self.size > limit:
            raise UnsupportedFile(
                f"{self.name}: {what} of {self.size // (1024 * 1024)} MB is larger than the "
                f"{limit // (1024 * 1024)} MB Casefile reads; import it as a plain file instead."
            )
        with self.opener() as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise UnsupportedFile(f"{self.name}: grew while it was being read; try again once it is complete.")
        return data


@dataclass
class Part:
    """One attachment to store: bytes in memory or the source file itself (streamed)."""

    name: str
    data: bytes | None = None
    source: Source | None = None
    media_type: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    # Derived images (thumbnails): kind -> JPEG bytes, stored encrypted beside the blob.
    derivatives: dict[str, bytes] = field(default_factory=dict)
    attachment_source: str | None = None  # e.g. "email" for a file that came inside a message

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.source is not None
        return self.source.opener()


@dataclass
class ParsedItem:
    """One future entry: its fields and its attachments (the first is the original)."""

    fields: EntryFields
    parts: list[Part]
    notes: list[str] = field(default_factory=list)  # what the reader had to guess, for the result line
