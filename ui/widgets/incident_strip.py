"""A strip of incidents per week above the timeline; a click jumps to that week's newest incident."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from ui.models.timeline_model import INCIDENT_KINDS
from ui.words import plural

MAX_WEEKS = 104
MAX_BAR = 14
MIN_BAR = 3
LABEL = "Incidents per week"


MAX_ROWS = 20_000  # the strip shows two years; older incidents are not fetched


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def utc_from_text(text: str) -> datetime:
    """The vault's fixed-width UTC text, parsed ~20× faster than strptime (this runs per row)."""
    return datetime.fromisoformat(text[:-1] + "+00:00")


def weeks_of(rows: list[Any], newest: date | None, zone: tzinfo | None) -> tuple[list[date], dict[date, list[int]]]:
    """(every week shown, oldest first; incident ids per week, newest first)."""
    by_week: dict[date, list[int]] = defaultdict(list)
    for row in rows:
        by_week[week_start(utc_from_text(row.occurred_utc).astimezone(zone).date())].append(row.id)
    last = week_start(newest) if newest else (max(by_week) if by_week else None)
    if last is None:
        return [], {}
    first = min(by_week) if by_week else last
    first = max(first, last - timedelta(weeks=MAX_WEEKS - 1))
    n = (last - first).days // 7 + 1
    return [first + timedelta(weeks=i) for i in range(n)], dict(by_week)


class IncidentStrip(QWidget):
    """Signals:
    week_clicked(object): the newest incident entry id of the clicked week.
    """

    week_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(36)
        self.setMouseTracking(True)
        self.weeks: list[date] = []
        self.counts: dict[date, list[int]] = {}
        self.zone: tzinfo | None = None
        self._generation = 0
        self.setToolTip("Incidents, complaints and legal threats per week; click a bar to jump there")

    def sizeHint(self) -> QSize:
        return QSize(400, 40)

    def set_rows(self, rows: list[Any], newest: date | None = None) -> None:
        """``rows``: TimelineRows of incident kinds, newest first."""
        self.set_weeks(weeks_of(rows, newest, self.zone))

    def set_weeks(self, weeks: tuple[list[date], dict[date, list[int]]]) -> None:
        self.weeks, self.counts = weeks
        self.update()

    def load(self, entries_repo: Any, client_id: int | None, tasks: Any = None) -> None:
        """Count the client's incidents per week, on a worker when ``tasks`` is given."""
        self._generation += 1
        if entries_repo is None or client_id is None:
            self.set_rows([])
            return
        generation, zone = self._generation, self.zone

        def count() -> tuple[int, tuple[list[date], dict[date, list[int]]]]:
            # the limit keeps the query short: the GUI thread waits on the same connection
            ids = entries_repo.timeline_ids(client_id, INCIDENT_KINDS, limit=MAX_ROWS)
            newest = None
            newest_ids = entries_repo.timeline_ids(client_id, limit=1) if ids else []
            if newest_ids:
                newest = utc_from_text(entries_repo.timeline_rows(newest_ids)[0].occurred_utc).astimezone(zone).date()
            return generation, weeks_of(entries_repo.timeline_rows(ids), newest, zone)

        if tasks is None:
            self._counted(count())
        else:
            tasks.run(count, self._counted, lambda _error: None)

    def _counted(self, result: tuple[int, tuple[list[date], dict[date, list[int]]]]) -> None:
        generation, weeks = result
        if generation == self._generation:
            self.set_weeks(weeks)

    def _geometry(self) -> tuple[float, float]:
        """(x of the first bar, bar width): bars keep a readable width and end at the right edge."""
        label_w = self.fontMetrics().horizontalAdvance(LABEL) + 16
        area = max(self.width() - label_w, 1)
        bar = min(MAX_BAR, max(MIN_BAR, area / max(len(self.weeks), 1)))
        return self.width() - bar * len(self.weeks), bar

    def _week_at(self, x: float) -> date | None:
        if not self.weeks:
            return None
        left, bar = self._geometry()
        i = int((x - left) // bar) if x >= left else -1
        return self.weeks[i] if 0 <= i < len(self.weeks) else None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        muted = self.palette().placeholderText().color()
        painter.setPen(muted)
        if not self.weeks:
            painter.drawText(self.rect().adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, "No incidents recorded")
            return
        painter.drawText(self.rect().adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, LABEL)
        left, width = self._geometry()
        peak = max((len(v) for v in self.counts.values()), default=1)
        bottom = self.height() - 6.0
        painter.fillRect(QRectF(left, bottom, width * len(self.weeks), 1), QColor("#d0d5dd"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#d92d20"))
        for i, week in enumerate(self.weeks):
            n = len(self.counts.get(week, ()))
            if n:
                h = max(4.0, (self.height() - 12) * n / peak)
                painter.drawRoundedRect(QRectF(left + i * width + 1, bottom - h, max(width - 2, 1), h), 1.5, 1.5)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        week = self._week_at(event.position().x())
        if week is not None:
            n = len(self.counts.get(week, ()))
            QToolTip.showText(
                event.globalPosition().toPoint(), f"Week of {week:%d %b %Y}: {plural(n, 'incident')}", self
            )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        week = self._week_at(event.position().x())
        ids = self.counts.get(week, []) if week else []
        if ids:
            self.week_clicked.emit(ids[0])
