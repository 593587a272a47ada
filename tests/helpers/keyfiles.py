"""Key files as earlier Casefile versions wrote them (for the format-migration tests)."""

from __future__ import annotations

import json
from dataclasses import asdict

from app.vault import keys


def version_1_bytes(key_file: keys.KeyFile) -> bytes:
    """The version 1 layout: format, version, vault id and the slots; no checksums, no MAC."""
    doc = {
        "format": keys.KEY_FILE_FORMAT,
        "version": 1,
        "vault_id": key_file.vault_id,
        "slots": [asdict(s) for s in key_file.slots],
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
