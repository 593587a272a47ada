"""Edit → Undo for the session's last action, the honest way: nothing is deleted.

Undoing a logged entry or an import retracts the entries it made, with the reason "undone by
the owner" — the record keeps both the entries and their retraction, and the ledger both
events. Undoing a reminder (added, snoozed, done) or a checklist step reverses it by a new
change carrying the same reason (``app.records.reminders``, ``app.parting.checklist.undo_step``).
Only actions of this session (since the unlock) can be undone, and only the last one.
The reversal is written on a worker, like the action it undoes (issue 17).
In a text field Ctrl+Z stays the field's own undo (QLineEdit/QTextEdit claim it first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from ui.words import plural
from ui.workers import Tasks, serial_tasks, user_message, while_alive

UNDO_REASON = "undone by the owner"


class SessionUndo(QObject):
    """The session's last action and how to reverse it.

    The reversal is a write: it runs on ``writes`` (a one-thread worker, ``serial_tasks``),
    so a writer held elsewhere (an import) never freezes the window; ``after`` then
    updates the views on the GUI thread, and ``undone`` says what happened.

    Signals:
    undone(str): what was undone (or why it could not be), as a sentence for the status bar.
    """

    undone = Signal(str)

    def __init__(
        self, entries_repo: Any, action: QAction, parent: QObject | None = None, *, writes: Tasks | None = None
    ) -> None:
        super().__init__(parent)
        self._entries = entries_repo
        self._action = action
        self.writes = writes or serial_tasks(self)
        self._reverse: Callable[[], str] | None = None
        self._after: Callable[[], None] | None = None
        self._what = ""
        self.undoing = False  # a reversal is on its way to the vault
        self._update()

    def _update(self) -> None:
        self._action.setEnabled(self._reverse is not None and not self.undoing)
        self._action.setText(f"Undo {self._what}" if self._reverse is not None else "Undo")

    @property
    def what(self) -> str:
        return self._what if self._reverse is not None else ""

    def did(self, what: str, reverse: Callable[[], str], after: Callable[[], None] | None = None) -> None:
        """The last action was ``what``; ``reverse()`` (on the worker: no widgets) undoes it and
        returns the status line, ``after()`` (on the GUI thread) shows the result."""
        self._reverse, self._after, self._what = reverse, after, what
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
        self._reverse, self._after, self._what = None, None, ""
        self._update()

    def undo(self) -> bool:
        """Start reversing the last action on the worker; False when there was nothing to undo.
        ``undone`` carries the status line once the reversal is in (or has failed)."""
        reverse, after = self._reverse, self._after
        if reverse is None or self.undoing:
            return False
        self.forget()
        self.undoing = True
        self._update()

        def landed(line: str) -> None:
            self.undoing = False
            self._update()
            if after is not None:
                after()
            self.undone.emit(line)

        def failed(error: BaseException) -> None:
            self.undoing = False
            self._update()
            # e.g. the reminder was done meanwhile in another window: one line, nothing changed
            self.undone.emit(f"Could not undo: {user_message(error)}")

        self.writes.run(reverse, while_alive(self, landed), while_alive(self, failed))
        return True


def checklist_step_reversal(vault: Any, state: Any) -> Callable[[], str]:
    """Edit → Undo of a marked checklist step: ``app.parting.checklist.undo_step`` (a write, for the worker)."""
    from app.parting.checklist import undo_step

    def reverse() -> str:
        undo_step(vault, state.row_id, UNDO_REASON)
        return f"Undone: the checklist step “{state.step.label}” (kept in the record, with the undo)."

    return reverse
