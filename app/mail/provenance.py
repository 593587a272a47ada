"""Sentences about where an email came from, for the dossier, the detail pane and `show`."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def collected_sentence(metadata: dict[str, Any]) -> str | None:
    """'collected from IMAP imap.gmail.com, folder [Gmail]/Sent Mail, UID 48213, on 2026-12-01 09:14 UTC'."""
    collected = metadata.get("collected")
    if not isinstance(collected, dict):
        return None
    when = _utc_minutes(str(collected.get("fetched_at") or ""))
    if collected.get("via") == "imap":
        text = (
            f"collected from IMAP {collected.get('server')}, folder {collected.get('folder')}, "
            f"UID {collected.get('uid')} (UIDVALIDITY {collected.get('uidvalidity')}), on {when}"
        )
        if collected.get("internaldate"):
            text += f"; the server received it {collected['internaldate']}"
        return text
    if collected.get("via") == "pst":
        return (
            f"extracted from the Outlook archive {collected.get('archive')}, folder {collected.get('folder')}, "
            f"and re-assembled as an .eml (headers: {collected.get('headers')}; bodies and attachments from the "
            "archive's MAPI properties)"
        )
    if collected.get("via") == "mbox":
        return f"read from the mailbox file {collected.get('archive')}, message {collected.get('index')}, byte for byte"
    return None


def _utc_minutes(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def mail_proof_lines(metadata: dict[str, Any]) -> list[str]:
    """Where the message was collected and its DKIM verdict, for an email exhibit."""
    from app.mail.dkim import sentence

    lines = []
    collected = collected_sentence(metadata)
    if collected:
        lines.append(collected[0].upper() + collected[1:] + ".")
    dkim = sentence(metadata)
    if dkim:
        lines.append(dkim)
    if metadata.get("unreadable"):
        lines.append(f"This message could not be read at import: {metadata['unreadable']}")
    return lines
