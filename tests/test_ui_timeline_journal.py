"""The timeline reads like a journal: day gutter, time, kind, title, the body's start, marks,
inline photo thumbnails, retracted entries struck through with the reason on hover, and one
display time zone for the timeline, the detail pane and the capture dialog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt

from app.records.models import EntryFields
from tests.conftest import CORPUS

HEIC = CORPUS / "images" / "heic" / "IMG_5195.HEIC"
JPEG = CORPUS / "images" / "jpeg" / "Canon_40D.jpg"


def _view(model: Any, thumbs: Any = None) -> Any:
    from ui.widgets.timeline_view import TimelineView

    view = TimelineView(thumbs=thumbs)
    view.setModel(model)
    view.resize(QSize(900, 600))
    return view


def test_a_row_shows_time_title_body_and_marks_and_a_retraction_on_hover(vault: Any, qtbot: Any) -> None:
    from ui.models.roles import FIRST_OF_DAY_ROLE, JOURNAL_ROLE
    from ui.models.timeline_model import TimelineModel

    client = vault.clients.add("Story")
    day = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    body = "He called at nine.\nHe said the tile was cracked and wanted a refund.\n\nThird line here."
    first = vault.entries.log(client.id, EntryFields("call", day, "Morning call", body=body))
    vault.entries.revise(first.id, EntryFields("call", day, "Morning call (angry)", body=body), note="title")
    wrong = vault.entries.log(client.id, EntryFields("note", day + timedelta(hours=2), "Wrong client"))
    vault.entries.retract(wrong.id, "Logged for the wrong client")
    vault.entries.log(client.id, EntryFields("incident", day + timedelta(days=1), "Shouted on site"))

    model = TimelineModel(vault.entries, zone=UTC)
    model.set_client(client.id)
    rows = [model.index(r, 0).data(JOURNAL_ROLE) for r in range(3)]
    assert [r.row.title for r in rows] == ["Shouted on site", "Wrong client", "Morning call (angry)"]
    assert [model.index(r, 0).data(FIRST_OF_DAY_ROLE) for r in range(3)] == [True, True, False]
    assert rows[2].time == "09:00" and rows[2].day_number == "2" and rows[2].day_rest == ("Mon", "Mar 2026")
    assert rows[2].row.snippet.startswith("He called at nine. He said the tile")  # two lines' worth, folded
    assert "edited (1 revision)" in rows[2].marks
    tip = model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Retracted: Logged for the wrong client" in tip
    from ui.models.timeline_model import COL_TITLE

    assert model.index(1, COL_TITLE).data(Qt.ItemDataRole.FontRole).strikeOut()

    view = _view(model)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    heights = {view.visualRect(model.index(r, 0)).height() for r in range(3)}
    assert heights == {view.delegate.row_height}  # one height: a million rows are never measured
    assert view.visualRect(model.index(0, 0)).width() >= view.viewport().width() - 2
    image = view.viewport().grab().toImage()
    assert not image.isNull()
    view.selectRow(2)
    assert view.currentIndex().row() == 2 and view.rowAt(view.visualRect(model.index(2, 0)).center().y()) == 2


def test_a_private_entry_is_marked_private_in_the_timeline(vault: Any) -> None:
    """Private entries are left out of dossiers unless asked for: the owner sees which they are."""
    from ui.models.roles import JOURNAL_ROLE
    from ui.models.timeline_model import TimelineModel

    client = vault.clients.add("Story")
    day = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    vault.entries.log(client.id, EntryFields("note", day, "Site visit"))
    vault.entries.log(client.id, EntryFields("note", day + timedelta(hours=1), "For counsel", private=True))
    model = TimelineModel(vault.entries, zone=UTC)
    model.set_client(client.id)
    assert [model.index(r, 0).data(JOURNAL_ROLE).marks for r in range(2)] == ["Private", ""]


def test_photos_show_inline_from_the_stored_thumbnail_and_the_cache_stays_bounded(
    vault: Any, qapp: Any, qtbot: Any, monkeypatch: Any
) -> None:
    from app.ingest.importer import import_path
    from ui.models import timeline_thumbs
    from ui.models.roles import JOURNAL_ROLE
    from ui.models.timeline_model import TimelineModel
    from ui.models.timeline_thumbs import TimelineThumbnails
    from ui.workers import Tasks

    client = vault.clients.add("Photos")
    for path in (HEIC, JPEG):
        assert import_path(vault, client.id, path).ok
    tasks = Tasks(parent=qapp)
    thumbs = TimelineThumbnails(vault.attachments, tasks, side=64)
    model = TimelineModel(vault.entries, zone=UTC)
    model.set_client(client.id)
    shas = [model.index(r, 0).data(JOURNAL_ROLE).row.thumb_sha256 for r in range(2)]
    assert all(shas)
    view = _view(model, thumbs)
    qtbot.addWidget(view)
    with qtbot.waitSignals([thumbs.arrived, thumbs.arrived], timeout=10_000):
        view.show()
        qtbot.waitExposed(view)
    for sha in shas:
        qtbot.waitUntil(lambda sha=sha: thumbs.get(sha) is not None, timeout=10_000)
        pixmap = thumbs.get(sha)
        assert pixmap is not None and min(pixmap.width(), pixmap.height()) == 64
    # the painted row holds the photo, not the placeholder: its pixels vary
    view.viewport().repaint()
    rect = view.visualRect(model.index(0, 0))
    side = view.delegate.thumb_side
    image = view.viewport().grab().toImage()
    centre_x, centre_y = rect.right() - 8 - side // 2, rect.center().y()
    ring = [(dx, dy) for dx in (-22, -17, 17, 22) for dy in (-22, -17, 17, 22)]  # outside the placeholder's icon
    colours = {image.pixel(centre_x + dx, centre_y + dy) for dx, dy in ring}
    assert len(colours) > 3
    tasks.wait()

    monkeypatch.setattr(timeline_thumbs, "MAX_CACHED", 1)
    for sha in shas:
        thumbs._loaded((thumbs._generation, sha, None))
    assert len(thumbs._cache) == 1
    thumbs.clear()
    assert thumbs.get(shas[0]) is None and not thumbs._in_flight  # locked: nothing is read


def test_one_display_zone_for_timeline_detail_and_capture(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.quick_capture import QuickCaptureDialog
    from ui.models.roles import JOURNAL_ROLE

    session = demo_session
    vault = session.vault
    window = session.window
    client = window.current_client()
    new_york = datetime(2026, 10, 5, 9, 5, tzinfo=timezone(timedelta(hours=-4)))
    entry = vault.entries.log(
        client.id, EntryFields("call", new_york, "Call from New York", occurred_tz="America/New_York")
    )
    vault.settings.set("display_timezone", "Europe/Paris")
    qtbot.waitUntil(lambda: window.zone == ZoneInfo("Europe/Paris"), timeout=5000)
    window.select_entry(entry.id)
    row = window.timeline.index(window.timeline.row_of(entry.id), 0).data(JOURNAL_ROLE)
    assert row.time == "15:05"  # 09:05 at -04:00 is 15:05 in Paris (CEST, +02:00)
    assert row.own == "09:05 in New York, -04:00"
    qtbot.waitUntil(lambda: window.detail.entry is not None and window.detail.entry.id == entry.id, timeout=5000)
    detail = window.detail.text.toPlainText()
    assert "Monday 05 October 2026, 15:05 (09:05 in New York, -04:00)" in detail
    dialog = QuickCaptureDialog(vault, client, entry=vault.entries.get(entry.id), parent=window)
    qtbot.addWidget(dialog)
    assert dialog.when.dateTime().time().hour() == 15
    assert dialog.zone_note.text() == "Time in Europe/Paris; written as 09:05 in New York, -04:00"
    fields = dialog.fields()
    assert fields.occurred_at == new_york and fields.occurred_at.utcoffset() == timedelta(hours=-4)  # untouched
    new = QuickCaptureDialog(vault, client, parent=window)
    qtbot.addWidget(new)
    assert new.zone_note.text() == "Time in Europe/Paris"
    assert new.fields().occurred_tz == "Europe/Paris"


def test_an_added_or_revised_entry_is_taken_in_place_without_reading_every_id(vault: Any) -> None:
    from ui.models import timeline_model
    from ui.models.timeline_model import TimelineModel

    client = vault.clients.add("Busy")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(40):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(days=i), f"note {i}"))

    class Reads:
        def __init__(self, inner: Any) -> None:
            self.inner, self.limits = inner, []

        def timeline_id_array(self, *a: Any, limit: int | None = None, **kw: Any) -> Any:
            self.limits.append(limit)
            return self.inner.timeline_id_array(*a, limit=limit, **kw)

        def journal_rows(self, ids: list[int]) -> Any:
            return self.inner.journal_rows(ids)

    repo = Reads(vault.entries)
    model = TimelineModel(repo, zone=UTC)
    model.set_client(client.id)
    resets: list[bool] = []
    inserted: list[int] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.rowsInserted.connect(lambda _p, first, _last: inserted.append(first))
    repo.limits.clear()
    back_dated = vault.entries.log(client.id, EntryFields("call", start + timedelta(days=10, hours=1), "late"))
    assert model.refresh_newest(vault.entries.count(client.id))
    assert inserted == [40 - 11] and not resets  # between day 11 and day 10, in place
    assert model.entry_id(29) == back_dated.id
    assert repo.limits == [timeline_model.FIRST_IDS]  # one bounded read, not every id
    # a revision that keeps its place re-reads one page; one that moves past a neighbour asks for a reload
    vault.entries.revise(back_dated.id, EntryFields("call", start + timedelta(days=10, hours=2), "late, edited"))
    assert model.entry_changed(back_dated.id)
    assert model.index(29, 3).data() == "late, edited"
    vault.entries.revise(back_dated.id, EntryFields("call", start + timedelta(days=30, hours=2), "moved"))
    assert not model.entry_changed(back_dated.id)
    assert not model.refresh_newest(vault.entries.count(client.id) + 5)  # counts disagree: reload on a worker


def test_a_rows_snippet_comes_from_the_entry_not_the_whole_body(vault: Any) -> None:
    """The timeline shows two lines of a body: kept beside the entry at each revision
    (schema 12), so a page of long e-mails is not read body by body; entries written before
    that (no snippet yet) are read from the body as before, the same text either way."""
    from zoneinfo import ZoneInfo

    from app.records.journal import SNIPPET_PREFIX, journal_rows

    client = vault.clients.add("Mail")
    long_body = "Dear Sam,\n\n  the   tiles were wrong. " + "x" * 200_000
    paris = datetime(2026, 1, 2, 9, tzinfo=ZoneInfo("Europe/Paris"))
    first = vault.entries.log(client.id, EntryFields("email", paris, "Tiles", long_body, occurred_tz="Europe/Paris"))
    older = vault.entries.log(
        client.id, EntryFields("note", paris - timedelta(days=1), "Old", "An older   note.", occurred_tz="Europe/Paris")
    )
    stored = vault.db.scalar("SELECT snippet FROM entries WHERE id = ?", (first.id,))
    assert stored == long_body[:SNIPPET_PREFIX]
    before = {row.id: row for row in journal_rows(vault.db, [first.id, older.id])}
    with vault.db.write() as conn:  # as a vault from before schema 12 has it
        conn.execute(
            "UPDATE entries SET snippet = NULL, occurred_offset = NULL, occurred_tz = NULL WHERE id = ?", (older.id,)
        )
    rows = {row.id: row for row in journal_rows(vault.db, [first.id, older.id])}
    assert rows == before  # the same rows, from the entry or from its revision
    assert rows[first.id].snippet.startswith("Dear Sam, the tiles were wrong. xxx")
    assert len(rows[first.id].snippet) == 320
    assert rows[older.id].snippet == "An older note."
    assert rows[older.id].occurred_offset == rows[first.id].occurred_offset == 60
    assert rows[older.id].occurred_tz == "Europe/Paris"
    vault.entries.revise(first.id, EntryFields("email", datetime(2026, 1, 2, tzinfo=UTC), "Tiles", "Short now."))
    assert journal_rows(vault.db, [first.id])[0].snippet == "Short now."
    assert vault.verify().ok


def test_a_batch_of_new_entries_is_inserted_in_runs_not_row_by_row(vault: Any) -> None:
    """An import of many files lands as one insertion per run of adjacent new rows (each
    insertion moves every row below it in the view: row by row, a 50-file import stalled the
    window for ~100 ms per refresh in bench_stall b), in the order a full read gives."""
    from ui.models.timeline_model import TimelineModel

    client = vault.clients.add("Batch")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(30):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(days=i), f"note {i}"))
    model = TimelineModel(vault.entries, zone=UTC)
    model.set_client(client.id)
    kept = model.entry_id(12)
    runs: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: runs.append((first, last)))
    for i in range(6):  # newer than everything: one run at the top
        vault.entries.log(client.id, EntryFields("note", start + timedelta(days=40 + i), f"new {i}"))
    for i in range(2):  # between day 20 and day 21: a second run
        vault.entries.log(client.id, EntryFields("call", start + timedelta(days=20, hours=1 + i), f"late {i}"))
    assert model.refresh_newest(vault.entries.count(client.id))
    assert runs == [(0, 5), (6 + 29 - 21 + 1, 6 + 29 - 21 + 2)]  # just below day 21
    assert [model.entry_id(row) for row in range(model.rowCount())] == vault.entries.timeline_ids(client.id)
    assert model.entry_id(12 + 8) == kept  # the rows below moved down by the eight new ones


def test_a_reload_inserts_what_is_new_in_place_and_resets_only_otherwise(vault: Any) -> None:
    """Every id read again on a worker (new entries beyond the newest ids the window reads, e.g.
    an Inbox taking old emails) lands as insertions, not a reset of the whole list."""
    from ui.models.timeline_model import TimelineModel, insertion_runs

    assert insertion_runs([3, 2, 1], [5, 3, 4, 2, 1]) == [(0, 1), (2, 1)]
    assert insertion_runs([3, 2, 1], [3, 2, 1]) == []
    assert insertion_runs([3, 2, 1], [3, 1]) is None  # one gone
    assert insertion_runs([3, 2, 1], [2, 3, 1]) is None  # one moved
    big = list(range(100_000, 0, -1))
    assert insertion_runs(big, [*big[:50_000], -1, -2, *big[50_000:], -3]) == [(50_000, 2), (100_002, 1)]

    client = vault.clients.add("Reloaded")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(20):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(days=i), f"note {i}"))
    model = TimelineModel(vault.entries, zone=UTC)
    model.set_client(client.id)
    resets: list[bool] = []
    runs: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.rowsInserted.connect(lambda _p, first, last: runs.append((first, last)))
    for i in range(3):  # older than everything shown
        vault.entries.log(client.id, EntryFields("email", start - timedelta(days=1 + i), f"old email {i}"))
    assert model.replace_ids(model.all_ids_loader()())
    assert runs == [(20, 22)] and not resets
    assert [model.entry_id(row) for row in range(model.rowCount())] == vault.entries.timeline_ids(client.id)
    stale = model.all_ids_loader()
    vault.entries.log(client.id, EntryFields("note", start + timedelta(days=30), "newest"))
    assert model.refresh_newest(vault.entries.count(client.id))
    assert not model.replace_ids(stale())  # read before the insertion: dropped


def test_after_an_insertion_the_page_drawn_is_made_of_the_rows_already_read(vault: Any, qapp: Any, qtbot: Any) -> None:
    """An import commits file after file: each insertion used to make the next paint read and
    build the page on the GUI thread. The page is now assembled from the rows read before (days
    opened where the new neighbours say), then read again on a worker, so a row that changed
    meanwhile (another process revised it) is shown changed once that answer is in."""
    import threading

    from ui.models.roles import FIRST_OF_DAY_ROLE, JOURNAL_ROLE
    from ui.models.timeline_model import TimelineModel
    from ui.workers import Tasks

    client = vault.clients.add("Importing")
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    for i in range(20):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(days=i), f"note {i}"))

    class Reads:
        def __init__(self, inner: Any) -> None:
            self.inner, self.on_gui = inner, 0

        def timeline_id_array(self, *a: Any, **kw: Any) -> Any:
            return self.inner.timeline_id_array(*a, **kw)

        def journal_rows(self, ids: list[int]) -> Any:
            if threading.current_thread() is threading.main_thread():
                self.on_gui += 1
                self.ids_on_gui += len(ids)
            return self.inner.journal_rows(ids)

        ids_on_gui = 0

    repo = Reads(vault.entries)
    tasks = Tasks(parent=qapp)
    model = TimelineModel(repo, zone=UTC, tasks=tasks)
    model.set_client(client.id)
    assert model.index(0, 0).data(JOURNAL_ROLE).row.title == "note 19"
    reads, ids_read = repo.on_gui, repo.ids_on_gui
    vault.entries.log(client.id, EntryFields("note", start + timedelta(days=9, hours=5), "in the middle"))  # a 2nd run
    same_day = vault.entries.log(client.id, EntryFields("call", start + timedelta(days=19, hours=2), "same day, later"))
    vault.entries.revise(model.entry_id(5) or 0, EntryFields("note", start + timedelta(days=14), "note 14, edited"))
    assert model.refresh_newest(vault.entries.count(client.id))
    assert model.entry_id(0) == same_day.id and model.index(0, 0).data(FIRST_OF_DAY_ROLE)
    assert not model.index(1, 0).data(FIRST_OF_DAY_ROLE)  # no longer the first row of its day
    assert [model.index(r, 0).data(JOURNAL_ROLE).row.title for r in (1, 2)] == ["note 19", "note 18"]
    assert repo.on_gui == reads + 1 and repo.ids_on_gui == ids_read + 2  # the two new rows only, both runs
    assert model.index(6, 0).data(JOURNAL_ROLE).row.title == "note 14"  # as read before, for now
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))
    qtbot.waitUntil(lambda: model.index(6, 0).data(JOURNAL_ROLE).row.title == "note 14, edited", timeout=10_000)
    assert repo.on_gui == reads + 1  # read again on a worker
    assert changed == [(0, 21)]  # the page, redrawn once: a row had changed
    tasks.wait()
    changed.clear()
    vault.entries.log(client.id, EntryFields("note", start + timedelta(days=3), "older, below the page"))
    assert model.refresh_newest(vault.entries.count(client.id))
    assert model.index(0, 0).data(JOURNAL_ROLE).row.title == "same day, later"  # assembled again
    tasks.wait()
    qapp.processEvents()
    assert changed == []  # read again and found as assembled: nothing drawn again


def test_the_pages_beside_the_one_drawn_are_read_on_a_worker_and_stale_answers_are_dropped(
    vault: Any, qapp: Any, qtbot: Any, monkeypatch: Any
) -> None:
    import threading

    from ui.models import timeline_model
    from ui.models.roles import FIRST_OF_DAY_ROLE, JOURNAL_ROLE
    from ui.models.timeline_model import TimelineModel
    from ui.workers import Tasks

    monkeypatch.setattr(timeline_model, "PAGE_SIZE", 8)
    client = vault.clients.add("Pages")
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    for i in range(30):  # two entries a day: every other row opens a day
        vault.entries.log(
            client.id, EntryFields("note", start + timedelta(hours=12 * i), f"note {i}", body=f"body {i}")
        )

    class Reads:
        def __init__(self, inner: Any) -> None:
            self.inner, self.on_gui, self.on_worker = inner, 0, 0
            self.hold: threading.Event | None = None  # set: a worker's read waits for it
            self.held = threading.Event()

        def timeline_id_array(self, *a: Any, **kw: Any) -> Any:
            return self.inner.timeline_id_array(*a, **kw)

        def journal_rows(self, ids: list[int]) -> Any:
            if threading.current_thread() is threading.main_thread():
                self.on_gui += 1
            else:
                self.on_worker += 1
                if self.hold is not None:
                    self.held.set()
                    self.hold.wait(10)
            return self.inner.journal_rows(ids)

    repo = Reads(vault.entries)
    tasks = Tasks(parent=qapp)
    model = TimelineModel(repo, zone=UTC, tasks=tasks)
    model.set_client(client.id)
    plain = TimelineModel(vault.entries, zone=UTC)  # reads every page itself
    plain.set_client(client.id)

    assert model.index(0, 0).data(JOURNAL_ROLE).row.title == "note 29"
    assert repo.on_gui == 1 and repo.on_worker == 0  # the page drawn; the next is asked once the paint is done
    qtbot.waitUntil(lambda: 1 in model._pages, timeout=10_000)
    assert repo.on_worker == 1
    repo.hold = threading.Event()
    for row in range(8, 16):  # the view reaches page 1: no read on the GUI thread, the same rows
        fetched = model.index(row, 0).data(JOURNAL_ROLE)
        expected = plain.index(row, 0).data(JOURNAL_ROLE)
        assert fetched.row == expected.row and fetched.time == expected.time and fetched.marks == expected.marks
        assert model.index(row, 0).data(FIRST_OF_DAY_ROLE) == plain.index(row, 0).data(FIRST_OF_DAY_ROLE)
    assert repo.on_gui == 1
    assert {model.index(r, 0).data(FIRST_OF_DAY_ROLE) for r in range(8, 16)} == {True, False}

    # page 2 is being read (held) for rows that are forgotten before the answer arrives: it is dropped
    qtbot.waitUntil(repo.held.is_set, timeout=10_000)
    model.set_client(client.id)
    repo.hold.set()
    tasks.wait()
    qtbot.wait(100)  # the queued answer is delivered now
    assert 2 not in model._pages
    repo.hold = None
    assert model.index(20, 0).data(JOURNAL_ROLE).row == plain.index(20, 0).data(JOURNAL_ROLE).row
    tasks.wait()


def test_a_change_to_a_long_timeline_costs_the_view_no_work_per_row(qtbot: Any) -> None:
    """A list view laid every row out again after any change of its model, asking the Python
    model for each row's index (and so its counts): 0.6 s per commit at 100 k rows, 7 s at
    1 M. The journal's view must not: an insertion, a page's ``dataChanged`` and a reset of
    a 50 000-row timeline ask the model's row count a bounded number of times."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex

    asked = [0]

    class Counting(QAbstractTableModel):
        def __init__(self, rows: int) -> None:
            super().__init__()
            self.rows = rows

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            asked[0] += 1
            return 0 if parent.isValid() else self.rows

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else 5

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            return None

    model = Counting(50_000)
    view = _view(model)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)

    def cost(change: Any) -> int:
        asked[0] = 0
        change()
        view.viewport().repaint()
        qtbot.wait(1)  # the posted layout, if any, runs now
        view.viewport().repaint()
        return asked[0]

    def insert() -> None:
        model.beginInsertRows(QModelIndex(), 0, 2)
        model.rows += 3
        model.endInsertRows()

    def reset() -> None:
        model.beginResetModel()
        model.endResetModel()

    costs = {
        "insert": cost(insert),
        "data changed": cost(lambda: model.dataChanged.emit(model.index(0, 0), model.index(255, 4))),
        "reset": cost(reset),
    }
    assert max(costs.values()) < 500, costs  # a per-row layout asks 100 000 times
    assert [view.isColumnHidden(c) for c in range(5)] == [False, True, True, True, True]  # after the reset too


