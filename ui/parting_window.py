"""The parting-ways window for one client: pattern, checklist, letter and follow-up call as tabs.

It hosts the self-contained widgets of ``ui/parting`` and tells the main window when
the record changed (a letter recorded, a call logged, a step marked): those go
through ``app.parting`` in their own transactions, which raise no vault event.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.parting.checklist_panel import ChecklistPanel
from ui.parting.followup_card import FollowUpCallCard
from ui.parting.letter_composer import LetterComposer
from ui.parting.pattern_view import PatternView
from ui.window_geometry import fit_window
from ui.workers import Tasks


class PartingWindow(QDialog):
    """Signals:
    record_changed(object): the new entry's id, or None when only a step or a status changed.
    entry_recorded(int): a letter or a call was stored as this entry (after record_changed).
    """

    record_changed = Signal(object)
    entry_recorded = Signal(int)

    def __init__(self, vault: Any, client: Any, parent: QWidget | None = None, *, writes: Tasks | None = None) -> None:
        super().__init__(parent)
        self.client_id = client.id
        self.setWindowTitle(f"Parting ways with {client.name} — Casefile")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_window(self, QSize(900, 760))  # within the screen; see ui/window_geometry.py
        self.pattern = PatternView(vault)
        self.pattern.set_client(client.id)
        self.checklist = ChecklistPanel(vault, writes=writes)  # the main window's writer worker
        self.checklist.set_client(client.id)
        self.letter = LetterComposer(vault, client.id, writes=writes)
        # The composer is a dialog of its own elsewhere (do-not-serve); here it is a tab.
        self.letter.setWindowFlags(Qt.WindowType.Widget)
        self.followup = FollowUpCallCard(vault, writes=writes)
        self.followup.set_client(client.id)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.pattern, "Pattern and cost")
        self.tabs.addTab(self.checklist, "Checklist")
        self.tabs.addTab(self.letter, "Letter")
        self.tabs.addTab(self.followup, "Follow-up call")
        heading = QLabel(
            "Work through the steps at your pace; each one is dated and kept in the record. "
            "The verdict is computed from what you logged, not a judgement on the person."
        )
        heading.setWordWrap(True)
        heading.setStyleSheet("color: #667085;")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)

        self.letter.letter_recorded.connect(self._entry_added)
        self.followup.call_logged.connect(self._entry_added)
        self.letter.draft_saved.connect(lambda _id: self.checklist.refresh())
        self.checklist.step_marked.connect(self._step_marked)

    def _entry_added(self, entry_id: Any) -> None:
        # A letter marks 'sent' and schedules the call; a call completes it: every tab may change.
        self.checklist.refresh()
        self.followup.set_client(self.client_id)
        self.pattern.set_client(self.client_id)
        self.record_changed.emit(entry_id)
        self.entry_recorded.emit(int(entry_id))

    def reject(self) -> None:
        if self.letter.recording.saving or self.followup.logging.saving:
            return  # a letter or a call is being written: closing now would hide its outcome
        super().reject()

    def done(self, code: int) -> None:
        self.letter.flush()  # a half-written letter stays in the vault as a draft
        super().done(code)

    def _step_marked(self, _step: str) -> None:
        self.followup.set_client(self.client_id)
        self.record_changed.emit(None)
