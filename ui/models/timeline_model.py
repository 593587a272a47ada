"""The timeline of one client: a model over entry ids, newest first, rows fetched in pages.

The model holds only the ids (``vault.entries.timeline_id_array``: 8 bytes each, nothing for the
garbage collector to walk); a page of journal rows
(``journal_rows``: time, kind, title, the body's start, marks, thumbnail hash) is fetched
the first time a view asks for one of its rows, with every text the view draws made then,
and at most ``MAX_PAGES`` pages are kept, so a client with a million entries costs a
list of ints, not a million widgets or records. The view is a list (``ui/widgets/
timeline_view.py``) painting column 0 with the ``JOURNAL_ROLE`` object; the other columns
stay for accessibility, copies and tests.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from app.records.display_time import own_time
from app.records.journal import JournalRow
from app.records.models import ENTRY_KINDS
from ui.icons import icon
from ui.models.roles import FIRST_OF_DAY_ROLE, ID_ROLE, JOURNAL_ROLE, KIND_ROLE, RECORD_ROLE, RETRACTED_ROLE
from ui.words import plural

COL_DAY, COL_TIME, COL_KIND, COL_TITLE, COL_FILES = range(5)
HEADERS = ("Day", "Time", "Kind", "What happened", "")
PAGE_SIZE = 256
FIRST_IDS = 4 * PAGE_SIZE  # read at once when a client is opened; the rest on a worker
MAX_PAGES = 64
MAX_MISSING = 32  # rows read on the GUI thread to complete a page assembled after an insertion
# The neighbouring pages are read this long after the paint that asked: the view needs them frames
# later (a page is 256 rows), and a worker building one holds the GIL for a few ms, which a client's
# first frame and what follows it (the detail pane, the strip) should not share.
PREFETCH_DELAY_MS = 40
INCIDENT_KINDS = ("incident", "complaint", "legal_threat")

Index = QModelIndex | QPersistentModelIndex


_WEEKDAYS: dict[int, str] = {}  # weekday() -> "%a" in the locale's words
_MONTHS: dict[int, str] = {}  # month -> "%b"


def _weekday(local: datetime) -> str:
    """``local.strftime("%a")``, asked of strftime once per weekday: each call costs ~30 µs
    (it imports ``time`` through shiboken's import hook), and a frame shows a dozen rows."""
    name = _WEEKDAYS.get(local.weekday())
    if name is None:
        name = _WEEKDAYS[local.weekday()] = local.strftime("%a")
    return name


def _month(local: datetime) -> str:
    name = _MONTHS.get(local.month)
    if name is None:
        name = _MONTHS[local.month] = local.strftime("%b")
    return name


class _Row:
    """A fetched row. Its local time (for the day grouping) is computed when its page is
    fetched; the texts the journal view draws are made the first time the row is drawn, once:
    a page fetch formats nothing (256 strftime calls were most of a scroll frame that crossed
    a page), and a frame only formats the rows that newly came into view. The table's cells
    (tests, accessibility, copies) are made only when one is asked for."""

    __slots__ = (
        "_cells",
        "_day_number",
        "_day_rest",
        "_made",
        "_marks",
        "_own",
        "_time",
        "first_of_day",
        "local",
        "row",
        "zone",
    )

    def __init__(self, row: JournalRow, zone: tzinfo | None, previous_day: date | None) -> None:
        self.row = row
        self.zone = zone
        self.local: datetime = datetime.fromisoformat(row.occurred_utc[:-1] + "+00:00").astimezone(zone)
        self.first_of_day = previous_day is None or self.local.date() != previous_day
        self._made = False
        self._cells: tuple[str, ...] | None = None

    def _make(self) -> None:
        row, local = self.row, self.local
        self._own = own_time(local, row.occurred_offset, row.occurred_tz, self.zone)  # "" when the same
        self._time = f"{local.hour:02d}:{local.minute:02d}"
        self._day_number = str(local.day)
        self._day_rest = (_weekday(local), f"{_month(local)} {local.year}")  # "%a", "%b %Y"
        if row.private or row.attachment_count or row.revisions > 1:
            marks = ["Private"] if row.private else []  # left out of dossiers unless asked for
            if row.attachment_count:
                marks.append(plural(row.attachment_count, "file"))
            if row.revisions > 1:
                marks.append(f"edited ({plural(row.revisions - 1, 'revision')})")
            self._marks = " · ".join(marks)
        else:
            self._marks = ""
        self._made = True

    @property
    def cells(self) -> tuple[str, ...]:
        """Display text per column (the table roles, for tests, accessibility and copies)."""
        if self._cells is None:
            row, local = self.row, self.local
            self._cells = (
                f"{_weekday(local)} {local.day:02d} {_month(local)} {local.year}",  # "%a %d %b %Y"
                self.time,
                ENTRY_KINDS.get(row.kind, row.kind),
                row.title,
                str(row.attachment_count) if row.attachment_count else "",
            )
        return self._cells

    @property
    def time(self) -> str:
        if not self._made:
            self._make()
        return self._time

    @property
    def own(self) -> str:
        if not self._made:
            self._make()
        return self._own

    @property
    def marks(self) -> str:
        if not self._made:
            self._make()
        return self._marks

    @property
    def day_number(self) -> str:
        if not self._made:
            self._make()
        return self._day_number

    @property
    def day_rest(self) -> tuple[str, str]:
        if not self._made:
            self._make()
        return self._day_rest


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
        self._ids: array[int] = array("q")
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, list[_Row | None]] = OrderedDict()
        self._rows_epoch = 0  # changes whenever fetched rows are forgotten
        self._prefetching: set[int] = set()  # page numbers asked of a worker (queued or being read)
        self._prefetch_queue: list[int] = []  # asked during this paint; sent once it is done
        self._spare: dict[int, _Row] = {}  # rows of pages forgotten at an insertion (_forget_rows)
        self._strike = QFont()
        self._strike.setStrikeOut(True)
        self._bold = QFont()
        self._bold.setBold(True)

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
        self._ids = self._repo.timeline_id_array(client_id, limit=limit) if has_client else array("q")
        self._forget_rows()
        self.endResetModel()
        self._pending = None
        if has_client and limit is not None and len(self._ids) == limit:
            generation, repo = self._generation, self._repo
            self._pending = lambda: (generation, repo.timeline_id_array(client_id))

    def start_pending_load(self) -> None:
        """Read the rest of the ids on a worker. Called once the first screen has painted: the
        worker and the GUI share one connection, and the first frame must not wait for it."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._tasks.run(pending, self._all_ids_arrived, lambda _error: None)

    def _all_ids_arrived(self, result: tuple[int, array[int]]) -> None:
        generation, ids = result
        if generation != self._generation:
            return  # another client (or a lock) came in between
        old = self._ids
        if ids[: len(old)] == old and len(ids) > len(old):
            self.beginInsertRows(QModelIndex(), len(old), len(ids) - 1)
            self._ids = ids
            # The pages read so far stay (the rows in view are not built again on the GUI
            # thread), but for the last one, which the first read may have cut short.
            self._drop_pages(page_no for page_no in list(self._pages) if page_no >= len(old) // PAGE_SIZE)
            self._row_of = None
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
        self._ids = array("q")
        self._forget_rows()
        self.endResetModel()

    def _forget_rows(self, inserted: bool = False) -> None:
        """Forget the fetched pages (their rows moved, or may have changed). ``inserted``: rows
        came in among them; the rows fetched so far are kept aside, so the next paint assembles
        its page from them (then reads that page again on a worker, in case one changed) instead
        of reading and building it on the GUI thread — an import of many files inserts rows at
        every commit."""
        if inserted and self._tasks is not None:
            # Added to what an earlier run of the same insertion kept (its pages are gone now).
            self._spare.update(
                (made.row.id, made) for page in self._pages.values() for made in page if made is not None
            )
            if len(self._spare) >= 2 * MAX_PAGES * PAGE_SIZE:
                self._spare = {}
        else:
            self._spare = {}
        self._pages.clear()
        self._row_of = None
        self._rows_epoch += 1  # pages being read on a worker are for rows no longer shown
        self._prefetching = set()
        self._prefetch_queue = []

    def refresh_ids(self) -> None:
        """After an entry was added: insert its row where it belongs, or reload if more changed."""
        if self._repo is None or self._client_id is None:
            return
        self._generation += 1
        new = self._repo.timeline_id_array(self._client_id)
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

    def refresh_newest(self, total: int, newest: array[int] | None = None) -> bool:
        """Something was added or changed (here or by another connection). Fetched rows may have
        changed, so they are forgotten (the visible page is read again: one small read); entries
        added among the newest ``FIRST_IDS`` are inserted in place, so the selection and the rows
        in view stay — one bounded read, never every id. ``total`` is the client's entry count;
        ``newest``, its newest ids if a worker read them (``newest_reader``) with that count.
        Returns False when more than that changed: then the caller reads every id on a worker and
        hands them to ``replace_ids``."""
        if self._repo is None or self._client_id is None:
            return True
        if newest is None:
            newest = self._repo.timeline_id_array(self._client_id, limit=FIRST_IDS)
        old = self._ids
        added = total - len(old)
        if added < 0 or added > len(newest):
            return False
        window = set(old[: len(newest)])
        fresh = {i for i in newest if i not in window}
        if len(fresh) != added or [i for i in newest if i not in fresh] != old[: len(newest) - added].tolist():
            return False
        self._generation += 1
        runs = insertion_runs(old[: len(newest) - added], newest)
        assert runs is not None  # checked above: newest is the shown rows with the fresh ones among them
        self._insert_runs(newest, runs)
        if not added and old:
            self._forget_rows()
            self.dataChanged.emit(self.index(0, 0), self.index(len(old) - 1, len(HEADERS) - 1))
        return True

    def newest_reader(self) -> Any:
        """A function for a worker: (the client shown now, its newest ids) for ``refresh_newest``."""
        repo, client_id = self._repo, self._client_id

        def read() -> tuple[int | None, array[int] | None]:
            if repo is None or client_id is None:
                return client_id, None
            return client_id, repo.timeline_id_array(client_id, limit=FIRST_IDS)

        return read

    def all_ids_loader(self) -> Any:
        """A function for a worker that reads every id of this client and finds where the new
        ones go among those shown (``insertion_runs``), tagged for ``replace_ids``."""
        generation, repo, client_id, shown = self._generation, self._repo, self._client_id, self._ids

        def load() -> tuple[int, int | None, array[int], list[tuple[int, int]] | None]:
            ids = repo.timeline_id_array(client_id) if repo and client_id else array("q")
            # ``shown`` may change meanwhile (the GUI thread inserts in place): then the generation
            # has moved too, and replace_ids drops this answer.
            return generation, client_id, ids, insertion_runs(shown, ids)

        return load

    def replace_ids(self, result: tuple[int, int | None, array[int], list[tuple[int, int]] | None]) -> bool:
        """Every id, read on a worker; False if the client changed meanwhile (nothing done).
        New ids among the old ones are inserted in place, a run at a time, keeping the rows and
        the selection (an Inbox taking a batch of older emails); any other change resets."""
        generation, client_id, ids, runs = result
        if generation != self._generation or client_id != self._client_id:
            return False
        self._generation += 1
        if runs is None:
            self.beginResetModel()
            self._ids = ids
            self._forget_rows()
            self.endResetModel()
            return True
        self._insert_runs(ids, runs)
        return True

    def _insert_runs(self, new: array[int], runs: list[tuple[int, int]]) -> None:
        """Take ``new``'s ids at ``runs`` (``insertion_runs``), one insertion per run: each
        insertion makes the view and its selection model move every row below it (an import of
        50 files row by row was 50 of them)."""
        for position, count in runs:
            self.beginInsertRows(QModelIndex(), position, position + count - 1)
            self._ids[position:position] = new[position : position + count]
            self._forget_rows(inserted=True)
            self.endInsertRows()

    def entry_changed(self, entry_id: int) -> bool:
        """A revision or retraction: refetch that row's page only. If its time moved past a
        neighbour, the order changed: returns False (the caller reloads every id on a worker)."""
        row = self.row_of(entry_id)
        if row < 0 or self._repo is None:
            return True
        fresh = self._repo.journal_rows([entry_id])
        if fresh:
            key = (fresh[0].occurred_utc, entry_id)
            above, below = self._fetched(row - 1) if row else None, self._fetched(row + 1)
            if (above is not None and (above.row.occurred_utc, above.row.id) < key) or (
                below is not None and (below.row.occurred_utc, below.row.id) > key
            ):
                return False
        self._drop_pages(
            (row // PAGE_SIZE, (row + 1) // PAGE_SIZE)
        )  # the next page's first row knows its day from this one
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        return True

    def _drop_pages(self, page_nos: Iterable[int]) -> None:
        """Forget these pages; the others stay. A page read on a worker before now would bring
        the old rows back, so every answer in flight is dropped (the next paint asks again)."""
        for page_no in page_nos:
            self._pages.pop(page_no, None)
        self._rows_epoch += 1
        self._prefetching = set()
        self._prefetch_queue = []

    def refresh_ids_full(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._ids = self._repo.timeline_id_array(self._client_id) if self._repo is not None else array("q")
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
            page = self._fetch_page(page_no)
        else:
            self._pages.move_to_end(page_no)
        if self._tasks is not None:
            self._prefetch_around(page_no)
        offset = row - page_no * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def _page_ids(self, page_no: int) -> tuple[list[int], list[int]]:
        start = page_no * PAGE_SIZE
        return self._ids[start : start + PAGE_SIZE].tolist(), (self._ids[start - 1 : start].tolist() if start else [])

    def _fetch_page(self, page_no: int) -> list[_Row | None]:
        """One read per page; it includes the row above the page, so each row knows whether it
        opens a day without another lookup during a paint. After an insertion the page is first
        assembled from the rows fetched before it, if they are all there."""
        ids, above = self._page_ids(page_no)
        page: list[_Row | None] = [None] * len(ids)
        missing = [entry_id for entry_id in ids + above if entry_id not in self._spare]
        if self._spare and len(missing) <= MAX_MISSING and self._repo is not None:
            for found in self._repo.journal_rows(missing):  # the new rows only: a small read
                self._spare[found.id] = _Row(found, self.zone, None)
            if all(entry_id in self._spare for entry_id in ids + above):
                page = self._assembled(ids, above)
                self._keep_page(page_no, page)
                self._read_again(page_no)
                return page
        if self._repo is not None:
            page = _build_page(self._repo, ids, above, self.zone)
        self._keep_page(page_no, page)
        return page

    def _assembled(self, ids: list[int], above: list[int]) -> list[_Row | None]:
        spare = self._spare
        previous = spare[above[0]].local.date() if above else None
        page: list[_Row | None] = []
        for entry_id in ids:
            made = spare[entry_id]
            made.first_of_day = previous is None or made.local.date() != previous  # its neighbour may be new
            previous = made.local.date()
            page.append(made)
        return page

    def _read_again(self, page_no: int) -> None:
        """An assembled page is read again on a worker: a row may have changed meanwhile (live
        refresh after another process's commit); the answer replaces it and repaints its rows."""
        repo, zone, epoch, tasks = self._repo, self.zone, self._rows_epoch, self._tasks
        if repo is None or tasks is None:
            return
        ids, above = self._page_ids(page_no)
        tasks.run(
            lambda: (epoch, page_no, _build_page(repo, ids, above, zone, make=True)),
            self._read_again_arrived,
            lambda _error: None,
        )

    def _read_again_arrived(self, result: tuple[int, int, list[_Row | None]]) -> None:
        epoch, page_no, page = result
        if epoch != self._rows_epoch or page_no not in self._pages:
            return  # forgotten meanwhile: the next paint reads it again anyway
        if _same_rows(self._pages[page_no], page):
            return  # as assembled (the usual answer): nothing to draw again
        self._pages[page_no] = page
        first = page_no * PAGE_SIZE
        self.dataChanged.emit(self.index(first, 0), self.index(first + len(page) - 1, len(HEADERS) - 1))

    def _keep_page(self, page_no: int, page: list[_Row | None]) -> None:
        self._pages[page_no] = page
        self._pages.move_to_end(page_no)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    def _prefetch_around(self, page_no: int) -> None:
        """The pages either side of one being drawn are read on a worker (its own read connection)
        before the view reaches them: a scroll frame that crosses into a new page then finds it
        made, instead of reading and building 257 rows on the GUI thread (a page read at 1 M
        entries was the slowest frame of a scroll). The reads start ``PREFETCH_DELAY_MS`` after
        the frame being painted: a worker holding the GIL must not slow the first paint of a
        client. Nothing waits for them; a paint that gets there first reads the page itself, and
        an answer for rows forgotten since is dropped."""
        for near in (page_no + 1, page_no - 1):
            if near < 0 or near * PAGE_SIZE >= len(self._ids) or near in self._pages or near in self._prefetching:
                continue
            self._prefetching.add(near)
            if not self._prefetch_queue:
                QTimer.singleShot(PREFETCH_DELAY_MS, self, self._start_prefetch)
            self._prefetch_queue.append(near)

    def _start_prefetch(self) -> None:
        queue, self._prefetch_queue = self._prefetch_queue, []
        repo, zone, epoch = self._repo, self.zone, self._rows_epoch
        for near in queue:
            if repo is None or near in self._pages or near not in self._prefetching:
                self._prefetching.discard(near)
                continue
            ids, above = self._page_ids(near)
            self._tasks.run(
                lambda near=near, ids=ids, above=above: (epoch, near, _build_page(repo, ids, above, zone, make=True)),
                self._prefetched,
                lambda _error, near=near: self._prefetch_failed(epoch, near),
            )

    def _prefetched(self, result: tuple[int, int, list[_Row | None]]) -> None:
        epoch, page_no, page = result
        if epoch != self._rows_epoch:
            return  # the rows were forgotten meanwhile (another client, an edit, a lock)
        self._prefetching.discard(page_no)
        if page_no not in self._pages:
            self._keep_page(page_no, page)

    def _prefetch_failed(self, epoch: int, page_no: int) -> None:
        if epoch == self._rows_epoch:
            self._prefetching.discard(page_no)  # a paint that needs it reads it itself

    def first_of_day(self, row: int) -> bool:
        fetched = self._fetched(row)
        return fetched is None or fetched.first_of_day

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
            if entry.retracted:  # a palette role, so a dark palette keeps it readable
                return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        elif role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(fetched)
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
        elif role == JOURNAL_ROLE:
            return fetched
        return None


def insertion_runs(old: Sequence[int], new: Sequence[int], block: int = 4096) -> list[tuple[int, int]] | None:
    """Where ``new`` has ids that ``old`` lacks, as (position in ``new``, count) runs in order,
    if ``new`` is ``old`` with ids inserted; None if anything else changed (an id gone, or
    moved). Runs of equal ids are skipped a block at a time (C-speed comparison of slices:
    both are arrays, or both lists)."""
    if len(new) < len(old):
        return None
    runs: list[tuple[int, int]] = []
    i = j = 0
    while j < len(new):
        if i < len(old) and old[i : i + block] == new[j : j + block]:
            step = min(block, len(old) - i)
            i, j = i + step, j + step
            continue
        if i < len(old) and new[j] == old[i]:
            i, j = i + 1, j + 1
            continue
        start = j
        while j < len(new) and (i >= len(old) or new[j] != old[i]):
            j += 1
        runs.append((start, j - start))
    return runs if i == len(old) else None


def _same_rows(shown: list[_Row | None], read: list[_Row | None]) -> bool:
    """The same entries in the same state, opening the same days (a full repaint of the rows in
    view costs the GUI thread a few ms, several times that while a worker holds the GIL)."""
    return len(shown) == len(read) and all(
        a is b or (a is not None and b is not None and a.row == b.row and a.first_of_day == b.first_of_day)
        for a, b in zip(shown, read, strict=True)
    )


def _build_page(
    repo: Any, ids: list[int], above: list[int], zone: tzinfo | None, *, make: bool = False
) -> list[_Row | None]:
    """A page of rows for ``ids`` (``above``: the id of the row just above it, or nothing).
    No Qt: runs on the GUI thread or on a worker; ``make`` formats every row's texts now (a
    worker's page: the GUI thread then only draws)."""
    fetched = repo.journal_rows(above + ids)
    by_id = {r.id: r for r in fetched}
    previous: date | None = None
    if above and above[0] in by_id:
        previous = datetime.fromisoformat(by_id[above[0]].occurred_utc[:-1] + "+00:00").astimezone(zone).date()
    page: list[_Row | None] = []
    for entry_id in ids:
        found = by_id.get(entry_id)
        made = _Row(found, zone, previous) if found is not None else None
        previous = made.local.date() if made is not None else None
        if make and made is not None:
            made._make()
        page.append(made)
    return page


def tooltip(fetched: _Row) -> str:
    entry = fetched.row
    when = fetched.local.strftime("%A %d %B %Y, %H:%M")
    parts = [f"{fetched.cells[COL_KIND]} — {entry.title}", f"{when} ({fetched.own})" if fetched.own else when]
    if entry.attachment_count:
        parts.append(plural(entry.attachment_count, "attachment"))
    if entry.revisions > 1:
        parts.append(f"Edited: {plural(entry.revisions - 1, 'revision')} (the history is in the detail pane)")
    if entry.retracted:
        parts.append(f"Retracted: {entry.retraction_reason}" if entry.retraction_reason else "Retracted")
    return "\n".join(parts)


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
        JOURNAL_ROLE,
    }
)