def test_the_journal_moves_like_a_list_home_end_and_tab(qtbot: Any) -> None:
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

    model = QStandardItemModel(40, 5)
    box = QWidget()
    layout = QVBoxLayout(box)
    view = _view(model)
    after = QLineEdit()
    layout.addWidget(view)
    layout.addWidget(after)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    box.activateWindow()
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    view.selectRow(5)
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().row() == 39 and view.currentIndex().column() == 0
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.currentIndex().row() == 0
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1
    assert [i.row() for i in view.selectionModel().selectedRows()] == [1]
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is after, timeout=2000
    )  # Tab leaves the journal instead of walking its hidden columns


def test_when_the_rest_of_the_ids_arrive_the_pages_read_stay_and_the_cut_one_is_read_again(
    vault: Any, qapp: Any, qtbot: Any, monkeypatch: Any
) -> None:
    """A long client shows its newest ids first and gets the rest from a worker: the pages
    built meanwhile stay (no page is built again on the GUI thread for rows already shown),
    except the last one, which the first read cut short."""
    import threading

    from ui.models import timeline_model
    from ui.models.roles import JOURNAL_ROLE
    from ui.models.timeline_model import TimelineModel
    from ui.workers import Tasks

    monkeypatch.setattr(timeline_model, "PAGE_SIZE", 8)
    monkeypatch.setattr(timeline_model, "FIRST_IDS", 12)  # page 0 whole, page 1 cut at 4 rows
    client = vault.clients.add("Long")
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    for i in range(20):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(hours=i), f"note {i}"))

    class Reads:
        def __init__(self, inner: Any) -> None:
            self.inner, self.on_gui = inner, []

        def timeline_id_array(self, *a: Any, **kw: Any) -> Any:
            return self.inner.timeline_id_array(*a, **kw)

        def journal_rows(self, ids: list[int]) -> Any:
            if threading.current_thread() is threading.main_thread():
                self.on_gui.append(len(ids))
            return self.inner.journal_rows(ids)

    repo = Reads(vault.entries)
    model = TimelineModel(repo, zone=UTC, tasks=Tasks(parent=qapp))
    model.set_client(client.id)
    assert model.rowCount() == 12
    assert model.index(0, 0).data(JOURNAL_ROLE).row.title == "note 19"
    assert model.index(11, 0).data(JOURNAL_ROLE).row.title == "note 8"
    assert repo.on_gui == [8, 5]  # page 0; page 1 as far as it went (and the row above it)
    with qtbot.waitSignal(model.rowsInserted, timeout=5000):
        model.start_pending_load()
    assert model.rowCount() == 20
    repo.on_gui.clear()
    assert model.index(0, 0).data(JOURNAL_ROLE).row.title == "note 19"
    assert repo.on_gui == []  # page 0 kept
    assert [model.index(r, 0).data(JOURNAL_ROLE).row.title for r in (11, 12, 15)] == ["note 8", "note 7", "note 4"]
    assert repo.on_gui == [9]  # page 1 read again, whole now


