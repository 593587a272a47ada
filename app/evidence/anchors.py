"""Timestamp anchors: RFC 3161 tokens for seals and exports (filled in below)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.vault.store import Connection

if TYPE_CHECKING:
    from app.vault.vault import Vault


class Anchors:
    def __init__(self, vault: Vault) -> None:
        self._vault = vault


def check_evidence(conn: Connection, report: Any, problem: Callable[[str], bool]) -> bool:
    from app.evidence.signing import check_keys

    return any(problem(text) for text in check_keys(conn))


def appendix_rows(vault: Vault) -> list[tuple[str, str]]:
    return []
