"""The timeline of one client: a table over entry ids, newest first, rows fetched in pages.

The model holds only the ids (``vault.entries.timeline_ids``); a page of light rows
(``timeline_rows``) is fetched the first time a view asks for one of its cells, and
at most ``MAX_PAGES`` pages are kept, so a client with a million entries costs a
list of ints, not a million widgets or records.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.records.models import ENTRY_KINDS, TimelineRow
from ui.icons import icon
from ui.models.roles import FIRST_OF_DAY_ROLE, ID_ROLE, KIND_ROLE, RECORD_ROLE, RETRACTED_ROLE
from ui.words import plural

COL_DAY, COL_TIME, COL_KIND, COL_TITLE, COL_FILES = range(5)
HEADERS = ("Day", "Time", "Kind", "What happened", "")
PAGE_SIZE = 256
FIRST_IDS = 4 * PAGE_SIZE  # read at once when a client is opened; the rest on a worker
MAX_PAGES = 64
INCIDENT_KINDS = ("incident", "complaint", "legal_threat")

Index = QModelIndex | QPersistentModelIndex


class _Row:
    """A fetched row plus its local time, computed once."""

    __slots__ = ("cells", "local", "row")

    def __init__(self, row: TimelineRow, zone: tzinfo | None) -> None:
        self.row = row
        self.local: datetime = datetime.fromisoformat(row.occurred_utc[:-1] + "+00:00").astimezone(zone)
        # display text per column, made once per fetch: a frame asks for it hundreds of times
        self.cells = (
            self.local.strftime("%a %d %b %Y"),
            self.local.strftime("%H:%M"),
            ENTRY_KINDS.get(row.kind, row.kind),
            row.title,
            str(row.attachment_count) if row.attachment_count else "",
        )


class TimelineModel(QAbstractTableModel):
    def __init__(
        self, entries_repo: Any = None, parent: Any = None, *, zone: tzinfo | None = None, tasks: Any = None
    ) -> None:
        super().__init__(parent)
        self._repo = entries_repo
        self._tasks = tasks  # a ui.workers.Tasks: the rest of a long timeline is read on a worker
        self._generation = 0
        self._pending: Any = None
        self.zone = zone  # the zone days and times are shown in (None: the machine's)
        self._client_id: int | None = None
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, list[_Row | None]] = OrderedDict()
        self._strike = QFont()
        self._strike.setStrikeOut(True)
        self._bold = QFont()
        self._bold.setBold(True)
        self._muted = QColor("#8a94a6")
        self._alarm = QColor("#b42318")

    # -- loading -----------------------------------------------------------

    @property
    def client_id(self) -> int | None:
        return self._client_id

    def set_client(self, client_id: int | None) -> None:
        """Show a client's timeline. With ``tasks``, only the newest ``FIRST_IDS`` ids are read here
        and the rest arrive from a worker, so a client with a million entries paints at once."""
        self._generation += 1
        limit = FIRST_IDS if self._tasks is not None else None
        self.beginResetModel()
        self._client_id = client_id
        has_client = self._repo is not None and client_id is not None
        self._ids = self._repo.timeline_ids(client_id, limit=limit) if has_client else []
        self._forget_rows()
        self.endResetModel()
        self._pending = None
        if has_client and limit is not None and len(self._ids) == limit:
            generation, repo = self._generation, self._repo
            self._pending = lambda: (generation, repo.timeline_ids(client_id))

    def start_pending_load(self) -> None:
        """Read the rest of the ids on a worker. Called once the first screen has painted: the
        worker and the GUI share one connection, and the first frame must not wait for it."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._tasks.run(pending, self._all_ids_arrived, lambda _error: None)

    def _all_ids_arrived(self, result: tuple[int, list[int]]) -> None:
        generation, ids = result
        if generation != self._generation:
            return  # another client (or a lock) came in between
        old = self._ids
        if ids[: len(old)] == old and len(ids) > len(old):
            self.beginInsertRows(QModelIndex(), len(old), len(ids) - 1)
            self._ids = ids
            self._forget_rows()  # the last cached page was cut short by the first read
            self.endInsertRows()
        elif ids != old:
            self.beginResetModel()
            self._ids = ids
            self._forget_rows()
            self.endResetModel()

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._repo = None
        self._client_id = None
        self._ids = []
        self._forget_rows()
        self.endResetModel()

    def _forget_rows(self) -> None:
        self._pages.clear()
        self._row_of = None

    def refresh_ids(self) -> None:
        """After an entry was added: insert its row where it belongs, or reload if more changed."""
        if self._repo is None or self._client_id is None:
            return
        self._generation += 1
        new = self._repo.timeline_ids(self._client_id)
        old = self._ids
        if len(new) == len(old) + 1:
            at = next((i for i, (a, b) in enumerate(zip(new, old, strict=False)) if a != b), len(old))
            if new[:at] + new[at + 1 :] == old:
                self.beginInsertRows(QModelIndex(), at, at)
                self._ids = new
                self._forget_rows()
                self.endInsertRows()
                return
        if new != old:
            self.beginResetModel()
            self._ids = new
            self._forget_rows()
            self.endResetModel()

    def refresh_newest(self, total: int) -> bool:
        """Another connection committed. Fetched rows may have changed, so they are forgotten
        (the visible page is read again: one small read); entries added at the top are
        inserted in place, so the selection and the rows in view stay. ``total`` is the
        client's entry count. Returns False when more than that changed: then the caller
        reads every id on a worker and hands them to ``replace_ids``."""
        if self._repo is None or self._client_id is None:
            return True
        newest = self._repo.timeline_ids(self._client_id, limit=FIRST_IDS)
        old = self._ids
        added = len(newest) if not old else next((i for i, e in enumerate(newest) if e == old[0]), -1)
        if added < 0 or newest[added:] != old[: len(newest) - added] or len(old) + added != total:
            return False
        self._generation += 1
        if added:
            self.beginInsertRows(QModelIndex(), 0, added - 1)
            self._ids = newest[:added] + old
            self._forget_rows()
            self.endInsertRows()
        elif old:
            self._forget_rows()
            self.dataChanged.emit(self.index(0, 0), self.index(len(old) - 1, len(HEADERS) - 1))
        return True

    def all_ids_loader(self) -> Any:
        """A function for a worker that reads every id of this client, tagged for ``replace_ids``."""
        generation, repo, client_id = self._generation, self._repo, self._client_id
        return lambda: (generation, client_id, repo.timeline_ids(client_id) if repo and client_id else [])

    def replace_ids(self, result: tuple[int, int | None, list[int]]) -> bool:
        """Every id, read on a worker; False if the client changed meanwhile (nothing done)."""
        generation, client_id, ids = result
        if generation != self._generation or client_id != self._client_id:
            return False
        self._generation += 1
        self.beginResetModel()
        self._ids = ids
        self._forget_rows()
        self.endResetModel()
        return True

    def entry_changed(self, entry_id: int) -> None:
        """A revision or retraction: refetch that row only (its time may have moved: then reload)."""
        row = self.row_of(entry_id)
        if row < 0:
            return
        if self._repo.timeline_ids(self._client_id) != self._ids:
            self.refresh_ids_full()
            return
        self._pages.pop(row // PAGE_SIZE, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def refresh_ids_full(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._ids = self._repo.timeline_ids(self._client_id) if self._repo is not None else []
        self._forget_rows()
        self.endResetModel()

    # -- lookups -----------------------------------------------------------

    def entry_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, entry_id: int) -> int:
        if self._row_of is None:
            self._row_of = {entry_id: row for row, entry_id in enumerate(self._ids)}
        return self._row_of.get(entry_id, -1)

    def _fetched(self, row: int) -> _Row | None:
        page_no = row // PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            start = page_no * PAGE_SIZE
            ids = self._ids[start : start + PAGE_SIZE]
            by_id = {r.id: _Row(r, self.zone) for r in self._repo.timeline_rows(ids)} if self._repo is not None else {}
            page = [by_id.get(i) for i in ids]
            self._pages[page_no] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        offset = row - page_no * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def first_of_day(self, row: int) -> bool:
        if row == 0:
            return True
        this, above = self._fetched(row), self._fetched(row - 1)
        return this is None or above is None or this.local.date() != above.local.date()

    # -- Qt API --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:
            return None  # alignment, background, check state …: asked for every cell, never set
        row = index.row()
        if not 0 <= row < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[row]
        fetched = self._fetched(row)
        col = index.column()
        if fetched is None:
            return "(missing)" if role == Qt.ItemDataRole.DisplayRole and col == COL_TITLE else None
        entry = fetched.row
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_DAY and not self.first_of_day(row):
                return ""
            return fetched.cells[col]
        if role == Qt.ItemDataRole.DecorationRole:
            if col == COL_KIND:
                return icon(entry.kind)
            if col == COL_FILES and entry.attachment_count:
                return icon("attachment")
        elif role == Qt.ItemDataRole.FontRole:
            if entry.retracted and col in (COL_TITLE, COL_KIND):
                return self._strike
            if col == COL_DAY:
                return self._bold
        elif role == Qt.ItemDataRole.ForegroundRole:
            if entry.retracted:
                return self._muted
            if entry.kind in INCIDENT_KINDS and col == COL_KIND:
                return self._alarm
        elif role == Qt.ItemDataRole.ToolTipRole:
            parts = [f"{fetched.cells[COL_KIND]} — {entry.title}", fetched.local.strftime("%c")]
            if entry.attachment_count:
                parts.append(plural(entry.attachment_count, "attachment"))
            if entry.retracted:
                parts.append("Retracted")
            return "\n".join(parts)
        elif role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{fetched.cells[col]}{' (retracted)' if entry.retracted else ''}"
        elif role == KIND_ROLE:
            return entry.kind
        elif role == RETRACTED_ROLE:
            return entry.retracted
        elif role == FIRST_OF_DAY_ROLE:
            return self.first_of_day(row)
        elif role == RECORD_ROLE:
            return entry
        return None


_ROLES = frozenset(
    {
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.DecorationRole),
        int(Qt.ItemDataRole.FontRole),
        int(Qt.ItemDataRole.ForegroundRole),
        int(Qt.ItemDataRole.ToolTipRole),
        int(Qt.ItemDataRole.AccessibleTextRole),
        ID_ROLE,
        KIND_ROLE,
        RETRACTED_ROLE,
        FIRST_OF_DAY_ROLE,
        RECORD_ROLE,
    }
)
