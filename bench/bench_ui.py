"""Desktop app benchmarks: client open + first paint, 1 M-entry vault, scroll frames, start-up.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui.py [--entries 1000000]``.
Figures are printed with the target and, for start-up, the ratio against a bare
PySide6 window measured in the same run. Bench data is made by direct inserts
(entries + revisions, one transaction): the ledger and search index are not
filled, so these vaults are for timing only.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")  # unlock cost is the KDF's own benchmark

from typing import Any  # noqa: E402

from PySide6.QtCore import QAbstractListModel, QEvent, QObject, QSize  # noqa: E402
from PySide6.QtWidgets import QStyledItemDelegate, QWidget  # noqa: E402

PASSPHRASE = "benchmark passphrase words"
KINDS = ("call", "email", "note", "incident", "meeting", "payment", "complaint")


def fill(vault: object, clients: dict[str, int]) -> None:
    """Add ``count`` entries (one revision each) per client name, in one transaction."""
    from app.records.times import utc_text

    now = utc_text(datetime.now(UTC))
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with vault.db.write() as conn:  # type: ignore[attr-defined]
        next_id = (conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0]) + 1
        for name, count in clients.items():
            conn.execute(
                "INSERT INTO clients(name, emails, phones, address, notes, status, created_at, updated_at)"
                " VALUES (?, '[]', '[]', '', '', 'active', ?, ?)",
                (name, now, now),
            )
            client_id = conn.execute("SELECT max(id) FROM clients").fetchone()[0]
            step = timedelta(minutes=max(1, int(10 * 365 * 24 * 60 / max(count, 1))))
            entries, revisions = [], []
            for i in range(count):
                entry_id = next_id + i
                kind = KINDS[i % len(KINDS)]
                at = utc_text(start + step * i)
                title = f"{kind} number {i} with {name}"
                body = f"What happened, take {i}."
                entries.append((entry_id, client_id, now, kind, at, title, i % 13 == 0, body))
                revisions.append((entry_id, now, kind, at, title, body))
            conn.executemany(  # with what the app keeps beside the entry (schema 12)
                "INSERT INTO entries(id, client_id, recorded_at, current_rev, kind, occurred_utc, title,"
                " attachment_count, snippet, occurred_offset) VALUES (?,?,?,1,?,?,?,?,?,0)",
                entries,
            )
            conn.executemany(
                "INSERT INTO revisions(entry_id, rev, recorded_at, kind, occurred_utc, occurred_offset, title, body)"
                " VALUES (?,1,?,?,?,0,?,?)",
                revisions,
            )
            next_id += count


def make_vault(path: Path, clients: dict[str, int]) -> float:
    from app.vault import Vault

    vault, _ = Vault.create(path, PASSPHRASE)
    started = time.perf_counter()
    try:
        fill(vault, clients)
    finally:
        vault.lock()
    return time.perf_counter() - started


class PaintCounter(QObject):
    """Counts Paint events of a widget: "painted" means the frame was drawn, not just requested."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def wait_for_paint(app: object, counter: PaintCounter, seen: int, limit_s: float = 10.0) -> None:
    """Process events until the widget has painted once more than ``seen`` (the paint has finished).

    Uses a QEventLoop: PySide6 6.12's QCoreApplication.processEvents() drops a reference to
    None on every call and aborts the interpreter after a few hundred thousand calls.
    """
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    deadline = time.perf_counter() + limit_s
    while counter.count <= seen and time.perf_counter() < deadline:
        loop.processEvents()
    if counter.count <= seen:
        raise RuntimeError("the timeline never painted")


def open_and_paint(app: object, path: Path) -> tuple[float, float, object, object]:
    """Vault.open + main window built, shown and painted once. Returns (open s, total s, session, window)."""
    from PySide6.QtCore import QSettings

    from app.vault import Vault
    from ui.app_settings import AppSettings

    # The window is built before it is shown (as the session does), so count paints from here.
    # Its modules are imported before the clock starts: the app imports them while the KDF runs.
    from ui.main_window import MainWindow
    from ui.session import Session

    settings = QSettings(str(path.parent / f"{path.name}.ini"), QSettings.Format.IniFormat)
    session = Session(app, AppSettings(settings))  # type: ignore[arg-type]
    started = time.perf_counter()
    vault = Vault.open(path, PASSPHRASE, on_change=session.events)
    opened = time.perf_counter()
    original_show = MainWindow.show
    holder: dict[str, PaintCounter] = {}

    def show_and_count(self: MainWindow) -> None:
        holder["counter"] = PaintCounter(self.timeline_view.viewport())
        original_show(self)

    MainWindow.show = show_and_count  # type: ignore[method-assign]
    try:
        session.opened(vault)
    finally:
        MainWindow.show = original_show  # type: ignore[method-assign]
    window = session.window
    window.counter = holder["counter"]
    wait_for_paint(app, window.counter, 0)
    return opened - started, time.perf_counter() - started, session, window


