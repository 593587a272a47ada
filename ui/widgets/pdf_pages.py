"""A PDF held in memory, shown as page thumbnails beside the current page, with page navigation.

Pages are rendered by ``ui.previews`` (pypdfium2 from the bytes, nothing on disk) on a
worker; only the current page is kept at full width, so a 500-page dossier costs a
few MB of thumbnails, not a gigabyte of page images.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui import previews
from ui.workers import Tasks, user_message

THUMB_WIDTH = 110
PAGE_WIDTH = 1000  # rendered once, shown scaled to the width of the view


class PdfPagesView(QWidget):
    """Signals:
    page_shown(int): the page (0-based) now rendered in the main area.
    """

    page_shown = Signal(int)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._pdf = b""
        self._generation = 0  # answers for an earlier PDF or page are dropped
        self.page = 0
        self.page_count = 0
        self.page_image: QImage | None = None
        self.thumbnails = 0  # how many page thumbnails have arrived

        self.thumbs = QListWidget()
        self.thumbs.setAccessibleName("Page thumbnails")
        self.thumbs.setViewMode(QListView.ViewMode.IconMode)
        self.thumbs.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbs.setMovement(QListView.Movement.Static)
        self.thumbs.setIconSize(QSize(THUMB_WIDTH, int(THUMB_WIDTH * 1.3)))
        # A fixed grid: the items are laid out before their thumbnails arrive.
        self.thumbs.setGridSize(QSize(THUMB_WIDTH + 12, int(THUMB_WIDTH * 1.3) + 26))
        self.thumbs.setFixedWidth(THUMB_WIDTH + 36)
        self.thumbs.currentRowChanged.connect(self.show_page)
        self.page_label = QLabel()
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setStyleSheet("background: #e4e7ec; padding: 12px;")
        self.page_scroll = QScrollArea()
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setWidget(self.page_label)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button = QPushButton("Next ▶")
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.position = QLabel()
        nav = QHBoxLayout()
        nav.addStretch(1)
        nav.addWidget(self.previous_button)
        nav.addWidget(self.position)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.page_scroll, 1)
        right_layout.addLayout(nav)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumbs)
        layout.addWidget(right, 1)
        self._update_nav()

    def set_pdf(self, data: bytes, page_count: int) -> None:
        """Show ``data`` (a PDF in memory) from its first page; thumbnails arrive from a worker."""
        self._generation += 1
        generation = self._generation
        self._pdf = data
        self.page_count = page_count
        self.page = 0
        self.page_image = None
        self.thumbnails = 0
        self.thumbs.clear()
        blank = QPixmap(self.thumbs.iconSize())  # a white page until its thumbnail arrives
        blank.fill(Qt.GlobalColor.white)
        for number in range(page_count):
            item = QListWidgetItem(QIcon(blank), str(number + 1))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.thumbs.addItem(item)
        self._tasks.run(
            lambda: previews.pdf_pages(data, count=page_count, width=THUMB_WIDTH),
            lambda images: self._thumbs_ready(generation, images),
            self._failed,
        )
        self.show_page(0)

    def clear(self) -> None:
        self._generation += 1
        self._pdf = b""
        self.page_count = 0
        self.page_image = None
        self.thumbs.clear()
        self.page_label.clear()
        self._update_nav()

    def show_page(self, number: int) -> None:
        if not self._pdf or not 0 <= number < self.page_count:
            return
        self.page = number
        self._update_nav()
        if self.thumbs.currentRow() != number:
            self.thumbs.setCurrentRow(number)
        generation, data = self._generation, self._pdf
        self._tasks.run(
            lambda: previews.pdf_pages(data, first=number, count=1, width=PAGE_WIDTH),
            lambda images: self._page_ready(generation, number, images),
            self._failed,
        )

    def _thumbs_ready(self, generation: int, images: list[QImage]) -> None:
        if generation != self._generation:
            return
        for number, image in enumerate(images):
            item = self.thumbs.item(number)
            if item is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
        self.thumbnails = len(images)

    def _page_ready(self, generation: int, number: int, images: list[QImage]) -> None:
        if generation != self._generation or number != self.page or not images:
            return
        self.page_image = images[0]
        self._fit_page()
        self.page_shown.emit(number)

    def _fit_page(self) -> None:
        if self.page_image is None:
            return
        width = max(200, min(PAGE_WIDTH, self.page_scroll.viewport().width() - 40))
        self.page_label.setPixmap(
            QPixmap.fromImage(self.page_image).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_page()

    def _failed(self, error: BaseException) -> None:
        self.page_label.setText(user_message(error))

    def _update_nav(self) -> None:
        self.position.setText(f"Page {self.page + 1} of {self.page_count}" if self.page_count else "")
        self.previous_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page + 1 < self.page_count)
