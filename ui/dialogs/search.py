"""Global search (Ctrl+K / Ctrl+F): results as you type, snippets highlighted, Enter jumps."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import InvalidQuery
from ui.colours import is_dark, readable_name
from ui.models.roles import SNIPPET_ROLE
from ui.models.search_model import SearchResultsModel
from ui.window_geometry import fit_window
from ui.workers import Tasks, user_message

DEBOUNCE_MS = 120
RESULT_LIMIT = 200  # hits one query shows at most
FIRST_PAGE = 25  # shown as soon as they are read; the rest are appended as they come


def snippet_html(snippet: str, dark: bool = False) -> str:
    """The core marks matches as [word]; show them highlighted (everything else escaped).
    ``dark``: the palette is dark, the highlight is a deep amber under light text."""
    mark = "background:#5c4500;color:#fff3bf" if dark else "background:#fff3bf"
    out = escape(snippet).replace("[", f"<b style='{mark}'>").replace("]", "</b>")
    return out.replace("\n", " ")


class HitDelegate(QStyledItemDelegate):
    """Two lines per hit: title line, then the snippet with the matches highlighted."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text = (palette.highlightedText() if selected else palette.text()).color().name()
        muted = text if selected else readable_name("#475467", palette.base().color())
        title = escape(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        snippet = snippet_html(str(index.data(SNIPPET_ROLE) or ""), is_dark(palette))
        if selected:
            snippet = snippet.replace("background:#fff3bf", "background:#fff3bf;color:#1d2939")
        doc.setHtml(f"<div style='color:{text}'>{title}</div><div style='color:{muted}'>{snippet}</div>")
        doc.setTextWidth(max(option.rect.width() - 32, 100))
        return doc

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # type: ignore[override]
        return QSize(option.rect.width(), option.fontMetrics.height() * 2 + 14)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        painter.save()
        painter.translate(option.rect.left() + 28, option.rect.top() + 4)
        clip = QRectF(0, 0, option.rect.width() - 32, option.rect.height() - 4)
        painter.setClipRect(clip)
        doc.documentLayout().draw(painter, QAbstractTextDocumentLayout.PaintContext())
        painter.restore()


class SearchDialog(QDialog):
    """Signals:
    entry_chosen(object, object): client id, entry id.
    """

    entry_chosen = Signal(object, object)

    def __init__(self, vault: Any, tasks: Tasks, parent: QWidget | None = None, *, zone: Any = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self._generation = 0
        self._answered = 0
        self._enter_pending = False
        self._running: Any = None  # the Progress of the query being read
        self._shown = 0  # hits of the current query on screen
        self.setWindowTitle("Search — Casefile")
        fit_window(self, QSize(720, 480))  # within the screen; see ui/window_geometry.py
        self.query = QLineEdit()
        self.query.setAccessibleName("Search")
        self.query.setPlaceholderText("Search every client: notes, e-mails, attachment names…")
        self.query.setClearButtonEnabled(True)
        self.query.installEventFilter(self)
        self.results = SearchResultsModel(self, zone=zone)
        self.view = QListView()
        self.view.setAccessibleName("Search results")
        self.view.setModel(self.results)
        self.view.setItemDelegate(HitDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.activated.connect(self._choose)
        self.status = QLabel("")
        self.status.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _text: self.debounce.start())
        self.query.returnPressed.connect(self._choose_current)

    def run_search(self) -> None:
        """Start the query on a worker; the one before it, if still running, is cancelled."""
        text = self.query.text()
        self._generation += 1
        generation = self._generation
        if self._running is not None:
            self._running.cancel()  # its SQLite statement stops at the next progress check
            self._running = None
        if not text.strip():
            self._answered = generation
            self.results.set_hits([])
            self.status.setText("")
            return
        vault = self._vault
        self._shown = 0

        def read(progress: Any) -> tuple[int, int]:
            count = 0
            for hits in vault.search_pages(
                text, limit=RESULT_LIMIT, page=FIRST_PAGE, cancelled=lambda: progress.cancelled
            ):
                count += len(hits)
                progress.deliver((generation, hits))
            return generation, count

        self._running = self._tasks.stream(
            read,
            self._show_part,
            self._finished,
            lambda error: self._failed(generation, error),
        )

    def _show_part(self, part: tuple[int, list[Any]]) -> None:
        generation, hits = part
        if generation != self._generation:
            return  # an older query answered late; a newer one is on its way
        if self._shown == 0:
            self.results.set_hits(hits)
            self._answered = generation
            if hits:
                self.view.setCurrentIndex(self.results.index(0, 0))
        else:
            self.results.append_hits(hits)
        self._shown += len(hits)
        self.status.setText(f"{self._shown}… {'result' if self._shown == 1 else 'results'} — Enter opens the entry")
        if self._enter_pending:
            self._enter_pending = False
            self._choose_current()

    def _finished(self, result: tuple[int, int]) -> None:
        generation, count = result
        if generation != self._generation:
            return
        self._running = None
        if count == 0:
            self.results.set_hits([])
        self._answered = generation
        self.status.setText(
            f"{count}{'+' if count == RESULT_LIMIT else ''} {'result' if count == 1 else 'results'} — Enter opens the entry"
        )
        if self._enter_pending:
            self._enter_pending = False
            self._choose_current()

    def _failed(self, generation: int, error: BaseException) -> None:
        from app.search import SearchCancelled

        if generation == self._generation and not isinstance(error, SearchCancelled):
            self._running = None
            self._answered = generation
            self._enter_pending = False
            self.results.set_hits([])
            self.status.setText(str(error) if isinstance(error, InvalidQuery) else user_message(error))

    def done(self, result: int) -> None:
        if self._running is not None:
            self._running.cancel()
            self._running = None
        super().done(result)

    def _choose_current(self) -> None:
        if self.debounce.isActive():
            self.debounce.stop()
            self.run_search()
        if self._answered != self._generation:
            self._enter_pending = True  # Enter before the results came in: open the first one when they do
            return
        index = self.view.currentIndex()
        if index.isValid():
            self._choose(index)

    def _choose(self, index: QModelIndex) -> None:
        hit = self.results.hit(index.row())
        if hit is not None:
            self.entry_chosen.emit(hit.client_id, hit.entry_id)
            self.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down in the query field move through the results."""
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                rows = self.results.rowCount()
                if rows:
                    step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8, Qt.Key.Key_PageUp: -8}[key]
                    row = min(max(self.view.currentIndex().row() + step, 0), rows - 1)
                    self.view.setCurrentIndex(self.results.index(row, 0))
                return True
        return super().eventFilter(watched, event)
