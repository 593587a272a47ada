"""Unsorted Inbox files: files dropped in the Inbox root wait here (stored, encrypted) until
the user says whose they are; assigning imports them from the stored copy."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.unlock import error_label
from ui.window_geometry import keep_on_screen
from ui.workers import Tasks, user_message


class TriageDialog(QDialog):
    """Signals:
    assigned(object): the ImportResult of an assignment (the window refreshes from its entry ids).
    """

    assigned = Signal(object)

    def __init__(self, vault: Any, tasks: Tasks, zone: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self._zone = zone
        self.setWindowTitle("Unsorted Inbox files — Casefile")
        self.setMinimumSize(620, 320)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Unsorted files")
        self.table.setHorizontalHeaderLabels(["File", "Size", "Arrived"])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, header.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.clients = QComboBox()
        self.clients.setAccessibleName("Client to file it under")
        self.clients.setMinimumWidth(200)
        self.clients.currentIndexChanged.connect(lambda _i: self._enable_assign())
        self.assign_button = QPushButton("Assign to client")
        self.assign_button.clicked.connect(self.assign)
        self.empty = QLabel(
            "No files are waiting. Files dropped in the Inbox folder itself (not a client's folder) appear here."
        )
        self.empty.setWordWrap(True)
        self.error = error_label()
        row = QHBoxLayout()
        row.addWidget(QLabel("Client"))
        row.addWidget(self.clients, 1)
        row.addWidget(self.assign_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        keep_on_screen(self)
        self.reload()

    def reload(self) -> None:
        from app.ingest import triage

        items = triage.pending(self._vault)
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            name = QTableWidgetItem(item.name)
            name.setData(Qt.ItemDataRole.UserRole, item.id)
            arrived = item.added_at.astimezone(self._zone) if self._zone is not None else item.added_at.astimezone()
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(_size(item.size)))
            self.table.setItem(row, 2, QTableWidgetItem(arrived.strftime("%Y-%m-%d %H:%M")))
        if items:
            self.table.selectRow(0)
        current = self.clients.currentData()
        self.clients.blockSignals(True)
        self.clients.clear()
        # No client is chosen for the owner: a file filed under the first name in the list
        # (a do-not-serve client, say) would be a mistake the record keeps.
        self.clients.addItem("Choose the client…", None)
        for client in self._vault.clients.list():
            self.clients.addItem(client.name, client.id)
        if current is not None and self.clients.findData(current) >= 0:
            self.clients.setCurrentIndex(self.clients.findData(current))
        self.clients.blockSignals(False)
        self.empty.setVisible(not items)
        self._enable_assign()

    def _enable_assign(self) -> None:
        self.assign_button.setEnabled(self.table.rowCount() > 0 and self.clients.currentData() is not None)

    def selected_item_id(self) -> int | None:
        row = self.table.currentRow()
        cell = self.table.item(row, 0) if row >= 0 else None
        return int(cell.data(Qt.ItemDataRole.UserRole)) if cell is not None else None

    def assign(self) -> None:
        """Import the selected file for the chosen client, on a worker."""
        from app.ingest import triage

        item_id, client_id = self.selected_item_id(), self.clients.currentData()
        if item_id is None or client_id is None:
            return
        self.assign_button.setEnabled(False)
        self.error.hide()
        vault = self._vault
        self._tasks.run(lambda: triage.assign(vault, item_id, int(client_id)), self._done, self._failed)

    def _done(self, result: Any) -> None:
        if not result.ok:
            self.error.setText(result.line())
            self.error.show()
        self.assigned.emit(result)
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(user_message(error))
        self.error.show()
        self.reload()


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / (1024 * 1024):.1f} MB"