def until_every_id(app: object, window: object, rows: int, limit_s: float = 60.0) -> tuple[float, float]:
    """After the first paint: seconds until the timeline holds all ``rows`` ids (the rest are
    read on a worker and inserted), and the longest the GUI thread went without turning its
    event loop meanwhile (a 5 ms timer's largest gap, in ms)."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    beat = QTimer()
    beat.setTimerType(Qt.TimerType.PreciseTimer)
    beat.setInterval(5)
    beat.timeout.connect(tick)
    started = time.perf_counter()
    beat.start()
    loop = QEventLoop()
    while window.timeline.rowCount() < rows and time.perf_counter() - started < limit_s:  # type: ignore[attr-defined]
        loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    took = time.perf_counter() - started
    for _ in range(3):  # the paint that follows the insertion counts too
        loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    beat.stop()
    tick()
    return took, max(gaps) * 1000


def client_switch(app: object, window: object, client_id: int, cpu: list[float] | None = None) -> float:
    """Wall time to select a client and paint its timeline; ``cpu`` gets the GUI thread's CPU time."""
    if window.timeline.client_id == client_id:  # type: ignore[attr-defined]
        return 0.0
    seen = window.counter.count  # type: ignore[attr-defined]
    started, started_cpu = time.perf_counter(), time.thread_time()
    window.select_client(client_id)  # type: ignore[attr-defined]
    wait_for_paint(app, window.counter, seen)  # type: ignore[attr-defined]
    if cpu is not None:
        cpu.append(time.thread_time() - started_cpu)
    return time.perf_counter() - started


def scroll_frames(app: object, window: object, frames: int = 300, cpu: list[float] | None = None) -> list[float]:
    """Page down through the timeline (and jump far now and then): wall time per painted frame.

    ``cpu`` (if given) receives the GUI thread's CPU time per frame (``time.thread_time``): on a
    machine shared with other jobs the wall time is mostly waiting for a core, while the CPU the
    GUI thread spends is what the code costs (work moved to a worker does not count there; that
    worker's CPU is not hidden: ``process CPU`` is printed beside it)."""
    view = window.timeline_view  # type: ignore[attr-defined]
    bar = view.verticalScrollBar()
    rng = random.Random(7)
    times = []
    for i in range(frames):
        value = rng.randint(0, bar.maximum()) if i % 25 == 0 else bar.value() + bar.pageStep()
        if value > bar.maximum():
            value = 0
        seen = window.counter.count  # type: ignore[attr-defined]
        started, started_cpu = time.perf_counter(), time.thread_time()
        bar.setValue(value)
        wait_for_paint(app, window.counter, seen)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.thread_time() - started_cpu)
    return times


def scroll_report(label: str, app: object, window: object, rows: int | None = None) -> str:
    """The timeline's scroll frames and the bare view's, wall and GUI-thread CPU, in one line.
    ``rows`` None: as many as the timeline holds once scrolled (its ids arrive meanwhile)."""
    cpu: list[float] = []
    process = time.process_time()
    frames = scroll_frames(app, window, cpu=cpu)
    process = time.process_time() - process
    if rows is None:
        rows = window.timeline.rowCount()  # type: ignore[attr-defined]
        label = f"{rows:,} {label}"
    bare_cpu: list[float] = []
    bare_process = time.process_time()
    bare = bare_scroll_frames(app, rows, window.timeline_view, cpu=bare_cpu)  # type: ignore[attr-defined]
    bare_process = time.process_time() - bare_process
    return (
        f"scroll frame on {label}: p95 {p95(frames) * 1000:.2f} ms — target ≤ 16.7 ms (max {max(frames) * 1000:.0f} ms);"
        f" bare view {p95(bare) * 1000:.2f} ms (ratio {p95(frames) / p95(bare):.2f}×);"
        f" GUI-thread CPU p95 {p95(cpu) * 1000:.2f} ms, median {statistics.median(cpu) * 1000:.2f} ms"
        f" (bare {p95(bare_cpu) * 1000:.2f} / {statistics.median(bare_cpu) * 1000:.2f} ms,"
        f" ratio {p95(cpu) / p95(bare_cpu):.2f}× / {statistics.median(cpu) / statistics.median(bare_cpu):.2f}×);"
        f" process CPU per frame {process / len(frames) * 1000:.2f} ms (bare {bare_process / len(bare) * 1000:.2f} ms)"
    )


