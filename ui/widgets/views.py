"""The client list and timeline views: delegates, uniform rows, file drops."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDropEvent, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from app.records.models import CLIENT_STATUSES
from ui.colours import readable
from ui.models.clients_model import STATUS_COLOURS
from ui.models.roles import COUNT_ROLE, FIRST_OF_DAY_ROLE, STATUS_ROLE
from ui.models.timeline_model import COL_DAY, COL_FILES, COL_KIND, COL_TIME, COL_TITLE


class FileDrops(QObject):
    """Accepts files dropped on a view's viewport and reports them with the index under the drop.

    Signals:
        dropped(object, object): list of Paths, QModelIndex (invalid when dropped on empty space).
    """

    dropped = Signal(object, object)

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        view.viewport().setAcceptDrops(True)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasUrls():  # type: ignore[attr-defined]
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent) and event.mimeData().hasUrls():
            paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
            index = self._view.indexAt(event.position().toPoint())
            event.acceptProposedAction()
            if paths:
                self.dropped.emit(paths, index)
            return True
        return False


class ClientDelegate(QStyledItemDelegate):
    """Name on the left; the entry count and a coloured status badge on the right."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # type: ignore[override]
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), option.fontMetrics.height() * 2 + 6))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        status = index.data(STATUS_ROLE) or "active"
        count = index.data(COUNT_ROLE) or 0
        label = CLIENT_STATUSES.get(status, status)
        small = QFont(option.font)
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 6))
        metrics = option.fontMetrics
        badge_w = metrics.horizontalAdvance(label) + 14
        count_w = metrics.horizontalAdvance(str(count)) + 4
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.rect = option.rect.adjusted(0, 0, -(badge_w + count_w + 12), 0)
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            full = QStyleOptionViewItem(option)
            self.initStyleOption(full, index)
            full.text = ""
            full.icon = type(full.icon)()
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, opt.widget)
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = readable(STATUS_COLOURS.get(status, "#718096"), option.palette.base().color())  # dark palette too
        h = metrics.height() + 2
        badge = QRect(option.rect.right() - badge_w - 6, option.rect.center().y() - h // 2, badge_w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        fill = QColor(colour)
        fill.setAlpha(255 if status == "do_not_serve" else 36)
        painter.setBrush(QColor("white") if selected and status != "do_not_serve" else fill)
        painter.drawRoundedRect(badge, h / 2, h / 2)
        painter.setPen(QColor("white") if status == "do_not_serve" else colour)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        painter.setFont(small)
        painter.setPen(
            option.palette.highlightedText().color() if selected else option.palette.placeholderText().color()
        )
        count_rect = QRect(
            option.rect.left(), option.rect.top(), badge.left() - option.rect.left() - 8, option.rect.height()
        )
        painter.drawText(count_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{count}")
        painter.restore()


class TimelineTableView(QTableView):
    """A table that draws a rule above the first entry of each day: the grouping, without header rows.

    The rules are drawn once per frame over the visible rows (not by a Python delegate per cell),
    which keeps a scroll frame cheap.

    Signals:
        painted(): a frame was drawn (background loading waits for the first one).
    """

    painted = Signal()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is None or not model.rowCount():
            self.painted.emit()
            return
        top = self.rowAt(0)
        bottom = self.rowAt(self.viewport().height() - 1)
        if top < 0:
            self.painted.emit()
            return
        bottom = bottom if bottom >= 0 else model.rowCount() - 1
        painter = QPainter(self.viewport())
        painter.setPen(QPen(QColor("#d0d5dd"), 1))
        right = self.viewport().width()
        for row in range(max(top, 1), bottom + 1):
            if model.index(row, 0).data(FIRST_OF_DAY_ROLE):
                y = self.rowViewportPosition(row)
                painter.drawLine(0, y, right, y)
        painter.end()
        self.painted.emit()


def make_client_view(parent: QWidget | None = None) -> QListView:
    view = QListView(parent)
    view.setUniformItemSizes(True)
    view.setItemDelegate(ClientDelegate(view))
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAccessibleName("Clients")
    return view


def make_timeline_view(parent: QWidget | None = None) -> TimelineTableView:
    view = TimelineTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setAccessibleName("Timeline")
    vertical = view.verticalHeader()
    vertical.hide()
    # Fixed row heights: the view never asks every row for its size (a million rows stay cheap).
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 12)
    return view


def size_timeline_columns(view: QTableView) -> None:
    """Column widths from the font (readable at 200 %); call after setModel."""
    bold = QFont(view.font())
    bold.setBold(True)
    width = QFontMetrics(bold).horizontalAdvance
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setMinimumSectionSize(24)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setColumnWidth(COL_DAY, width("Wed 30 Sep 2026") + 20)
    view.setColumnWidth(COL_TIME, width("00:00") + 16)
    view.setColumnWidth(COL_KIND, width("Legal threat") + 40)
    view.setColumnWidth(COL_FILES, width("99") + 40)
    header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
