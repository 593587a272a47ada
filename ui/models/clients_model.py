"""The client list: every client with status and entry count (a vault has tens, not millions)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from app.records.models import CLIENT_STATUSES, Client
from ui.colours import readable
from ui.icons import icon
from ui.models.roles import CLIENT_ID_ROLE, COUNT_ROLE, ID_ROLE, RECORD_ROLE, STATUS_ROLE
from ui.words import plural

STATUS_COLOURS = {
    "active": "#2f855a",
    "watch": "#b7791f",
    "parting_ways": "#c05621",
    "former": "#718096",
    "do_not_serve": "#b42318",
}

Index = QModelIndex | QPersistentModelIndex


class ClientListModel(QAbstractListModel):
    def __init__(self, clients_repo: Any = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._repo = clients_repo
        self._clients: list[Client] = []

    def reload(self) -> None:
        """A real reload: names, statuses and counts may all have changed."""
        self.show(self._repo.list() if self._repo is not None else [])

    def show(self, clients: list[Client]) -> None:
        """The clients as read elsewhere (``repo.list()`` on a worker)."""
        self.beginResetModel()
        self._clients = list(clients)
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._repo = None
        self._clients = []
        self.endResetModel()

    def row_of(self, client_id: int) -> int:
        for row, client in enumerate(self._clients):
            if client.id == client_id:
                return row
        return -1

    def row_of_name(self, name: str) -> int:
        return next((row for row, client in enumerate(self._clients) if client.name == name), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._clients)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._clients):
            return None
        client = self._clients[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return client.name
        if role in (ID_ROLE, CLIENT_ID_ROLE):
            return client.id
        if role == STATUS_ROLE:
            return client.status
        if role == COUNT_ROLE:
            return client.entry_count
        if role == RECORD_ROLE:
            return client
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("do_not_serve" if client.status == "do_not_serve" else "client")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{client.name} — {CLIENT_STATUSES.get(client.status, client.status)}, {plural(client.entry_count, 'entry')}"
        if role == Qt.ItemDataRole.ForegroundRole and client.status == "do_not_serve":
            return readable(STATUS_COLOURS["do_not_serve"])  # on the palette's Base, light or dark
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled


class ClientFilterModel(QSortFilterProxyModel):
    """Filter as you type: name, e-mail or phone contains the text (case-insensitive)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._text:
            return True
        model = self.sourceModel()
        client = model.data(model.index(source_row, 0, source_parent), RECORD_ROLE)
        if client is None:
            return False
        haystack = " ".join((client.name, *client.emails, *client.phones)).lower()
        return self._text in haystack

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().lower()
        self.endFilterChange()