class _BareModel(QAbstractListModel):
    """The baseline: a list model of plain strings, no fetching, no Python delegate."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: Any = None) -> int:
        return self.rows

    def data(self, index: Any, role: int = 0) -> Any:
        return f"row {index.row()}" if role == 0 else None


class _BareDelegate(QStyledItemDelegate):
    def __init__(self, height: int) -> None:
        super().__init__()
        self.height = height

    def sizeHint(self, option: Any, index: Any) -> QSize:
        return QSize(200, self.height)


def bare_scroll_frames(
    app: object, rows: int, like: object, frames: int = 300, cpu: list[float] | None = None
) -> list[float]:
    """The same page steps and jumps on a bare view of ``rows`` plain strings, the same widget
    (a QTableView with one fixed-height column, no headers), size and row height as the timeline
    ``like``: what Qt itself costs per frame on this machine now."""
    from PySide6.QtWidgets import QTableView

    from ui.widgets.timeline_view import fixed_rows

    view = QTableView()
    fixed_rows(view, like.delegate.row_height)  # type: ignore[attr-defined]
    delegate = _BareDelegate(like.delegate.row_height)  # type: ignore[attr-defined]
    view.setItemDelegate(delegate)
    view.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
    model = _BareModel(rows)
    view.setModel(model)
    view.resize(like.size())  # type: ignore[attr-defined]
    view.show()
    counter = PaintCounter(view.viewport())
    wait_for_paint(app, counter, 0)
    holder = type("W", (), {"timeline_view": view, "counter": counter})()
    try:
        return scroll_frames(app, holder, frames, cpu)
    finally:
        view.close()
        view.deleteLater()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


STARTUP_CASEFILE = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from ui.launch import make_application, start_session
from PySide6.QtCore import QSettings
app = make_application([])
session = start_session(app, ["--vault", {vault!r}], QSettings({ini!r}, QSettings.Format.IniFormat))
session.gate.repaint()
print("shown", time.perf_counter() - t0, flush=True)
"""

STARTUP_BARE = """
import time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(440, 300)
window.show()
window.repaint()
print("shown", time.perf_counter() - t0, flush=True)
"""


def time_process(code: str, cpu: list[float] | None = None) -> float:
    """Wall time from spawning the interpreter to the window painted (and its CPU time, user +
    system, appended to ``cpu``: the load on a shared machine stretches it far less).

    Bytecode is written and read as for an installed app: with PYTHONDONTWRITEBYTECODE set
    (some shells and CI set it) every "warm" start would compile the app's modules again."""
    import resource

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def startup(vault: Path, runs: int = 7, against: Path | None = None) -> dict[str, float]:
    """Cold and warm starts of this tree, a bare window's, and (``against``: another checkout of
    the app, e.g. ``git archive REF | tar -x -C DIR``) that tree's warm start, all alternated."""
    import shutil

    ini = str(vault.parent / "startup.ini")
    casefile = STARTUP_CASEFILE.format(root=str(ROOT), vault=str(vault), ini=ini)
    for cache in list((ROOT / "ui").rglob("__pycache__")) + list((ROOT / "app").rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)  # "cold": our modules compiled anew (OS file cache is warm)
    cold = time_process(casefile)
    bare_cold = time_process(STARTUP_BARE)
    codes = {"warm": casefile, "bare": STARTUP_BARE}
    if against is not None:
        codes["other"] = STARTUP_CASEFILE.format(root=str(against), vault=str(vault), ini=ini)
        time_process(codes["other"])  # its bytecode written
    walls: dict[str, list[float]] = {name: [] for name in codes}
    cpus: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(runs):  # alternated, so a burst of load from elsewhere falls on each
        for name, code in codes.items():
            walls[name].append(time_process(code, cpus[name]))
    figures = {"cold": cold, "bare_cold": bare_cold}
    for name in codes:
        figures[name] = statistics.median(walls[name])
        figures[f"{name}_cpu"] = statistics.median(cpus[name])
    return figures


