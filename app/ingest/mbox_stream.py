"""An mbox (Gmail Takeout, Thunderbird, mutt) read message by message, never whole.

Lines are read one at a time; a message ends where the next line starting with "From "
begins (the mbox separator is only recognised at the start of a line, and writers escape
body lines that start with "From " as ">From "). Gmail Takeout's X-Gmail-Labels header
becomes the entry's tags. Memory: one message at a time (a message larger than
MAX_MBOX_MESSAGE_BYTES is kept as its native bytes up to that limit, with the reason).
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path

from app.ingest.archive_import import ArchiveMessage
from app.ingest.email import MAX_MESSAGE_BYTES
from app.ingest.parsed import Source

# One message is held in memory while it is stored: joining its lines needs twice that,
# so 100 MB keeps the peak under ~300 MB above idle (a sparse 500 MB mbox with no
# newline: 2.4 GB with the email limit of 200 MB). Beyond it the rest of that message is
# skipped and what was read is kept as its native bytes, with the point it was cut at.
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


def mbox_messages(source: Source) -> Iterator[ArchiveMessage]:
    stem = source.name.rsplit(".", 1)[0]
    index = 0
    with source.opener() as stream:
        first = stream.readline()
        if not first.startswith(b"From "):
            return
        lines: list[bytes] = []
        size = 0
        position = len(first)
        too_large = False
        while True:
            line = stream.readline(1 << 20)  # bounded: a file without newlines is not one huge line in memory
            position += len(line)
            if not line or line.startswith(b"From "):
                if lines or too_large:
                    index += 1
                    raw = b"".join(lines)
                    lines = []  # not both the lines and their join while the message is stored
                    yield ArchiveMessage(
                        raw=raw,
                        name=f"{stem}-{index:04d}.eml",
                        fallback_time=source.mtime,
                        collected={"via": "mbox", "archive": source.name, "index": index}
                        | ({"truncated_at": MAX_MBOX_MESSAGE_BYTES} if too_large else {}),
                        tags=gmail_labels(raw),
                        position=position,
                    )
                if not line:
                    return
                lines, size, too_large = [], 0, False
                continue
            if too_large:
                continue
            if line.startswith(b">From "):
                line = line[1:]
            size += len(line)
            if size > MAX_MBOX_MESSAGE_BYTES:
                too_large = True  # the rest is skipped: read_message keeps what is there as native bytes
                continue
            lines.append(line)
