"""Quick capture: "Log a call / note" in under 30 seconds, or edit an entry (a new revision).

The draft autosaves into the vault every few seconds, so a crash, a lock or Esc
loses nothing; Ctrl+Enter saves the entry and discards the draft. Every write runs on
the dialog's own one-thread pool (in order: a draft save queued before the entry is
written first), so the dialog keeps painting while another window or command holds
the writer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QThreadPool, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.records.display_time import own_time, zone_label
from app.records.models import ENTRY_KINDS, Entry, EntryFields
from app.records.times import local_zone, offset_minutes
from ui.dialogs.primary import make_primary
from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import Tasks, user_message

AUTOSAVE_MS = 3000
TITLE_FROM_BODY_CHARS = 80


def to_qdatetime(moment: datetime, zone: tzinfo | None = None) -> QDateTime:
    """The wall-clock time of ``moment`` in the display zone (None: the machine's), for the editor."""
    if zone is None:
        return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    local = moment.astimezone(zone)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second))


def from_qdatetime(value: QDateTime, zone: tzinfo | None = None) -> datetime:
    """The picked time as an aware datetime in the display zone (None: the machine's own offset)."""
    if zone is None:
        return datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second(), tzinfo=zone)


def title_from_body(body: str) -> str:
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_FROM_BODY_CHARS else first[: TITLE_FROM_BODY_CHARS - 1].rstrip() + "…"


