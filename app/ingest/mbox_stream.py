"""An mbox (Gmail Takeout, Thunderbird, mutt) read message by message, never whole.

Lines are read one at a time; a message ends where the next line starting with "From "
begins (the mbox separator is only recognised at the start of a line, and writers escape
body lines that start with "From " as ">From "). Gmail Takeout's X-Gmail-Labels header
becomes the entry's tags. Memory: one message at a time (a message larger than
MAX_MBOX_MESSAGE_BYTES is streamed whole from the archive into the vault, unparsed, with the reason).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

from app.ingest.archive_import import ArchiveMessage
from app.ingest.email import MAX_MESSAGE_BYTES
from app.ingest.parsed import Source

# One message is held in memory while it is stored: joining its lines needs twice that,
# so 100 MB keeps the peak under ~300 MB above idle (a sparse 500 MB mbox with no
# newline: 2.4 GB with the email limit of 200 MB). A larger message is not held: it is
# streamed from the archive into the vault, whole and unparsed (``MessageSpan``).
MAX_MBOX_MESSAGE_BYTES = min(MAX_MESSAGE_BYTES, 100 * 1024 * 1024)

_LABELS = re.compile(rb"(?im)^X-Gmail-Labels:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)")
_SKIP_LABELS = {"opened", "unread", "important", "starred", "sent", "inbox", "category personal"}


def is_mbox(source: Source, head: bytes) -> bool:
    suffix = Path(source.name).suffix.lower()
    return suffix in (".mbox", ".mbx") or (suffix == "" and head.startswith(b"From "))


def gmail_labels(raw: bytes) -> tuple[str, ...]:
    end = raw.find(b"\n\n")
    match = _LABELS.search(raw[: end if end > 0 else len(raw)])
    if not match:
        return ()
    text = " ".join(match[1].decode("utf-8", "replace").split())
    if "=?" in text:
        with contextlib.suppress(ValueError, LookupError):
            text = str(make_header(decode_header(text)))
    labels = []
    # Takeout quotes a label that contains a comma: Inbox,"Legal, urgent"
    for label in next(csv.reader([text], skipinitialspace=True), []):
        label = label.strip()
        if label and label.lower() not in _SKIP_LABELS and len(label) <= 100:
            labels.append(label)
    return tuple(dict.fromkeys(labels))


class MessageSpan(io.RawIOBase):
    """One message of an mbox read back from the archive, bytes ``start`` to ``end``,
    line by line with the same '>From ' unescaping as a message held in memory."""

    def __init__(self, source: Source, start: int, end: int) -> None:
        self._stream = source.opener()
        self._stream.seek(start)
        self._left = end - start
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and self._left > 0:
            line = self._stream.readline(min(self._left, 1 << 20))
            if not line:
                self._left = 0
                break
            self._left -= len(line)
            self._pending = line[1:] if line.startswith(b">From ") else line
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def close(self) -> None:
        self._stream.close()
        super().close()


def _span_source(source: Source, name: str, start: int, end: int) -> Source:
    return Source(
        name=name,
        size=end - start,
        mtime=source.mtime,
        opener=lambda: io.BufferedReader(MessageSpan(source, start, end), 1 << 20),  # type: ignore[arg-type]
    )


def _headers(lines: list[bytes], limit: int = 1 << 20) -> bytes:
    """The header block of a message held as lines (at most ``limit`` bytes of it)."""
    head: list[bytes] = []
    size = 0
    for line in lines:
        if line in (b"\n", b"\r\n") or size > limit:
            break
        head.append(line)
        size += len(line)
    return b"".join(head)


def mbox_messages(source: Source) -> Iterator[ArchiveMessage]:
    stem = source.name.rsplit(".", 1)[0]
    index = 0
    with source.opener() as stream:
        first = stream.readline()
        if not first.startswith(b"From "):
            return
        lines: list[bytes] = []
        size = 0
        position = start = len(first)
        too_large = False
        labels: tuple[str, ...] = ()
        while True:
            line = stream.readline(1 << 20)  # bounded: a file without newlines is not one huge line in memory
            position += len(line)
            if not line or line.startswith(b"From "):
                end = position - len(line)
                if lines or too_large:
                    index += 1
                    name = f"{stem}-{index:04d}.eml"
                    raw = b"".join(lines)
                    lines = []  # not both the lines and their join while the message is stored
                    yield ArchiveMessage(
                        raw=raw,
                        name=name,
                        fallback_time=source.mtime,
                        collected={"via": "mbox", "archive": source.name, "index": index},
                        tags=labels if too_large else gmail_labels(raw),
                        position=position,
                        whole=_span_source(source, name, start, end) if too_large else None,
                        too_large=(
                            f"larger than the {MAX_MBOX_MESSAGE_BYTES // 2**20} MB Casefile reads of one message "
                            "in an archive; kept whole, as it stands in the archive."
                            if too_large
                            else ""
                        ),
                    )
                if not line:
                    return
                lines, size, too_large, start = [], 0, False, position
                continue
            if too_large:
                continue
            if line.startswith(b">From "):
                line = line[1:]
            size += len(line)
            if size > MAX_MBOX_MESSAGE_BYTES:
                too_large = True  # not held: streamed from the archive when it is stored
                labels = gmail_labels(_headers(lines))
                lines = []
                continue
            lines.append(line)
