"""Small models of the detail pane: an entry's revisions and its attachments."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap

from app.records.contemporaneity import DEFAULT_LATE_DAYS, revision_lag
from app.records.models import Attachment, Revision
from ui.icons import icon
from ui.models.roles import ID_ROLE, RECORD_ROLE

Index = QModelIndex | QPersistentModelIndex


class RevisionsModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._revisions: list[Revision] = []
        self._late_days = DEFAULT_LATE_DAYS

    def set_revisions(self, revisions: list[Revision], *, late_days: int = DEFAULT_LATE_DAYS) -> None:
        self.beginResetModel()
        self._revisions = list(reversed(revisions))  # newest first, like the timeline
        self._late_days = late_days
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._revisions)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._revisions):
            return None
        revision = self._revisions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = revision.recorded_at.astimezone().strftime("%d %b %Y %H:%M")
            label = "written" if revision.rev == 1 else "edited"
            note = f" — “{revision.note}”" if revision.note else ""
            lag = revision_lag(revision, late_days=self._late_days).describe()  # each version's own lag
            return f"Version {revision.rev} · {label} {when} ({lag}) · {revision.fields.title}{note}"
        if role == ID_ROLE:
            return revision.rev
        if role == RECORD_ROLE:
            return revision
        return None


def media_icon(media_type: str) -> QIcon:
    if media_type.startswith("image/"):
        return icon("photo")
    if media_type in ("message/rfc822", "application/vnd.ms-outlook"):
        return icon("email")
    return icon("document")


class AttachmentsModel(QAbstractListModel):
    """Attachments with thumbnails; thumbnails arrive later from a worker (``set_thumbnail``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._attachments: list[Attachment] = []
        self._thumbs: dict[int, QPixmap] = {}

    def set_attachments(self, attachments: list[Attachment]) -> None:
        self.beginResetModel()
        self._attachments = list(attachments)
        self._thumbs = {}
        self.endResetModel()

    def attachments(self) -> list[Attachment]:
        return list(self._attachments)

    def set_thumbnail(self, attachment_id: int, image: QImage) -> None:
        for row, attachment in enumerate(self._attachments):
            if attachment.id == attachment_id:
                self._thumbs[attachment_id] = QPixmap.fromImage(image)
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
                return

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._attachments)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._attachments):
            return None
        attachment = self._attachments[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return attachment.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.get(attachment.id) or media_icon(attachment.media_type)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{attachment.name}\n{attachment.media_type}, {attachment.size:,} bytes\nSHA-256 {attachment.sha256}"
        if role == ID_ROLE:
            return attachment.id
        if role == RECORD_ROLE:
            return attachment
        return None