class QuickCaptureDialog(QDialog):
    """Log a new entry for ``client`` or, with ``entry``, edit it.

    Signals:
        saved(object): the Entry written.
        files_to_attach(object, object): the Entry and the Paths dropped on the dialog, to store next.
    """

    saved = Signal(object)
    files_to_attach = Signal(object, object)

    def __init__(self, vault: Any, client: Any, *, entry: Entry | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self.client = client
        self.entry = entry
        self.draft_id: int | None = None
        self._saved_content: dict[str, Any] | None = None
        self._original_when: datetime | None = entry.occurred_at if entry else None
        # One thread: the dialog's writes happen in the order they were asked for.
        pool = QThreadPool(self)
        pool.setMaxThreadCount(1)
        self.tasks = Tasks(pool, self)
        self.saving = False  # the entry is being written (the Save button is off meanwhile)
        self._draft_pending = False
        self.setWindowTitle(f"{'Edit entry' if entry else 'Log a call / note'} — {client.name}")
        self.setMinimumWidth(560)

        self.zone = vault.settings.display_zone()  # the one display zone (None: this computer's)
        self.when = QDateTimeEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.when.setAccessibleName("When it happened")
        quick = QHBoxLayout()
        quick.addWidget(self.when, 1)
        for label, minutes in (("Now", 0), ("15 min ago", 15), ("1 h ago", 60)):
            button = QPushButton(label)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, m=minutes: self.set_minutes_ago(m))
            quick.addWidget(button)
        self.kind = QComboBox()
        for key, label in ENTRY_KINDS.items():
            self.kind.addItem(label, key)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Optional: the first line of the note is used")
        self.participants = QLineEdit()
        self.participants.setPlaceholderText("Names, separated by commas")
        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)
        self.duration.setSuffix(" min")
        self.duration.setSpecialValueText("—")
        self.private = QCheckBox("Private: leave out of dossiers")
        self.private.setToolTip(
            "For notes about strategy with your lawyer. A private entry stays in the record and its ledger, "
            "but a dossier leaves it out (listed in its privilege log) unless you choose to include private entries."
        )
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText("What was said, what was agreed, how it felt…")
        self.body.setTabChangesFocus(True)
        self.body.setAccessibleName("Note")
        self.error = error_label()
        self.draft_note = QLabel()
        self.draft_note.setStyleSheet("color: palette(placeholder-text);")
        self.dropped: list[Path] = []
        self.dropped_label = QLabel()
        self.dropped_label.hide()
        self.setAcceptDrops(True)

        form = QFormLayout()
        form.addRow("When", quick)
        self.zone_note = QLabel(self._zone_note())
        self.zone_note.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", self.zone_note)
        form.addRow("Kind", self.kind)
        form.addRow("Title", self.title)
        form.addRow("Who", self.participants)
        form.addRow("Duration", self.duration)
        self.revision_note = QLineEdit()
        self.revision_note.setPlaceholderText("Optional: why it changed (kept with the new version)")
        if entry is not None:
            form.addRow("Why the edit", self.revision_note)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Save  (Ctrl+Enter)", QDialogButtonBox.ButtonRole.AcceptRole)
        keep = buttons.addButton("Keep as draft  (Esc)", QDialogButtonBox.ButtonRole.RejectRole)
        keep.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.private)  # after the note, in reading and in Tab order
        layout.addWidget(self.dropped_label)
        layout.addWidget(self.error)
        bottom = QHBoxLayout()
        bottom.addWidget(self.draft_note, 1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        make_primary(self.save_button)  # Enter in a one-line field saves; the note itself takes Enter as a new line
        keep_on_screen(self)
        self.setTabOrder(self.when, self.kind)
        self.setTabOrder(self.kind, self.title)
        self.setTabOrder(self.title, self.participants)
        self.setTabOrder(self.participants, self.duration)
        self.setTabOrder(self.duration, self.body)
        self.setTabOrder(self.body, self.private)

        self._prefill()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.save_draft)
        self.autosave_timer.start()
        self.body.setFocus()

    # -- filling in ----------------------------------------------------------

    def _prefill(self) -> None:
        draft = self._existing_draft()
        if draft is not None:
            self.draft_id = draft.id
            self._load_content(draft.content)
            self._saved_content = self.content()
            self.draft_note.setText(f"Draft restored from {draft.updated_at.astimezone():%d %b %H:%M}")
        elif self.entry is not None:
            f = self.entry.fields
            self.when.setDateTime(to_qdatetime(f.occurred_at, self.zone))
            self.kind.setCurrentIndex(max(self.kind.findData(f.kind), 0))
            self.title.setText(f.title)
            self.participants.setText(", ".join(f.participants))
            self.duration.setValue(f.duration_min or 0)
            self.private.setChecked(f.private)
            self.body.setPlainText(f.body)
        else:
            self.set_minutes_ago(0)
        self.body.moveCursor(self.body.textCursor().MoveOperation.End)

    def _existing_draft(self) -> Any:
        # A dialog closed a moment ago may still be writing its draft on its worker: let it
        # finish, or this one would open empty and save a second draft (rare, and short).
        parent = self.parent()
        if parent is not None:
            for other in parent.findChildren(QuickCaptureDialog):
                if other is not self and other.tasks.busy:
                    other.tasks.wait()
        entry_id = self.entry.id if self.entry else None
        for draft in self._vault.drafts.list(self.client.id):
            if draft.entry_id == entry_id:
                return draft
        return None

    def set_minutes_ago(self, minutes: int) -> None:
        self.when.setDateTime(to_qdatetime(datetime.now().astimezone() - timedelta(minutes=minutes), self.zone))

    def content(self) -> dict[str, Any]:
        return {
            "occurred": from_qdatetime(self.when.dateTime(), self.zone).isoformat(),
            "kind": self.kind.currentData(),
            "title": self.title.text(),
            "participants": self.participants.text(),
            "duration_min": self.duration.value(),
            "private": self.private.isChecked(),
            "body": self.body.toPlainText(),
        }

    def _load_content(self, content: dict[str, Any]) -> None:
        try:
            self.when.setDateTime(to_qdatetime(datetime.fromisoformat(str(content.get("occurred"))), self.zone))
        except ValueError:
            self.set_minutes_ago(0)
        self.kind.setCurrentIndex(max(self.kind.findData(content.get("kind", "call")), 0))
        self.title.setText(str(content.get("title", "")))
        self.participants.setText(str(content.get("participants", "")))
        self.duration.setValue(int(content.get("duration_min") or 0))  # type: ignore[call-overload]
        self.private.setChecked(content.get("private") is True)
        self.body.setPlainText(str(content.get("body", "")))

    def _zone_note(self) -> str:
        """Which zone the time is in, and the entry's own time where it was written elsewhere."""
        note = f"Time in {zone_label(self.zone)}"
        if self.entry is not None:
            f = self.entry.fields
            own = own_time(f.occurred_at, offset_minutes(f.occurred_at), f.occurred_tz, self.zone)
            if own:
                note += f"; written as {own}"
        return note

    def fields(self) -> EntryFields:
        when = from_qdatetime(self.when.dateTime(), self.zone)
        zone_name: str | None = zone_label(self.zone) if self.zone is not None else local_zone()[1]
        if self._original_when is not None and int(self._original_when.timestamp()) == int(when.timestamp()):
            when = self._original_when  # unchanged: keep the offset it was written with
            zone_name = self.entry.fields.occurred_tz if self.entry else zone_name
        body = self.body.toPlainText()
        participants = tuple(p.strip() for p in self.participants.text().split(",") if p.strip())
        return EntryFields(
            kind=self.kind.currentData(),
            occurred_at=when,
            occurred_tz=zone_name,
            title=self.title.text().strip() or title_from_body(body),
            body=body,
            participants=participants,
            duration_min=self.duration.value() or None,
            time_spent_min=self.entry.fields.time_spent_min if self.entry else None,
            amount_cents=self.entry.fields.amount_cents if self.entry else None,
            currency=self.entry.fields.currency if self.entry else None,
            tags=self.entry.fields.tags if self.entry else (),
            private=self.private.isChecked(),
        )

    # -- drafts and saving -----------------------------------------------------

    def _has_text(self, content: dict[str, Any]) -> bool:
        return bool(str(content["body"]).strip() or str(content["title"]).strip() or content["participants"])

    def save_draft(self) -> None:
        """Autosave: write the draft into the vault (on the dialog's worker) when it changed."""
        if not self._vault.is_open or self.saving or self._draft_pending:
            return
        content = self.content()
        if content == self._saved_content or (self.draft_id is None and not self._has_text(content)):
            return
        vault, client_id, entry_id = self._vault, self.client.id, self.entry.id if self.entry else None

        def write() -> dict[str, Any]:
            # draft_id is read and set here, on the dialog's only worker thread, so the
            # entry's save queued after this one discards the right draft.
            self.draft_id = vault.drafts.save(content, draft_id=self.draft_id, client_id=client_id, entry_id=entry_id)
            return content

        self._draft_pending = True
        self.tasks.run(write, self._draft_saved, self._draft_failed)

    def _draft_saved(self, content: dict[str, Any]) -> None:
        self._draft_pending = False
        self._saved_content = content
        self.draft_note.setText(f"Draft saved {datetime.now():%H:%M:%S}")

    def _draft_failed(self, error: BaseException) -> None:
        self._draft_pending = False
        self.draft_note.setText(f"Draft not saved: {user_message(error)}")

    def save(self) -> None:
        """Write the entry on the worker; the dialog stays up (and responsive) until it is in."""
        if self.saving:
            return
        try:
            fields = self.fields()
        except Exception as error:
            self._save_failed(error)
            return
        vault, entry, note = self._vault, self.entry, self.revision_note.text()
        client_id = self.client.id

        def write() -> Any:
            if entry is None:
                written = vault.entries.log(client_id, fields)
            else:
                written = vault.entries.revise(entry.id, fields, note)
            if self.draft_id is not None:
                vault.drafts.discard(self.draft_id)
                self.draft_id = None
            return written

        self.saving = True
        self.save_button.setEnabled(False)
        self.error.hide()
        self.draft_note.setText("Saving…")
        self.tasks.run(write, self._saved, self._save_failed)

    def _saved(self, written: Any) -> None:
        self.saving = False
        self.autosave_timer.stop()
        self._saved_content = self.content()
        self.accept()  # closed first: the window's answers to saved (select, undo) find it gone
        self.saved.emit(written)
        if self.dropped:
            self.files_to_attach.emit(written, list(self.dropped))

    def _save_failed(self, error: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        self.draft_note.setText("")
        self.error.setText(user_message(error))
        self.error.show()

    def reject(self) -> None:
        """Esc: keep the draft (saved now, on the worker) and close."""
        if self.saving:
            return  # the entry is being written: closing now would hide its outcome
        self.autosave_timer.stop()
        self.save_draft()
        super().reject()

    # -- files dropped on the dialog: stored with the entry when it is saved --

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        self.add_dropped(paths)
        event.acceptProposedAction()

    def add_dropped(self, paths: list[Path]) -> None:
        self.dropped += [p for p in paths if p not in self.dropped]
        names = ", ".join(p.name for p in self.dropped)
        self.dropped_label.setText(f"To attach when saved: {names}")
        self.dropped_label.setVisible(bool(self.dropped))

    def keyPressEvent(self, event: Any) -> None:
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.save()
            return
        super().keyPressEvent(event)
