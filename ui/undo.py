"""Edit → Undo for the session's last action, the honest way: nothing is deleted.

Undoing a logged entry or an import retracts the entries it made, with the reason "undone by
the owner" — the record keeps both the entries and their retraction, and the ledger both
events. Undoing a reminder (added, snoozed, done) or a checklist step reverses it by a new
change carrying the same reason (``app.records.reminders``, ``app.parting.checklist.undo_step``).
Only actions of this session (since the unlock) can be undone, and only the last one.
In a text field Ctrl+Z stays the field's own undo (QLineEdit/QTextEdit claim it first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from app.errors import CasefileError
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
        self._reverse: Callable[[], str] | None = None
        self._what = ""
        self._update()

    def _update(self) -> None:
        self._action.setEnabled(self._reverse is not None)
        self._action.setText(f"Undo {self._what}" if self._reverse is not None else "Undo")

    @property
    def what(self) -> str:
        return self._what if self._reverse is not None else ""

    def did(self, what: str, reverse: Callable[[], str]) -> None:
        """The last action was ``what``; ``reverse()`` undoes it and returns the status line."""
        self._reverse, self._what = reverse, what
        self._update()

    def entries_made(self, what: str, entry_ids: Sequence[int]) -> None:
        """The last action made these entries (a logged call, an import): Undo retracts them."""
        if entry_ids:
            ids = tuple(entry_ids)
            self.did(what, lambda: self._retract(what, ids))

    def _retract(self, what: str, ids: tuple[int, ...]) -> str:
        retracted = 0
        for entry_id in ids:
            if self._entries.get(entry_id).retraction is None:
                self._entries.retract(entry_id, UNDO_REASON)
                retracted += 1
        return f"Undone: {what} — {plural(retracted, 'entry')} retracted (kept in the record, struck through)."

    def forget(self) -> None:
        self._reverse, self._what = None, ""
        self._update()

    def undo(self) -> str:
        """Reverse the last action; returns the status line ('' when there was nothing)."""
        reverse = self._reverse
        if reverse is None:
            return ""
        self.forget()
        try:
            line = reverse()
        except CasefileError as error:  # e.g. the reminder was done meanwhile in another window
            line = f"Could not undo: {error}"
        self.undone.emit(line)
        return line


def checklist_step_reversal(vault: Any, state: Any, after: Callable[[], None]) -> Callable[[], str]:
    """Edit → Undo of a marked checklist step: ``app.parting.checklist.undo_step``, then ``after()``."""
    from app.parting.checklist import undo_step

    def reverse() -> str:
        undo_step(vault, state.row_id, UNDO_REASON)
        after()
        return f"Undone: the checklist step “{state.step.label}” (kept in the record, with the undo)."

    return reverse
