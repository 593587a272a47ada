"""Search results: a ranked list of hits, the first page shown at once and the rest appended."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from app.records.models import ENTRY_KINDS, SearchHit
from app.records.times import parse_utc_text
from ui.icons import icon
from ui.models.roles import CLIENT_ID_ROLE, ID_ROLE, RECORD_ROLE, SNIPPET_ROLE

Index = QModelIndex | QPersistentModelIndex


class SearchResultsModel(QAbstractListModel):
    def __init__(self, parent: Any = None, *, zone: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self.zone = zone  # the zone dates are shown in, as on the timeline (None: the machine's)

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def append_hits(self, hits: list[SearchHit]) -> None:
        """More hits of the same query: inserted below, the rows already shown stay put."""
        if not hits:
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self._hits.extend(hits)
        self.endInsertRows()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = parse_utc_text(hit.occurred_utc).astimezone(self.zone).strftime("%d %b %Y")
            return f"{hit.title} — {hit.client_name}, {ENTRY_KINDS.get(hit.kind, hit.kind)}, {when}"
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(hit.kind)
        if role == SNIPPET_ROLE:
            return hit.snippet
        if role == ID_ROLE:
            return hit.entry_id
        if role == CLIENT_ID_ROLE:
            return hit.client_id
        if role == RECORD_ROLE:
            return hit
        return None
