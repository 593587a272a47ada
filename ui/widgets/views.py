"""The client list view and its delegate, and file drops on any view (the timeline is
``ui/widgets/timeline_view.py``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDropEvent, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.records.models import CLIENT_STATUSES
from ui.colours import readable
from ui.models.clients_model import STATUS_COLOURS
from ui.models.roles import COUNT_ROLE, STATUS_ROLE


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


def make_client_view(parent: QWidget | None = None) -> QListView:
    view = QListView(parent)
    view.setUniformItemSizes(True)
    view.setItemDelegate(ClientDelegate(view))
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAccessibleName("Clients")
    return view
