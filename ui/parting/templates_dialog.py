"""The conduct clause and the game plan/SOP, filled for a client, to copy or save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.parting.letters import DOCUMENT_TEMPLATES, render_document
from ui.file_dialogs import suggested_path
from ui.window_geometry import fit_window


class DocumentTemplatesDialog(QDialog):
    def __init__(self, vault: Any, client_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self.client_id = client_id
        self.setWindowTitle("Conduct clause and game plan")
        fit_window(self, QSize(680, 620))  # within the screen; see ui/window_geometry.py
        self.picker = QComboBox()
        for key, (label, _file) in DOCUMENT_TEMPLATES.items():
            self.picker.addItem(label, key)
        self.picker.currentIndexChanged.connect(self.show_document)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(lambda: QApplication.clipboard().setText(self.text.toPlainText()))
        self.save_button = QPushButton("Save as…")
        self.save_button.clicked.connect(self._ask_save)
        self.status = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        self.show_document()

    def show_document(self) -> None:
        self.text.setPlainText(render_document(self._vault, self.client_id, self.picker.currentData()))

    def _ask_save(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save", suggested_path(f"{self.picker.currentData()}.txt"), "Text (*.txt)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        from app.dossier.partials import create_private

        try:
            create_private(path)  # 0600 whatever the umask
            path.write_text(self.text.toPlainText(), encoding="utf-8")
        except OSError as error:
            self.status.setText(f"Not saved: {error.strerror or error}")
            return False
        self.status.setText(f"Saved to {path}.")
        return True
