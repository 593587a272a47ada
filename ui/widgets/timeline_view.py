"""The timeline as a journal: uniform rows painted by one delegate.

Each row: the day in a left gutter on the first entry of a day (with a rule above it), then
the time (and the entry's own time where its offset differs from the display zone), the
kind's icon, the title and its marks (files, revisions, retracted), the first two lines of the
body, and the photo's thumbnail on the right. Every row has the same height, so the view never
asks a million rows for their size; every text is made when the model fetches a page
(``ui/models/timeline_model.py``), so a paint only draws. Colours come from the palette (a dark
palette stays readable); the only fixed colour is the thin accent bar of incidents.

The view is a ``QTableView`` showing one column with fixed-height rows, not a ``QListView``:
a list view lays its rows out again after every change of its model (an insertion, a reset,
even a ``dataChanged``), asking the model for an index of every row, and each of those asks
the Python model its row and column counts: 7 s at 1 M rows, 0.6–0.8 s at 100 k, for every
commit an import made. A table's vertical header with one fixed section size keeps no
per-row layout: the same changes cost ~2 ms at any row count.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QStaticText,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ui.icons import icon
from ui.models.roles import JOURNAL_ROLE
from ui.models.timeline_model import INCIDENT_KINDS

PAD = 8
ICON = 16
ALARM = QColor("#d92d20")  # the incident accent bar (not text): visible on light and dark palettes
# A row drawn a second time unchanged is kept as a pixmap (~250 KB at 100 %, four times that
# at 200 %): a repaint after an insertion above, a selection change or a scroll back draws it
# as one pixmap, not a dozen calls from Python (each lets the GIL go and takes it back, and a
# worker parsing in Python keeps it a switch interval each time: a full repaint took 16-40 ms
# while the Inbox imported). A row seen once is drawn straight to the screen: a pixmap for
# every row scrolled onto made scroll frames ~2 ms dearer.
ROW_CACHE_BYTES = 32 * 1024 * 1024
MAX_ROWS_SEEN = 4096
MAX_STATIC = 4096  # short texts kept laid out (times, days, months, marks): a few hundred in practice

# Flags and roles made once: each ``|`` of two Qt enums or attribute lookup costs microseconds in
# Python, and a frame paints a dozen rows.
_ACTIVE, _INACTIVE = QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive
_STATE_ACTIVE, _STATE_SELECTED = QStyle.StateFlag.State_Active, QStyle.StateFlag.State_Selected
_TEXT, _HIGHLIGHTED_TEXT = QPalette.ColorRole.Text, QPalette.ColorRole.HighlightedText
_PLACEHOLDER, _MID, _MIDLIGHT = QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Mid, QPalette.ColorRole.Midlight
_HIGHLIGHT, _BASE = QPalette.ColorRole.Highlight, QPalette.ColorRole.Base
_V_CENTRE = Qt.AlignmentFlag.AlignVCenter
_WRAP_TOP = Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_PLAIN = Qt.TextFormat.PlainText


class _Colours:
    """What a row is painted with under one palette, group and selection state (made once each)."""

    __slots__ = ("highlight", "midlight", "muted", "rule", "selected", "text")

    def __init__(self, palette: QPalette, group: QPalette.ColorGroup, selected: bool) -> None:
        self.selected = selected
        self.text = palette.color(group, _HIGHLIGHTED_TEXT if selected else _TEXT)
        self.muted = self.text if selected else palette.color(group, _PLACEHOLDER)
        self.rule = QPen(palette.color(group, _MID), 1)
        self.highlight = palette.brush(group, _HIGHLIGHT)
        self.midlight = palette.brush(group, _MIDLIGHT)


class TimelineDelegate(QStyledItemDelegate):
    """Paints one journal row from the model's ``JOURNAL_ROLE`` object; ``thumbs`` is a
    ``ui.models.timeline_thumbs.TimelineThumbnails`` (None: no inline photos).

    What a frame costs is text shaping (tens of µs per ``drawText``) and Python per call, so:
    the short texts that repeat (times, weekdays, day numbers, months, marks) are laid out once
    as ``QStaticText`` and drawn from that; the icons are pixmaps made once per kind; colours,
    pens and flags are made once per palette; only a row's title and body are shaped as it is
    drawn (the title by a point ``drawText``, elided only when it may not fit)."""

    def __init__(self, view: QWidget, thumbs: Any = None) -> None:
        super().__init__(view)
        self.thumbs = thumbs
        self._view = view
        self._colours: dict[tuple[int, bool, bool], _Colours] = {}
        self._statics: dict[tuple[int, str], QStaticText] = {}
        self._icons: dict[tuple[str, int, float], QPixmap] = {}
        self._rows: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], QPixmap | None]] = OrderedDict()
        self._row_bytes = 0
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
        self.bold_widest = self.bold_metrics.maxWidth()
        # where a line's text starts so that it sits centred in a line of the body font, as
        # drawText(rect, AlignVCenter) would put it
        self._line = line
        self._small_line = self.small_metrics.lineSpacing()
        self._big_height = self.big_metrics.height()
        self._font_dy = (line - self.metrics.height()) // 2
        self._small_dy = (line - self.small_metrics.height()) // 2
        self._bold_base = (line - self.bold_metrics.height()) // 2 + self.bold_metrics.ascent()
        self._gutter_dy = (self._small_line - self.small_metrics.height()) // 2
        self._statics.clear()
        self.forget_rows()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # type: ignore[override]
        return QSize(self.gutter + 240, self.row_height)

    # -- made once -------------------------------------------------------------------

    def _static(self, font: QFont, which: int, text: str) -> QStaticText:
        """``text`` laid out once in one of the delegate's fonts (``which`` names it)."""
        key = (which, text)
        made = self._statics.get(key)
        if made is None:
            if len(self._statics) >= MAX_STATIC:
                self._statics.clear()
            made = QStaticText(text)
            made.setTextFormat(_PLAIN)
            made.prepare(font=font)
            self._statics[key] = made
        return made

    def _colours_for(self, palette: QPalette, group: QPalette.ColorGroup, selected: bool) -> _Colours:
        key = (palette.cacheKey(), group == _ACTIVE, selected)
        made = self._colours.get(key)
        if made is None:
            if len(self._colours) > 16:
                self._colours.clear()
            made = self._colours[key] = _Colours(palette, group, selected)
        return made

    def _icon(self, name: str, palette_key: int) -> QPixmap:
        ratio = self._view.devicePixelRatioF()
        key = (name, palette_key, ratio)
        made = self._icons.get(key)
        if made is None:
            if len(self._icons) > 64:
                self._icons.clear()
            made = icon(name).pixmap(QSize(ICON, ICON), ratio)
            self._icons[key] = made
        return made

    # -- painting --------------------------------------------------------------------

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:  # type: ignore[override]
        fetched = index.data(JOURNAL_ROLE)
        rect: QRect = option.rect  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        selected = bool(state & _STATE_SELECTED)
        active = bool(state & _STATE_ACTIVE)
        colours = self._colours_for(palette, _ACTIVE if active else _INACTIVE, selected)
        if fetched is None:
            if selected:
                painter.fillRect(rect, colours.highlight)
            painter.setPen(colours.muted)
            painter.drawText(rect.adjusted(self.gutter, 0, 0, 0), _V_CENTRE, "(missing)")
            return
        sha = fetched.row.thumb_sha256
        thumb = self.thumbs.get(sha) if sha and self.thumbs is not None else None
        ratio = painter.device().devicePixelRatioF()
        first_row = index.row() == 0
        key = (fetched.row.id, selected, active, rect.width(), rect.height(), palette.cacheKey(), ratio, first_row)
        cached = self._rows.get(key)
        thumb_key = thumb.cacheKey() if thumb is not None else 0
        shows = (fetched.row, fetched.zone, fetched.first_of_day, thumb_key)
        # the same texts: a page read again makes new row objects, most often equal to the old
        if cached is None or cached[0] != shows:
            # drawn for the first time as it is now (scrolling onto it, or it changed): straight
            # to the screen, as a pixmap would cost more than it saves on a row seen once
            self._paint_row(painter, fetched, rect, colours, palette, first_row, thumb)
            self._keep_row(key, (shows, None))
            return
        self._rows.move_to_end(key)
        if cached[1] is not None:
            painter.drawPixmap(rect.topLeft(), cached[1])
            return
        # drawn again unchanged (rows inserted above it, a selection moved): from now on a pixmap
        pixmap = QPixmap(QSize(rect.width(), rect.height()) * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(palette.color(_ACTIVE if active else _INACTIVE, _BASE))
        row_painter = QPainter(pixmap)
        self._paint_row(
            row_painter, fetched, QRect(0, 0, rect.width(), rect.height()), colours, palette, first_row, thumb
        )
        row_painter.end()
        painter.drawPixmap(rect.topLeft(), pixmap)
        self._keep_row(key, (shows, pixmap))

    def _keep_row(self, key: tuple[Any, ...], made: tuple[tuple[Any, ...], QPixmap | None]) -> None:
        """What each row showed when last drawn, and from its second drawing its pixmap; the least
        recently drawn are dropped past ROW_CACHE_BYTES of pixmaps or MAX_ROWS_SEEN rows."""
        replaced = self._rows.pop(key, None)
        if replaced is not None:
            self._row_bytes -= _bytes(replaced[1])
        self._rows[key] = made
        self._row_bytes += _bytes(made[1])
        while (self._row_bytes > ROW_CACHE_BYTES or len(self._rows) > MAX_ROWS_SEEN) and len(self._rows) > 1:
            _key, (_shows, gone) = self._rows.popitem(last=False)
            self._row_bytes -= _bytes(gone)

    def forget_rows(self) -> None:
        """Forget every row seen and every pixmap kept (the font changed: rows are drawn anew)."""
        self._rows.clear()
        self._row_bytes = 0

    def _paint_row(
        self,
        painter: QPainter,
        fetched: Any,
        rect: QRect,
        colours: _Colours,
        palette: QPalette,
        first_row: bool,
        thumb: QPixmap | None,
    ) -> None:
        # No save()/restore(): every part sets the font and pen it draws with, and nothing else
        # of the painter's state (clip, transform, brush) is changed here.
        if colours.selected:
            painter.fillRect(rect, colours.highlight)
        text, muted = colours.text, colours.muted
        entry = fetched.row
        left, top, right, height = rect.left(), rect.top(), rect.right(), rect.height()
        if fetched.first_of_day:
            if not first_row:
                painter.setPen(colours.rule)
                painter.drawLine(left, top, right, top)
            self._paint_day(painter, fetched, left, top, text, muted)
        if entry.kind in INCIDENT_KINDS and not entry.retracted:
            painter.fillRect(left + self.gutter - 5, top + PAD, 3, height - 2 * PAD, ALARM)
        x = left + self.gutter + 2
        content_right = right - PAD
        if entry.thumb_sha256:
            side = self.thumb_side
            box = QRect(right - PAD - side, top + (height - side) // 2, side, side)
            self._paint_thumb(painter, thumb, box, colours, palette.cacheKey())
            content_right = box.left() - PAD
        line = self._line
        y = top + PAD
        # line 1: time · icon · title ………… marks
        painter.setFont(self.font)
        painter.setPen(text if not entry.retracted else muted)
        painter.drawStaticText(x, y + self._font_dy, self._static(self.font, 0, fetched.time))
        x_icon = x + self.time_width
        painter.drawPixmap(x_icon, y + (line - ICON) // 2, self._icon(entry.kind, palette.cacheKey()))
        x_title = x_icon + ICON + PAD // 2 + 2
        marks = fetched.marks if not entry.retracted else " · ".join(m for m in ("Retracted", fetched.marks) if m)
        marks_width = 0
        if marks:
            painter.setFont(self.small)
            painter.setPen(muted)
            static = self._static(self.small, 1, marks)
            marks_width = int(static.size().width() + 0.999)
            painter.drawStaticText(content_right - marks_width, y + self._small_dy, static)
        title_width = max(content_right - marks_width - PAD - x_title, 0)
        painter.setFont(self.strike if entry.retracted else self.bold)
        painter.setPen(muted if entry.retracted else text)
        title = entry.title
        length = len(title)
        if length * self.bold_widest <= title_width:  # fits even in its widest letters: no clip needed
            painter.drawText(x_title, y + self._bold_base, title)
        elif length * self.bold_max_char > title_width:  # may not fit: eliding shapes it once more, then fits
            painter.drawText(
                x_title, y + self._bold_base, self.bold_metrics.elidedText(title, _ELIDE_RIGHT, title_width)
            )
        else:  # most likely fits: drawn clipped to its room, as before
            painter.drawText(QRect(x_title, y, title_width, line), _V_CENTRE, title)
        # the entry's own time, where its offset is not the display zone's
        y += line
        body_top = y
        if fetched.own:
            painter.setFont(self.small)
            painter.setPen(muted)
            own = f"written as {fetched.own}"
            painter.drawText(
                QRect(x, y, content_right - x, self._small_line),
                _V_CENTRE,
                self.small_metrics.elidedText(own, _ELIDE_RIGHT, content_right - x),
            )
            body_top += self._small_line
        # lines 2–3: the start of the body (clipped to what fits)
        lines = 2 if not fetched.own else 1
        if entry.snippet:
            painter.setFont(self.font)
            painter.setPen(muted)
            # Shaping costs by the character: give it only what can fit on the lines shown.
            fits = int((content_right - x) * lines / self.min_char) + 8
            painter.drawText(QRect(x, body_top, content_right - x, line * lines), _WRAP_TOP, entry.snippet[:fits])

    def _paint_day(self, painter: QPainter, fetched: Any, left: int, top: int, text: QColor, muted: QColor) -> None:
        """Weekday, day number and month in the gutter, each centred (laid out once per text)."""
        weekday, month = fetched.day_rest
        small, big, width = self._small_line, self._big_height, self.gutter
        y = top + PAD // 2
        painter.setFont(self.small)
        painter.setPen(muted)
        static = self._static(self.small, 1, weekday)
        painter.drawStaticText(left + int(width - static.size().width()) // 2, y + self._gutter_dy, static)
        static = self._static(self.small, 1, month)
        painter.drawStaticText(
            left + int(width - static.size().width()) // 2, y + small + big + self._gutter_dy, static
        )
        painter.setFont(self.big)
        painter.setPen(text)
        static = self._static(self.big, 2, fetched.day_number)
        painter.drawStaticText(left + int(width - static.size().width()) // 2, y + small, static)

    def _paint_thumb(
        self, painter: QPainter, pixmap: QPixmap | None, box: QRect, colours: _Colours, palette_key: int
    ) -> None:
        if pixmap is None or pixmap.isNull():
            painter.fillRect(box, colours.midlight)
            centre = box.center()
            painter.drawPixmap(centre.x() - ICON // 2, centre.y() - ICON // 2, self._icon("photo", palette_key))
            return
        ratio = pixmap.devicePixelRatio() or 1.0
        width, height = pixmap.width() / ratio, pixmap.height() / ratio
        scale = max(box.width() / width, box.height() / height)
        source_w, source_h = box.width() / scale * ratio, box.height() / scale * ratio
        source = QRect(
            int((pixmap.width() - source_w) / 2), int((pixmap.height() - source_h) / 2), int(source_w), int(source_h)
        )
        painter.drawPixmap(box, pixmap, source)


def _bytes(pixmap: QPixmap | None) -> int:
    return 0 if pixmap is None else pixmap.width() * pixmap.height() * 4


def fixed_rows(view: QTableView, height: int) -> None:
    """A table as the journal shows one: rows of one fixed height, nothing per row kept or
    asked for (see the module's note), no headers or grid, the first column as wide as the view
    (bench_ui's bare baseline is made the same way)."""
    rows, columns = view.verticalHeader(), view.horizontalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setMinimumSectionSize(1)
    rows.setDefaultSectionSize(height)
    rows.hide()
    columns.hide()
    columns.setStretchLastSection(True)
    view.setShowGrid(False)


class TimelineView(QTableView):
    """The journal: the model's first column, one fixed-height row per entry, no headers or
    grid, behaving like a list (Tab leaves it, Home and End go to the first and last entry).

    Signals:
        painted(): a frame was drawn (background loading waits for the first one).
    """

    painted = Signal()

    def __init__(self, parent: QWidget | None = None, thumbs: Any = None) -> None:
        super().__init__(parent)
        self.delegate = TimelineDelegate(self, thumbs)
        self.setItemDelegate(self.delegate)
        fixed_rows(self, self.delegate.row_height)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
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

    def setModel(self, model: Any) -> None:  # type: ignore[override]
        super().setModel(model)
        if model is not None:
            model.modelReset.connect(self._show_first_column_only)
            model.columnsInserted.connect(self._show_first_column_only)
        self._show_first_column_only()

    def _show_first_column_only(self) -> None:
        """The other columns are the table's texts for tests, copies and accessibility."""
        model = self.model()
        for column in range(1, model.columnCount() if model is not None else 0):
            self.setColumnHidden(column, True)

    def selectRow(self, row: int) -> None:
        model = self.model()
        if model is not None and 0 <= row < model.rowCount():
            self.setCurrentIndex(model.index(row, 0))

    def rowAt(self, y: int) -> int:
        index = self.indexAt(QPoint(PAD, y))
        return index.row() if index.isValid() else -1

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Home and End move to the first and last entry, as in a list (a table's go to the
        first and last column of the row: here there is one)."""
        model = self.model()
        if (
            model is not None
            and model.rowCount()
            and action in (QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd)
        ):
            last = action == QAbstractItemView.CursorAction.MoveEnd
            return model.index(model.rowCount() - 1 if last else 0, 0)
        return super().moveCursor(action, modifiers)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()


def make_timeline_view(parent: QWidget | None = None, thumbs: Any = None) -> TimelineView:
    return TimelineView(parent, thumbs)