def print_startup(figures: dict[str, float]) -> None:
    print(
        f"start to unlock window: cold {figures['cold'] * 1000:.0f} ms, warm {figures['warm'] * 1000:.0f} ms;"
        f" bare PySide6 window {figures['bare'] * 1000:.0f} ms (cold {figures['bare_cold'] * 1000:.0f} ms);"
        f" ratio warm {figures['warm'] / figures['bare']:.2f}× — targets ≤ 500 / 300 ms"
    )
    print(
        f"  process CPU (user + system), median: warm {figures['warm_cpu'] * 1000:.0f} ms, bare"
        f" {figures['bare_cpu'] * 1000:.0f} ms ({figures['warm_cpu'] / figures['bare_cpu']:.2f}×)"
    )
    if "other" in figures:
        print(
            f"  the --against tree, alternated: warm {figures['other'] * 1000:.0f} ms"
            f" ({figures['other'] / figures['bare']:.2f}× bare), CPU {figures['other_cpu'] * 1000:.0f} ms"
            f" ({figures['other_cpu'] / figures['bare_cpu']:.2f}×)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000, help="size of the large vault")
    parser.add_argument("--start-only", action="store_true", help="only the start to the unlock window")
    parser.add_argument("--runs", type=int, default=7, help="warm starts (each beside a bare window)")
    parser.add_argument("--against", type=Path, help="with --start-only: another checkout of the app to time alongside")
    args = parser.parse_args()
    if args.start_only:
        print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        with tempfile.TemporaryDirectory(prefix="casefile-bench-") as tmp:
            from app.vault import Vault

            Vault.create(Path(tmp) / "vault", PASSPHRASE)[0].lock()
            print_startup(startup(Path(tmp) / "vault", args.runs, args.against))
        print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        return

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="casefile-bench-") as tmp:
        root = Path(tmp)

        # 1. a client with 10 000 entries (plus a small one to switch from)
        small = root / "ten-k"
        built = make_vault(small, {"A small client": 20, "Big client": 10_000})
        _open_s, total, session, window = open_and_paint(app, small)
        big_id = window.clients.index(window.clients.row_of_name("Big client"), 0).data(256 + 1)  # type: ignore[attr-defined]
        switches: list[float] = []
        switch_cpu: list[float] = []
        for _ in range(7):
            client_switch(app, window, window.clients.index(0, 0).data(256 + 1))  # type: ignore[attr-defined]
            switches.append(client_switch(app, window, big_id, switch_cpu))
        scrolled_10k = scroll_report("10k", app, window, 10_000)
        session.lock()
        print(
            f"10k-entry client: open + first paint {statistics.median(switches) * 1000:.1f} ms median"
            f" (max {max(switches) * 1000:.1f}; GUI-thread CPU median {statistics.median(switch_cpu) * 1000:.1f} ms)"
            f" — target ≤ 75 ms  [vault built in {built:.1f} s]"
        )
        print(scrolled_10k)

        # 2. a vault with many entries: 10 clients, the first one shown on open
        big = root / "million"
        per = args.entries // 10
        built = make_vault(big, {f"Client {i:02d}": per for i in range(10)})
        opened, total, session, window = open_and_paint(app, big)
        settled_big = until_every_id(app, window, per)
        scrolled_big = scroll_report("rows", app, window)
        rows = window.timeline.rowCount()  # type: ignore[attr-defined]
        session.lock()
        _opened2, total2, session, window = open_and_paint(app, big)
        session.lock()
        print(
            f"{args.entries:,}-entry vault: open {opened * 1000:.0f} ms, open + first paint {total * 1000:.0f} ms"
            f" (again: {total2 * 1000:.0f} ms; {rows:,} rows on the first client) — target ≤ 800 ms"
            f"  [built in {built:.1f} s]; every id in {settled_big[0] * 1000:.0f} ms after the paint,"
            f" longest GUI gap meanwhile {settled_big[1]:.0f} ms"
        )
        print(scrolled_big)

        # 3. the worst case: one client holding every entry
        one = root / "one-client"
        built = make_vault(one, {"The only client": args.entries})
        opened, total, session, window = open_and_paint(app, one)
        settled_one = until_every_id(app, window, args.entries)
        scrolled_one = scroll_report(f"{args.entries:,} rows (one client)", app, window, args.entries)
        session.lock()
        print(
            f"{args.entries:,} entries on one client: open {opened * 1000:.0f} ms, open + first paint"
            f" {total * 1000:.0f} ms  [built in {built:.1f} s]; every id in {settled_one[0] * 1000:.0f} ms after"
            f" the paint, longest GUI gap meanwhile {settled_one[1]:.0f} ms"
        )
        print(scrolled_one)

        # 4. start to unlock window, against a bare PySide6 window
        print_startup(startup(small, args.runs))
    print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
