"""The detail pane: one entry as written, its attachments as thumbnails, its revision history."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.records.contemporaneity import DEFAULT_LATE_DAYS, Lag, entry_lag, revision_lag, vault_late_days
from app.records.display_time import own_time
from app.records.journal import THUMB_KIND
from app.records.models import ENTRY_KINDS, Entry, EntryFields
from app.records.times import offset_minutes
from ui import previews
from ui.icons import icon
from ui.models.detail_models import AttachmentsModel, RevisionsModel
from ui.models.roles import RECORD_ROLE
from ui.workers import Tasks


def fields_html(
    fields: EntryFields,
    entry: Entry,
    *,
    heading_note: str = "",
    lag: Lag | None = None,
    recorded_at: Any = None,
    zone: Any = None,
) -> str:
    """``lag``: how long after the event this was written (``app.records.contemporaneity``);
    ``recorded_at``: when this version was written (default: the entry's first writing);
    ``zone``: the display time zone (None: this computer's), the entry's own time added where
    its offset differs."""
    at = fields.occurred_at
    when = at.astimezone(zone).strftime("%A %d %B %Y, %H:%M")
    own = own_time(at, offset_minutes(at), fields.occurred_tz, zone)
    when = f"{when} ({own})" if own else when
    recorded = (recorded_at or entry.recorded_at).astimezone(zone).strftime("%d %b %Y %H:%M")
    rows = [("When", when), ("Kind", ENTRY_KINDS.get(fields.kind, fields.kind))]
    if fields.participants:
        rows.append(("Who", ", ".join(fields.participants)))
    if fields.duration_min:
        rows.append(("Duration", f"{fields.duration_min} min"))
    if fields.time_spent_min:
        rows.append(("Time spent", f"{fields.time_spent_min} min"))
    if fields.amount_cents is not None:
        rows.append(("Amount", f"{fields.amount_cents / 100:,.2f} {fields.currency or ''}".strip()))
    if fields.tags:
        rows.append(("Tags", ", ".join(fields.tags)))
    if fields.private:
        rows.append(("Private", "yes: left out of dossiers unless private entries are included"))
    rows.append(("Recorded", f"{recorded} (set by the vault, not editable)"))
    table = "".join(
        f"<tr><td style='color:#667085;padding-right:12px'>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows
    )
    if lag is not None:  # contemporaneity, shown, never hidden: amber when entered later
        style = "color:#b7791f;font-weight:bold" if lag.is_late else "color:#667085"
        table += f"<tr><td></td><td style='{style}'>{escape(lag.describe())}</td></tr>"
    title_style = "text-decoration: line-through; color:#8a94a6;" if entry.retraction else ""
    banner = ""
    if entry.retraction is not None:
        retracted_at = entry.retraction.retracted_at.astimezone(zone).strftime("%d %b %Y %H:%M")
        banner = (
            "<p style='background:#fdecea;color:#912018;padding:6px'><b>Retracted</b> "
            f"{escape(retracted_at)}: {escape(entry.retraction.reason)}</p>"
        )
    note = f"<p style='color:#b7791f'>{escape(heading_note)}</p>" if heading_note else ""
    body = escape(fields.body).replace("\n", "<br>")
    return f"<h2 style='{title_style}'>{escape(fields.title)}</h2>{note}{banner}<table>{table}</table><p>{body}</p>"


def mail_proof_html(attachments: list[Any]) -> str:
    """An email's DKIM verdict and where it was collected, one line each (app/mail/provenance.py)."""
    if not attachments or attachments[0].media_type != "message/rfc822":
        return ""
    from app.mail.provenance import mail_proof_lines

    lines = mail_proof_lines(attachments[0].metadata)
    return "".join(f"<p style='color:#475467;margin:2px 0'>{escape(line)}</p>" for line in lines)


def machine_read_html(vault: Any, attachments: list[Any]) -> str:
    """OCR text of the entry's images and scans, under its own label (a derivative, not the record)."""
    from app.ingest.ocr import LABEL, ocr_text

    parts = []
    for attachment in attachments:
        text = ocr_text(vault, attachment.sha256)
        if text:
            body = escape(text).replace("\n", "<br>")
            parts.append(f"<p style='color:#667085'><i>{escape(attachment.name)}</i></p><p>{body}</p>")
    if not parts:
        return ""
    return f"<h3 style='color:#667085'>{escape(LABEL)}</h3>" + "".join(parts)


class DetailPane(QWidget):
    """Signals:
    edit_requested(object): entry id.
    retract_requested(object): entry id.
    preview_requested(object): the Attachment to preview.
    """

    edit_requested = Signal(object)
    retract_requested = Signal(object)
    preview_requested = Signal(object)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._vault: Any = None
        self._late_days = DEFAULT_LATE_DAYS
        self.entry: Entry | None = None
        self.zone: Any = None  # the vault's display time zone (None: this computer's); set by the window
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setOpenExternalLinks(False)
        self.placeholder = QLabel("Select an entry on the timeline to see it here.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")

        self.edit_button = QPushButton(icon("edit"), "Edit…")
        self.edit_button.setToolTip("Edit this entry (F2); the earlier version is kept")
        self.retract_button = QPushButton(icon("retract"), "Retract…")
        self.retract_button.setToolTip("Withdraw this entry with a reason; it stays in the record")
        self.edit_button.clicked.connect(lambda: self.entry and self.edit_requested.emit(self.entry.id))
        self.retract_button.clicked.connect(lambda: self.entry and self.retract_requested.emit(self.entry.id))
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.retract_button)
        buttons.addStretch()

        self.attachments = AttachmentsModel(self)
        self.attachment_view = QListView()
        self.attachment_view.setViewMode(QListView.ViewMode.IconMode)
        self.attachment_view.setIconSize(QSize(previews.THUMB_SIZE, previews.THUMB_SIZE))
        self.attachment_view.setGridSize(QSize(previews.THUMB_SIZE + 40, previews.THUMB_SIZE + 36))
        self.attachment_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.attachment_view.setMovement(QListView.Movement.Static)
        self.attachment_view.setWordWrap(True)
        self.attachment_view.setModel(self.attachments)
        self.attachment_view.activated.connect(self._preview)
        self.attachment_view.setToolTip("Double-click or press Enter to preview")

        self.revisions = RevisionsModel(self)
        self.revision_view = QListView()
        self.revision_view.setModel(self.revisions)
        self.revision_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.revision_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.revision_view.setUniformItemSizes(True)
        self.revision_view.clicked.connect(self._show_revision)
        self.revision_view.activated.connect(self._show_revision)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.attachments_label = QLabel("<b>Attachments</b>")
        lower_layout.addWidget(self.attachments_label)
        lower_layout.addWidget(self.attachment_view, 2)
        lower_layout.addWidget(QLabel("<b>History</b>"))
        lower_layout.addWidget(self.revision_view, 1)

        self.content = QSplitter(Qt.Orientation.Vertical)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.text)
        upper_layout.addLayout(buttons)
        self.content.addWidget(upper)
        self.content.addWidget(lower)
        self.content.setStretchFactor(0, 3)
        self.content.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.content)
        self.clear()

    def set_vault(self, vault: Any) -> None:
        self._vault = vault

    def clear(self) -> None:
        self.entry = None
        self.text.clear()
        self.attachments.set_attachments([])
        self.revisions.set_revisions([])
        self.content.hide()
        self.placeholder.show()

    def show_entry(self, entry_id: int) -> None:
        if self._vault is None:
            return
        self.entry = self._vault.entries.get(entry_id)
        entry = self.entry
        self._late_days = vault_late_days(self._vault)
        attachments = self._vault.attachments.for_entry(entry_id)
        lag_text = entry_lag(entry, late_days=self._late_days)
        self.text.setHtml(
            fields_html(entry.fields, entry, lag=lag_text, zone=self.zone)
            + mail_proof_html(attachments)
            + machine_read_html(self._vault, attachments)
        )
        retracted = entry.retraction is not None
        self.edit_button.setEnabled(not retracted)
        self.retract_button.setEnabled(not retracted)
        self.revisions.set_revisions(self._vault.entries.revisions(entry_id), late_days=self._late_days)
        self.attachments.set_attachments(attachments)
        self.attachments_label.setText(
            f"<b>Attachments</b> ({len(attachments)})"
            if attachments
            else "<b>Attachments</b> — none yet; drop files here"
        )
        self.attachment_view.setMaximumHeight(16_777_215 if attachments else 48)
        self.placeholder.hide()
        self.content.show()
        self._load_thumbnails(attachments)

    def _load_thumbnails(self, attachments: list[Any]) -> None:
        repo = self._vault.attachments
        for attachment in attachments:
            if (
                previews.kind_of(attachment.media_type, attachment.name) not in ("image", "pdf")
                or attachment.size > 64 << 20
            ):
                continue

            def make(a: Any = attachment) -> tuple[int, Any]:
                stored = repo.derivative(a.sha256, THUMB_KIND)  # ingest's upright 256 px copy (HEIC too)
                if stored is not None:
                    return a.id, previews.image_from_bytes(stored, max_side=previews.THUMB_SIZE)
                return a.id, previews.thumbnail(repo.read_bytes(a.sha256), a.media_type, a.name)

            self._tasks.run(make, self._thumbnail_ready, lambda _error: None)

    def _thumbnail_ready(self, result: tuple[int, Any]) -> None:
        attachment_id, image = result
        if image is not None:
            self.attachments.set_thumbnail(attachment_id, image)

    def _preview(self, index: Any) -> None:
        attachment = index.data(RECORD_ROLE)
        if attachment is not None:
            self.preview_requested.emit(attachment)

    def _show_revision(self, index: Any) -> None:
        revision = index.data(RECORD_ROLE)
        if revision is None or self.entry is None:
            return
        note = (
            ""
            if revision.rev == self.entry.rev
            else f"Showing version {revision.rev} of {self.entry.rev} (an earlier version)."
        )
        lag = revision_lag(revision, late_days=self._late_days)
        self.text.setHtml(
            fields_html(
                revision.fields,
                self.entry,
                heading_note=note,
                lag=lag,
                recorded_at=revision.recorded_at,
                zone=self.zone,
            )
        )
