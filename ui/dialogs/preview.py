"""Preview an attachment from memory (image with zoom, PDF pages, e-mail), or save a copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.records.models import Attachment
from ui import previews
from ui.file_dialogs import suggested_path
from ui.window_geometry import fit_window
from ui.words import plural
from ui.workers import Tasks, user_message

MAX_PDF_PAGES = 30
LEAVES_VAULT_WARNING = (
    "The copy is written outside the vault, unencrypted. Anyone with access to that folder can read it,"
    " and Casefile cannot delete it for you later."
)


def save_a_copy(parent: QWidget, attachments_repo: Any, attachment: Attachment) -> Path | None:
    """Ask where, warn that the file leaves the vault in the clear, then write it."""
    target, _ = QFileDialog.getSaveFileName(parent, "Save a copy outside the vault", suggested_path(attachment.name))
    if not target:
        return None
    answer = QMessageBox.warning(
        parent,
        "Save an unencrypted copy?",
        LEAVES_VAULT_WARNING,
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    if answer != QMessageBox.StandardButton.Save:
        return None
    path = Path(target)
    try:
        if path.exists():
            path.unlink()  # the file dialog already asked whether to replace it
        attachments_repo.export_to(attachment.sha256, path)
    except Exception as error:
        QMessageBox.critical(parent, "Save a copy", user_message(error))
        return None
    return path


class PreviewDialog(QDialog):
    def __init__(
        self, attachments_repo: Any, attachment: Attachment, tasks: Tasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._repo = attachments_repo
        self._attachment = attachment
        self._tasks = tasks
        self._zoom = 1.0
        self._image: QPixmap | None = None
        self.setWindowTitle(f"{attachment.name} — Casefile")
        fit_window(self, QSize(900, 700))  # within the screen; see ui/window_geometry.py
        self.status = QLabel("Loading…")
        self.canvas = QWidget()
        self.canvas_layout = QVBoxLayout(self.canvas)
        self.canvas_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(self.canvas)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        self.zoom_out = QPushButton("−")
        self.zoom_in = QPushButton("+")
        for button, factor in ((self.zoom_out, 1 / 1.25), (self.zoom_in, 1.25)):
            button.setFixedWidth(36)
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, f=factor: self.zoom_by(f))
            bar.addWidget(button)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self.zoom_by(1.25))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self.zoom_by(1 / 1.25))
        save = QPushButton("Save a copy…")
        save.clicked.connect(lambda: save_a_copy(self, self._repo, self._attachment))
        bar.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(bar)
        self._load()

    def _load(self) -> None:
        repo, attachment = self._repo, self._attachment
        kind = previews.kind_of(attachment.media_type, attachment.name)

        def render() -> tuple[str, Any]:
            data = repo.read_bytes(attachment.sha256)
            if kind == "image":
                return kind, previews.image_from_bytes(data)
            if kind == "pdf":
                return kind, (previews.pdf_pages(data, count=MAX_PDF_PAGES), previews.pdf_page_count(data))
            if kind == "email":
                return kind, previews.email_preview(data)
            return kind, None

        self._tasks.run(render, self._show, self._failed)

    def _show(self, result: tuple[str, Any]) -> None:
        kind, content = result
        info = f"{self._attachment.media_type}, {self._attachment.size:,} bytes"
        if kind == "image":
            self._image = QPixmap.fromImage(content)
            self.page = QLabel()
            self.canvas_layout.addWidget(self.page)
            room = self.scroller.viewport().size()
            # a large photo opens fitted to the window; a small image at its own size
            self._zoom = min(1.0, room.width() / max(content.width(), 1), room.height() / max(content.height(), 1))
            self.zoom_in.setEnabled(True)
            self.zoom_out.setEnabled(True)
            self._apply_zoom()
            self.status.setText(f"{info} · {content.width()}×{content.height()} px")
        elif kind == "pdf":
            pages, total = content
            for image in pages:
                label = QLabel()
                label.setPixmap(QPixmap.fromImage(image))
                label.setStyleSheet("border: 1px solid palette(mid); background: white;")
                self.canvas_layout.addWidget(label)
            shown = f"first {len(pages)} of {total} pages" if total > len(pages) else plural(total, "page")
            self.status.setText(f"{info} · {shown}")
        elif kind == "email":
            text = QPlainTextEdit()
            text.setReadOnly(True)
            header = "\n".join(f"{name}: {value}" for name, value in content.headers)
            text.setPlainText(f"{header}\n\n{content.body}")
            self.canvas_layout.addWidget(text)
            self.scroller.setWidgetResizable(True)
            self.status.setText(info)
        else:
            self.canvas_layout.addWidget(
                QLabel("No preview for this kind of file. Use “Save a copy…” to open it elsewhere.")
            )
            self.status.setText(info)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(user_message(error))

    def zoom_by(self, factor: float) -> None:
        if self._image is None:
            return
        self._zoom = min(8.0, max(0.1, self._zoom * factor))
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        assert self._image is not None
        size = self._image.size() * self._zoom
        scaled = self._image.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.page.setPixmap(scaled)
        self.page.setFixedSize(scaled.size())
