"""Whether a dropped file is a phone-message export (so the import asks its options first)."""

from __future__ import annotations

from pathlib import Path


def is_chat_export(path: Path) -> bool:
    from app.ingest.chats import chat_reader_for
    from app.ingest.parsed import Source

    try:
        return path.is_file() and chat_reader_for(Source.from_path(path)) is not None
    except Exception:  # unreadable: the import says why
        return False
