"""Edit → Undo for the session's last action, the honest way: nothing is deleted.

Undoing a logged entry or an import retracts the entries it made, with the reason "undone by
the owner" — the record keeps both the entries and their retraction, and the ledger both
events. Only actions of this session (since the unlock) can be undone, and only the last one.
In a text field Ctrl+Z stays the field's own undo (QLineEdit/QTextEdit claim it first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from ui.words import plural

UNDO_REASON = "undone by the owner"


class SessionUndo(QObject):
    """Signals:
    undone(str): what was undone, as a sentence for the status bar.
    """

    undone = Signal(str)

    def __init__(self, entries_repo: Any, action: QAction, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries = entries_repo
        self._action = action
        self._entry_ids: tuple[int, ...] = ()
        self._what = ""
        self._update()

    def _update(self) -> None:
        self._action.setEnabled(bool(self._entry_ids))
        self._action.setText(f"Undo {self._what}" if self._entry_ids else "Undo")

    def entries_made(self, what: str, entry_ids: Sequence[int]) -> None:
        """The last action made these entries (a logged call, an import): Undo retracts them."""
        if entry_ids:
            self._entry_ids, self._what = tuple(entry_ids), what
            self._update()

    def forget(self) -> None:
        self._entry_ids, self._what = (), ""
        self._update()

    def undo(self) -> str:
        """Retract what the last action made; returns the status line ('' when there was nothing)."""
        ids, what = self._entry_ids, self._what
        if not ids:
            return ""
        self.forget()
        retracted = 0
        for entry_id in ids:
            if self._entries.get(entry_id).retraction is None:
                self._entries.retract(entry_id, UNDO_REASON)
                retracted += 1
        line = f"Undone: {what} — {plural(retracted, 'entry')} retracted (kept in the record, struck through)."
        self.undone.emit(line)
        return line
