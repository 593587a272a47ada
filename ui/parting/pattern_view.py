"""Pattern and cost: a small bar chart of incidents per month, the verdict, and the numbers.

The chart paints stacked bars (incidents, complaints, legal threats) and a thin
grey bar for contacts behind them, one column per month, the last 12 months.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.parting.pattern import Month, Pattern, client_pattern, summary_lines
from app.words import plural

SERIES = (
    ("incidents", "Incidents", QColor(214, 120, 40)),
    ("complaints", "Complaints", QColor(196, 160, 40)),
    ("threats", "Legal threats", QColor(180, 50, 50)),
)
CONTACTS_COLOR = QColor(150, 160, 175, 110)
MONTHS_SHOWN = 12


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: str, *, with_year: bool) -> str:
    """'2026-05' as 'May 2026' (the first column and each January) or 'May': never '26/05',
    which reads as a day."""
    name = MONTH_NAMES[int(month[5:7]) - 1]
    return f"{name} {month[:4]}" if with_year else name


class PatternChart(QWidget):
    """Bars per month. ``set_months`` replaces the data; painting reads nothing else."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._months: list[Month] = []
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Incidents per month")

    def set_months(self, months: list[Month]) -> None:
        self._months = months[-MONTHS_SHOWN:]
        self.setToolTip(
            "\n".join(
                f"{month_label(m.month, with_year=True)}: {plural(m.trouble, 'incident, complaint or threat', 'incidents, complaints or threats')}, "
                f"{plural(m.contacts, 'contact')}"
                for m in self._months
            )
        )
        self.update()

    def months(self) -> list[Month]:
        return list(self._months)

    def sizeHint(self) -> QSize:
        return QSize(420, 180)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        metrics = painter.fontMetrics()
        legend_h = metrics.height() + 6
        label_h = metrics.height() + 4
        area = QRectF(self.rect()).adjusted(8, legend_h, -8, -label_h)
        self._paint_legend(painter, text_color)
        if not self._months:
            painter.setPen(text_color)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "Nothing recorded yet")
            return
        top = max(1, max(max(m.trouble, m.contacts) for m in self._months))
        slot = area.width() / len(self._months)
        bar_w = min(48.0, max(4.0, slot * 0.55))
        painter.setPen(Qt.PenStyle.NoPen)
        for i, m in enumerate(self._months):
            x = area.left() + i * slot + (slot - bar_w) / 2
            contacts_h = area.height() * m.contacts / top
            painter.setBrush(CONTACTS_COLOR)
            painter.drawRect(QRectF(x - 3, area.bottom() - contacts_h, bar_w + 6, contacts_h))
            y = area.bottom()
            for key, _label, color in SERIES:
                h = area.height() * getattr(m, key) / top
                painter.setBrush(color)
                painter.drawRect(QRectF(x, y - h, bar_w, h))
                y -= h
        painter.setPen(text_color)
        for i, m in enumerate(self._months):
            rect = QRectF(area.left() + i * slot, area.bottom() + 2, slot, label_h)
            label = month_label(m.month, with_year=i == 0 or m.month.endswith("-01"))
            if metrics.horizontalAdvance(label) + 4 > slot:
                label = month_label(m.month, with_year=False)
            if metrics.horizontalAdvance(label) + 4 > slot:
                label = str(int(m.month[5:]))
            painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
        painter.drawText(
            QRectF(area.left(), area.top() - 2, area.width(), label_h), Qt.AlignmentFlag.AlignRight, f"max {top}"
        )

    def _paint_legend(self, painter: QPainter, text_color: QColor) -> None:
        metrics = painter.fontMetrics()
        x = 8.0
        box = metrics.height() * 0.7
        for _key, label, color in (*SERIES, ("contacts", "Contacts", CONTACTS_COLOR)):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRect(QRectF(x, 4 + (metrics.height() - box) / 2, box, box))
            painter.setPen(text_color)
            painter.drawText(QRectF(x + box + 4, 4, 200, metrics.height()), Qt.AlignmentFlag.AlignLeft, label)
            x += box + 16 + metrics.horizontalAdvance(label)


class PatternView(QWidget):
    """The verdict in words, the chart, and the time/money lines for one client."""

    def __init__(self, vault: Any, parent: QWidget | None = None, *, now: datetime | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._now = now
        self.pattern: Pattern | None = None
        self.verdict_label = QLabel()
        self.verdict_label.setWordWrap(True)
        font = self.verdict_label.font()
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.chart = PatternChart()
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.details_label)

    def set_client(self, client_id: int) -> None:
        self.pattern = client_pattern(self._vault, client_id, now=self._now)
        lines = summary_lines(self.pattern)
        self.verdict_label.setText(lines[0][:1].upper() + lines[0][1:])
        self.details_label.setText("\n".join(lines[1:]))
        self.chart.set_months(self.pattern.months)

    def clear(self) -> None:
        self.pattern = None
        self.verdict_label.clear()
        self.details_label.clear()
        self.chart.set_months([])
