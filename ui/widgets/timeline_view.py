"""The timeline as a journal: a list of uniform rows painted by one delegate.

Each row: the day in a left gutter on the first entry of a day (with a rule above it), then
the time (and the entry's own time where its offset differs from the display zone), the
kind's icon, the title and its marks (files, revisions, retracted), the first two lines of the
body, and the photo's thumbnail on the right. Every row has the same height, so the view never
asks a million rows for their size (``setUniformItemSizes``); every text is made when the
model fetches a page (``ui/models/timeline_model.py``), so a paint only draws. Colours come
from the palette (a dark palette stays readable); the only fixed colour is the thin accent bar
of incidents.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.icons import icon
from ui.models.roles import JOURNAL_ROLE
from ui.models.timeline_model import INCIDENT_KINDS

PAD = 8
ICON = 16
ALARM = QColor("#d92d20")  # the incident accent bar (not text): visible on light and dark palettes


class TimelineDelegate(QStyledItemDelegate):
    """Paints one journal row from the model's ``JOURNAL_ROLE`` object; ``thumbs`` is a
    ``ui.models.timeline_thumbs.TimelineThumbnails`` (None: no inline photos)."""

    def __init__(self, view: QWidget, thumbs: Any = None) -> None:
        super().__init__(view)
        self.thumbs = thumbs
        self.set_font(view.font())

    def set_font(self, font: QFont) -> None:
        self.font = QFont(font)
        self.bold = QFont(font)
        self.bold.setBold(True)
        self.strike = QFont(self.bold)
        self.strike.setStrikeOut(True)
        self.small = QFont(font)
        self.small.setPointSizeF(max(font.pointSizeF() * 0.85, 6))
        self.big = QFont(font)
        self.big.setPointSizeF(font.pointSizeF() * 1.6)
        self.big.setBold(True)
        self.metrics = QFontMetrics(self.font)
        self.bold_metrics = QFontMetrics(self.bold)
        self.small_metrics = QFontMetrics(self.small)
        self.big_metrics = QFontMetrics(self.big)
        line = self.metrics.lineSpacing()
        self.row_height = max(3 * line + 2 * PAD + 4, self.big_metrics.height() + 2 * self.small_metrics.height() + PAD)
        self.thumb_side = self.row_height - 2 * PAD + 2
        self.gutter = (
            max(
                self.small_metrics.horizontalAdvance("Wed"),
                self.big_metrics.horizontalAdvance("30"),
                self.small_metrics.horizontalAdvance("Sep 2026"),
            )
            + 2 * PAD
        )
        self.time_width = self.metrics.horizontalAdvance("00:00") + PAD
        # Character widths for cheap guesses before shaping: a title that surely fits is not elided
        # (1.4 × the average: caps-heavy titles too), a body is cut to what two lines can hold.
        self.bold_max_char = self.bold_metrics.averageCharWidth() * 1.4
        self.min_char = max(self.metrics.averageCharWidth() * 0.7, 1.0)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # type: ignore[override]
        return QSize(self.gutter + 240, self.row_height)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:  # type: ignore[override]
        fetched = index.data(JOURNAL_ROLE)
        rect: QRect = option.rect  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        group = QPalette.ColorGroup.Active if state & QStyle.StateFlag.State_Active else QPalette.ColorGroup.Inactive
        selected = bool(state & QStyle.StateFlag.State_Selected)
        painter.save()
        if selected:
            painter.fillRect(rect, palette.brush(group, QPalette.ColorRole.Highlight))
        text = palette.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = text if selected else palette.color(group, QPalette.ColorRole.PlaceholderText)
        if fetched is None:
            painter.setPen(muted)
            painter.drawText(rect.adjusted(self.gutter, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, "(missing)")
            painter.restore()
            return
        entry = fetched.row
        left, top, right = rect.left(), rect.top(), rect.right()
        if fetched.first_of_day:
            if index.row() > 0:
                painter.setPen(QPen(palette.color(group, QPalette.ColorRole.Mid), 1))
                painter.drawLine(left, top, right, top)
            self._paint_day(painter, fetched, QRect(left, top, self.gutter, rect.height()), text, muted)
        if entry.kind in INCIDENT_KINDS and not entry.retracted:
            painter.fillRect(QRect(left + self.gutter - 5, top + PAD, 3, rect.height() - 2 * PAD), ALARM)
        x = left + self.gutter + 2
        content_right = right - PAD
        if entry.thumb_sha256:
            side = self.thumb_side
            box = QRect(right - PAD - side, top + (rect.height() - side) // 2, side, side)
            self._paint_thumb(painter, entry.thumb_sha256, box, palette, group)
            content_right = box.left() - PAD
        line = self.metrics.lineSpacing()
        y = top + PAD
        # line 1: time · icon · title ………… marks
        painter.setFont(self.font)
        painter.setPen(text if not entry.retracted else muted)
        painter.drawText(QRect(x, y, self.time_width, line), Qt.AlignmentFlag.AlignVCenter, fetched.time)
        x_icon = x + self.time_width
        icon(entry.kind).paint(painter, QRect(x_icon, y + (line - ICON) // 2, ICON, ICON))
        x_title = x_icon + ICON + PAD // 2 + 2
        marks = " · ".join(m for m in ("Retracted" if entry.retracted else "", fetched.marks) if m)
        marks_width = self.small_metrics.horizontalAdvance(marks) if marks else 0
        if marks:
            painter.setFont(self.small)
            painter.setPen(muted)
            painter.drawText(
                QRect(content_right - marks_width, y, marks_width, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                marks,
            )
        title_width = max(content_right - marks_width - PAD - x_title, 0)
        font, metrics = (self.strike, self.bold_metrics) if entry.retracted else (self.bold, self.bold_metrics)
        painter.setFont(font)
        painter.setPen(muted if entry.retracted else text)
        title = entry.title
        if len(title) * self.bold_max_char > title_width:  # eliding shapes the text once more: only when needed
            title = metrics.elidedText(title, Qt.TextElideMode.ElideRight, title_width)
        painter.drawText(QRect(x_title, y, title_width, line), Qt.AlignmentFlag.AlignVCenter, title)
        # the entry's own time, where its offset is not the display zone's
        y += line
        body_top = y
        if fetched.own:
            painter.setFont(self.small)
            painter.setPen(muted)
            own = f"written as {fetched.own}"
            painter.drawText(
                QRect(x, y, content_right - x, self.small_metrics.lineSpacing()),
                Qt.AlignmentFlag.AlignVCenter,
                self.small_metrics.elidedText(own, Qt.TextElideMode.ElideRight, content_right - x),
            )
            body_top += self.small_metrics.lineSpacing()
        # lines 2–3: the start of the body (clipped to what fits)
        lines = 2 if not fetched.own else 1
        if entry.snippet:
            painter.setFont(self.font)
            painter.setPen(muted)
            # Shaping costs by the character: give it only what can fit on the lines shown.
            fits = int((content_right - x) * lines / self.min_char) + 8
            painter.drawText(
                QRect(x, body_top, content_right - x, line * lines),
                Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                entry.snippet[:fits],
            )
        painter.restore()

    def _paint_day(self, painter: QPainter, fetched: Any, box: QRect, text: QColor, muted: QColor) -> None:
        weekday, month = fetched.day_rest
        small = self.small_metrics.lineSpacing()
        big = self.big_metrics.height()
        y = box.top() + PAD // 2
        centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        painter.setFont(self.small)
        painter.setPen(muted)
        painter.drawText(QRect(box.left(), y, box.width(), small), centre, weekday)
        painter.setFont(self.big)
        painter.setPen(text)
        painter.drawText(QRect(box.left(), y + small, box.width(), big), centre, fetched.day_number)
        painter.setFont(self.small)
        painter.setPen(muted)
        painter.drawText(QRect(box.left(), y + small + big, box.width(), small), centre, month)

    def _paint_thumb(self, painter: QPainter, sha256: str, box: QRect, palette: QPalette, group: Any) -> None:
        pixmap = self.thumbs.get(sha256) if self.thumbs is not None else None
        if pixmap is None or pixmap.isNull():
            painter.fillRect(box, palette.brush(group, QPalette.ColorRole.Midlight))
            icon("photo").paint(painter, QRect(box.center() - QPoint(ICON // 2, ICON // 2), QSize(ICON, ICON)))
            return
        ratio = pixmap.devicePixelRatio() or 1.0
        width, height = pixmap.width() / ratio, pixmap.height() / ratio
        scale = max(box.width() / width, box.height() / height)
        source_w, source_h = box.width() / scale * ratio, box.height() / scale * ratio
        source = QRect(
            int((pixmap.width() - source_w) / 2), int((pixmap.height() - source_h) / 2), int(source_w), int(source_h)
        )
        painter.drawPixmap(box, pixmap, source)


class TimelineView(QListView):
    """The journal list. Keeps the table's small API the window and tests use (``selectRow``,
    ``rowAt``).

    Signals:
        painted(): a frame was drawn (background loading waits for the first one).
    """

    painted = Signal()

    def __init__(self, parent: QWidget | None = None, thumbs: Any = None) -> None:
        super().__init__(parent)
        self.delegate = TimelineDelegate(self, thumbs)
        self.setItemDelegate(self.delegate)
        # One height for every row: the view never asks a million rows for their size.
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(False)
        self.setAccessibleName("Timeline")
        self.verticalScrollBar().setSingleStep(max(self.delegate.row_height // 3, 8))
        if thumbs is not None:
            thumbs.arrived.connect(lambda _sha: self.viewport().update())

    def selectRow(self, row: int) -> None:
        model = self.model()
        if model is not None and 0 <= row < model.rowCount():
            self.setCurrentIndex(model.index(row, 0))

    def rowAt(self, y: int) -> int:
        index = self.indexAt(QPoint(PAD, y))
        return index.row() if index.isValid() else -1

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()


def make_timeline_view(parent: QWidget | None = None, thumbs: Any = None) -> TimelineView:
    return TimelineView(parent, thumbs)