def test_rows_drawn_are_kept_as_pixmaps_and_drawn_again_only_when_they_change(
    vault: Any, qtbot: Any, monkeypatch: Any
) -> None:
    """A repaint of rows already drawn (an insertion above shifts them, a selection moves, a
    scroll comes back) draws each as one pixmap; a row is drawn again only when what it shows
    changed, and the pixmaps kept stay within ROW_CACHE_BYTES."""
    from ui.models.roles import JOURNAL_ROLE
    from ui.models.timeline_model import TimelineModel
    from ui.widgets import timeline_view

    client = vault.clients.add("Pixmaps")
    day = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for n in range(30):
        vault.entries.log(client.id, EntryFields("note", day + timedelta(hours=n), f"Note {n}", body="text"))
    model = TimelineModel(vault.entries, zone=UTC)
    model.set_client(client.id)
    view = _view(model)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    drawn: list[int] = []
    paint_row = view.delegate._paint_row
    monkeypatch.setattr(
        view.delegate,
        "_paint_row",
        lambda p, fetched, *rest: (drawn.append(fetched.row.id), paint_row(p, fetched, *rest)),
    )

    def repaint() -> list[int]:
        drawn.clear()
        view.viewport().grab()  # a paint of every row in view, now
        return list(drawn)

    view.delegate.forget_rows()
    visible = repaint()  # seen once: straight to the screen
    assert len(visible) >= 5
    assert repaint() == visible  # drawn again unchanged: into pixmaps, kept
    assert repaint() == []  # nothing changed: every row from its pixmap
    before = view.viewport().grab().toImage()
    view.selectRow(2)
    assert repaint() == [model.index(2, 0).data(JOURNAL_ROLE).row.id]  # the row now selected
    view.selectRow(3)
    assert repaint() == [model.index(3, 0).data(JOURNAL_ROLE).row.id]  # row 2 unselected was kept
    view.selectRow(-1)
    view.clearSelection()
    repaint()
    assert view.viewport().grab().toImage() == before  # drawn from the pixmaps, as first drawn

    revised = model.index(1, 0).data(JOURNAL_ROLE).row
    vault.entries.revise(revised.id, EntryFields("note", day + timedelta(hours=28), "Note 28, corrected"), note="typo")
    model.entry_changed(revised.id)
    assert repaint() == [revised.id]  # only the row whose text changed
    kept = view.delegate._rows
    assert view.delegate._row_bytes == sum(p.width() * p.height() * 4 for _s, p in kept.values() if p is not None)

    one_row = max(p.width() * p.height() * 4 for _s, p in kept.values() if p is not None)
    monkeypatch.setattr(timeline_view, "ROW_CACHE_BYTES", 3 * one_row)
    view.delegate.forget_rows()
    repaint()
    repaint()
    pixmaps = [p for _s, p in view.delegate._rows.values() if p is not None]
    assert len(pixmaps) <= 3 and view.delegate._row_bytes <= timeline_view.ROW_CACHE_BYTES
