"""The letter composer: pick a template, edit, see the gentle checks live, export, record as sent.

Findings are underlined in the editor (wavy line) and listed below it; clicking a
finding selects its words. Checks run 250 ms after the last keystroke. Every write — the
autosaved draft, "Save draft", "Export…" (the file and its ledger event) and "Record as sent" —
is checked on the GUI thread and runs on the window's writer worker (``writes``), in the order
asked for: while another thread or process holds the writer the composer stays usable.

Signals:
    letter_recorded(object): the letter was stored as a 'letter sent' entry (its id).
    draft_saved(object): the unsent letter was saved as a draft in the vault (draft id).
    letter_exported(object): the letter was written to a file (its Path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import CasefileError
from app.parting.checklist import checklist, mark_done
from app.parting.export import check_export_path, export_letter
from app.parting.letter_checks import Finding
from app.parting.letters import (
    LETTER_TEMPLATES,
    Letter,
    check_record_sent,
    find_letter_draft,
    record_sent,
    render,
    save_letter_draft,
)
from app.records.times import now_utc
from ui.file_dialogs import suggested_path
from ui.window_geometry import fit_window
from ui.words import plural, without_cli_syntax
from ui.workers import ButtonWrite, Tasks, user_message, while_alive

UNDERLINE = {
    "blame": QColor(200, 40, 40),
    "emotion": QColor(210, 110, 20),
    "ambiguous": QColor(40, 90, 200),
    "unfilled": QColor(130, 60, 170),
}
CHECK_DELAY_MS = 250
DRAFT_SAVED = "Draft saved in the vault; the checklist shows the letter as drafted."
AUTOSAVE_DELAY_MS = 1500


class LetterComposer(QDialog):
    letter_recorded = Signal(object)
    letter_exported = Signal(object)
    draft_saved = Signal(object)

    def __init__(
        self,
        vault: Any,
        client_id: int,
        template: str = "not-right-fit",
        parent: QWidget | None = None,
        *,
        writes: Tasks | None = None,
    ):
        super().__init__(parent)
        self._vault = vault
        self.client_id = client_id
        self.findings: list[Finding] = []
        self.draft_id: int | None = None
        self._template = template
        client = vault.clients.get(client_id)
        self.setWindowTitle(f"Letter to {client.name}")
        fit_window(self, QSize(760, 720))  # within the screen; see ui/window_geometry.py

        self.template_box = QComboBox()
        self.template_box.setAccessibleName("Letter template")
        for key, (label, _file, _invoice) in LETTER_TEMPLATES.items():
            self.template_box.addItem(label, key)
        self.effective = QLineEdit()
        self.effective.setAccessibleName("Effective date")
        self.effective.setPlaceholderText("e.g. October 6, 2026 (default: the notice end from the checklist)")
        self.fill_button = QPushButton("Start from this template")
        self.fill_button.clicked.connect(self.fill_from_template)
        self.subject = QLineEdit()
        self.subject.setAccessibleName("Subject")
        self.editor = QPlainTextEdit()
        self.editor.setTabChangesFocus(True)
        self.editor.setAccessibleName("Letter text")
        self.findings_list = QListWidget()
        self.findings_list.setAccessibleName("Things to look at")
        self.findings_list.itemActivated.connect(self._select_finding)
        self.findings_list.itemClicked.connect(self._select_finding)
        self.summary = QLabel()

        self.how = QComboBox()
        self.how.setAccessibleName("Sent by")
        self.how.setEditable(True)
        self.how.addItems(["email", "post", "registered post", "hand delivery"])
        self.proofread_by = QLineEdit()
        self.proofread_by.setAccessibleName("Proofread by")
        self.proofread_by.setPlaceholderText("who proofread it (optional here)")
        self.draft_button = QPushButton("Save draft")
        self.draft_button.setToolTip("Keep it in the vault and mark the checklist's 'letter drafted' step")
        self.draft_button.clicked.connect(self.save_draft)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self._ask_export)
        self.record_button = QPushButton("Record as sent")
        self.record_button.clicked.connect(self.record_as_sent)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.recording = ButtonWrite(self, self.record_button, self.status, writes, prefix="Not recorded: ")

        top = QFormLayout()
        pick = QHBoxLayout()
        pick.addWidget(self.template_box, 1)
        pick.addWidget(self.fill_button)
        top.addRow("Template", pick)
        top.addRow("Ends on", self.effective)
        top.addRow("Subject", self.subject)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.summary)
        lower_layout.addWidget(self.findings_list)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.editor)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        send = QHBoxLayout()
        send.addWidget(QLabel("Sent by"))
        send.addWidget(self.how)
        send.addWidget(self.proofread_by, 1)
        send.addWidget(self.draft_button)
        send.addWidget(self.export_button)
        send.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(send)
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.run_checks)
        self.editor.textChanged.connect(self._timer.start)
        # Autosave: a crash or an auto-lock must not lose a half-written letter.
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.autosave)
        self.editor.textChanged.connect(self._autosave.start)
        self.subject.textEdited.connect(self._autosave.start)

        index = self.template_box.findData(template)
        self.template_box.setCurrentIndex(max(0, index))
        restored = find_letter_draft(vault, client_id)
        if restored is None:
            self.fill_from_template()
        else:
            self.draft_id, letter, saved_at = restored
            self._template = letter.template
            self.template_box.setCurrentIndex(max(0, self.template_box.findData(letter.template)))
            self.subject.setText(letter.subject)
            self.editor.setPlainText(letter.body)
            self._autosave.stop()
            self.run_checks()
            self.status.setText(f"Your unsent draft from {saved_at.astimezone():%d %b %H:%M} was restored.")

    # -- content -------------------------------------------------------------

    def fill_from_template(self) -> None:
        letter = render(
            self._vault, self.client_id, self.template_box.currentData(), effective_date=self.effective.text()
        )
        self._template = letter.template
        self.subject.setText(letter.subject)
        self.editor.setPlainText(letter.body)
        self._autosave.stop()  # an untouched template is not worth a draft
        self.run_checks()

    def letter(self) -> Letter:
        return Letter(self._template, self.subject.text().strip(), self.editor.toPlainText())

    # -- checks --------------------------------------------------------------

    def run_checks(self) -> None:
        self._timer.stop()
        self.findings = self.letter().check()
        selections = []
        for f in self.findings:
            if f.end <= f.start:
                continue
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(UNDERLINE.get(f.code, QColor(200, 40, 40)))
            fmt.setToolTip(f.message)
            selection.format = fmt  # type: ignore[attr-defined]
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(f.start)
            cursor.setPosition(f.end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor  # type: ignore[attr-defined]
            selections.append(selection)
        self.editor.setExtraSelections(selections)
        self.findings_list.clear()
        for f in self.findings:
            item = QListWidgetItem(f.message)
            item.setData(Qt.ItemDataRole.UserRole, (f.start, f.end))
            self.findings_list.addItem(item)
        n = len(self.findings)
        self.summary.setText("The gentle checks found nothing." if n == 0 else f"{plural(n, 'thing')} to look at:")

    def _select_finding(self, item: QListWidgetItem) -> None:
        start, end = item.data(Qt.ItemDataRole.UserRole)
        cursor = self.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    # -- drafts ----------------------------------------------------------------

    def autosave(self) -> None:
        """Write the draft on the worker (``draft_saved`` follows once it is in)."""
        self._autosave.stop()
        vault, client_id, letter = self._vault, self.client_id, self.letter()

        def write() -> int:
            # draft_id is read and set on the writer's one thread, so a "Record as sent" queued
            # after this draft discards the right one
            self.draft_id = save_letter_draft(vault, client_id, letter, self.draft_id)
            return self.draft_id

        self.recording.writes.run(write, while_alive(self, self.draft_saved.emit), while_alive(self, self._draft_failed))

    def _draft_failed(self, error: BaseException) -> None:
        self.status.setText(f"Draft not saved: {user_message(error)}")

    def flush(self) -> None:
        """Save edits still waiting for the autosave timer (before the window closes or the vault locks)."""
        if self._autosave.isActive():
            self.autosave()

    def save_draft(self) -> None:
        """Save now and mark the 'letter drafted' step (once), on the worker after the draft."""
        self.autosave()
        vault, client_id = self._vault, self.client_id

        def mark() -> None:
            drafted = next(s for s in checklist(vault, client_id) if s.step.key == "drafted")
            if not drafted.done:
                mark_done(vault, client_id, "drafted", note="Drafted in the letter composer.")

        self.status.setText("Saving the draft…")
        self.recording.writes.run(
            mark,
            while_alive(self, lambda _none: self.status.setText(DRAFT_SAVED)),
            while_alive(self, self._draft_failed),
        )

    # -- leaving the composer --------------------------------------------------

    def _ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the letter", suggested_path("letter.eml"), "Email draft (*.eml);;Text (*.txt);;PDF (*.pdf)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Check the file name here (one line, at once), then write the file and its ledger event
        on the worker; ``letter_exported`` follows once it is written. False: refused."""
        try:
            check_export_path(path)
        except CasefileError as error:
            self.status.setText(f"Not exported: {error}")
            return False
        vault, client_id, letter = self._vault, self.client_id, self.letter()
        self.status.setText("Exporting…")
        self.recording.writes.run(
            lambda: export_letter(vault, client_id, letter, path),
            while_alive(self, self._exported),
            while_alive(self, lambda error: self.status.setText(f"Not exported: {user_message(error)}")),
        )
        return True

    def _exported(self, written: Path) -> None:
        self.status.setText(f"Exported to {written} (readable outside the vault).")
        self.letter_exported.emit(written)

    def record_as_sent(self) -> bool:
        """Check the letter here (bad input: one line, at once), then record it on the worker;
        ``letter_recorded`` follows once it is in. False: refused, or one already on its way."""
        if self.recording.saving:
            return False
        vault, client_id, letter = self._vault, self.client_id, self.letter()
        how, proofread_by, sent_at = self.how.currentText(), self.proofread_by.text(), now_utc()
        try:
            check_record_sent(vault, client_id, letter, how=how, sent_at=sent_at, proofread_by=proofread_by)
        except CasefileError as error:
            self.status.setText(f"Not recorded: {without_cli_syntax(str(error))}")
            return False
        self._autosave.stop()
        self.status.setText("Recording the letter…")
        return self.recording.run(
            lambda: record_sent(  # draft_id read on the writer's thread: after any draft queued before
                vault, client_id, letter, how=how, sent_at=sent_at, proofread_by=proofread_by, draft_id=self.draft_id
            ),
            self._recorded,
        )

    def _recorded(self, entry_id: int) -> None:
        self._autosave.stop()
        self.draft_id = None
        self.status.setText(f"Recorded as entry #{entry_id}; the follow-up call is due in 24 hours.")
        self.letter_recorded.emit(int(entry_id))
