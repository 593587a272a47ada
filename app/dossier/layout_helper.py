"""A second process that lays out part of a large dossier, on the machine's other core.

reportlab is pure Python: one process lays out on one core, whatever the machine has. The
entries in full and the exhibits — nearly all the pages and every photo — print no page
number, so their later runs can be laid out anywhere, at the same time as the rest, and
placed afterwards (``pdf.build_parts``: each piece records where things land by its own
page numbers). The helper also measures the front (cover, contents, summary, chronology)
and, once every number is placed, prints it while this process prints the exhibit index
and the back. Then, given the signed PDF, it makes the bundle's load files that need no more
than the PDF and the layout — documents/ (the PDF split), text/ and the chronology .xlsx —
while this process goes on (``HelperLoadFiles``). The helper is started with multiprocessing's
``spawn`` context (never a fork of a process with threads) as soon as the selection is known,
or ahead by a warm export child (``keep_spare``), and loads its imports and fonts while it
waits for the vault.

The protocol, over one duplex pipe (nothing else: no argv, no environment, no file):

    parent → helper   ("open", vault folder), then the raw data key as one ``send_bytes``
    parent → helper   ("lay out", selection, exhibits, prepared_at, production, legend, pieces)
    helper → parent   ("ticks", n) as pages are drawn, ("laid out", piece, pdf.Laid) per
                      piece (the front only measured), then ("done",)
    parent → helper   ("print", pages, page total, exhibit numbering) — once per printing
    helper → parent   ("ticks", n) …, ("printed", pdf.Laid): the front, drawn
    parent → helper   ("load files", signed PDF, loadfile.Documents, chronology rows)
    helper → parent   ("document", path, bytes) …, ("text", path, bytes) …, ("xlsx", bytes),
                      ("done",); then it exits
    helper → parent   ("error", class name, one line) instead of any answer

The helper opens the vault read-only (``Vault.open_read_only``) with the key it was sent and
wipes its copy, lays out exactly the selection it is given (the vault may change meanwhile:
it never selects again), and exits. It dies with the process that started it (Linux:
``PR_SET_PDEATHSIG``; elsewhere at its next page, when the pipe is gone). Whatever goes wrong
with the helper itself — it cannot start, it dies — the parent lays its pieces out itself:
the dossier is the same, only slower. A ``CasefileError`` in the helper (a damaged file, a
vault that became unreadable) is the export's error, as it would have been in one process.

``CASEFILE_LAYOUT_HELPER``: ``off`` never uses it, ``always`` uses it whatever the dossier's
size (the tests), ``require`` too and fails instead of falling back (the bundle's smoke test);
unset, a dossier with at least ``MIN_WORK`` entries and files uses it when
this process may run on two cores or more.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.children import die_with_parent, open_sent_vault
from app.errors import CasefileError

if TYPE_CHECKING:
    from app.dossier.layout import Layout
    from app.dossier.loadfile import Document
    from app.dossier.pdf import Laid, Piece
    from app.dossier.select import Selection

MIN_WORK = 120  # entries + attached files: below it the helper's start costs more than it saves
POLL_S = 0.05
JOIN_S = 5.0
FILES_S = 300.0  # the load files of the largest dossier take seconds; beyond this the helper is stuck
TICKS_EVERY = 4  # pages per progress message

# What a piece costs, in ms of one core, measured on the 2-core machine (docs/performance.md,
# "Dossier": 500 entries, 100 photos, 10 PDFs) — only their proportions matter.
ENTRY_MS = 7.4  # an entry in full
PHOTO_MS = 21.5  # a photo exhibit (its decoding included)
FILE_MS = 5.0  # any other exhibit
MEASURE_ENTRY_MS = 2.4  # the front's measuring pass, per entry (chronology, contents)
MEASURE_EXHIBIT_MS = 4.8  # the exhibit index's measuring pass, per exhibit
START_MS = 200.0  # the helper ready, after it was started (most of it beside number_exhibits)
MAX_SHARE = 0.8


_SPARE: list[LayoutHelper] = []  # at most one, spawned ahead by a warm export child


def keep_spare() -> None:
    """Spawn a helper now, to be handed the vault by the next large export (``start``). Call it
    from the thread that lives as long as this process: the helper dies with that thread."""
    if not _SPARE and worth_trying():
        helper = LayoutHelper.spawn()
        if helper is not None:
            _SPARE.append(helper)


def _take_spare() -> LayoutHelper | None:
    while _SPARE:
        helper = _SPARE.pop()
        if helper._process is not None and helper._process.exitcode is None:
            return helper
        helper.close()
    return None


def drop_spare() -> None:
    """A spare helper that will not be needed (a small dossier): gone."""
    while _SPARE:
        _SPARE.pop().close()


def worth_trying() -> bool:
    """Whether any dossier could get a helper here (the mode and the machine's cores)."""
    return mode() not in ("off", "0", "no") and (cores() >= 2 or mode() in ("always", "require"))


def mode() -> str:
    return os.environ.get("CASEFILE_LAYOUT_HELPER", "").strip().lower()


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worth_it(selection: Selection) -> bool:
    """Whether a dossier of this selection gets a layout helper."""
    if not worth_trying():
        return False
    work = len(selection.entries) + sum(len(entry.attachments) for entry in selection.entries)
    return mode() in ("always", "require") or work >= MIN_WORK


def check_required(done: bool) -> None:
    """``CASEFILE_LAYOUT_HELPER=require`` (the frozen bundle's smoke test): a helper that could
    not start or finish is an error instead of a silent fallback."""
    if not done and mode() == "require":
        raise CasefileError("The layout helper process did not finish its pieces.")


def share(layout: Layout, start_ms: float = START_MS) -> float:
    """The part of the entries and exhibits the helper should take so that both processes
    finish their first pass together: the helper also measures the front and first has to
    start, this process measures the exhibit index."""
    entries = len(layout.selection.entries)
    photos = sum(1 for ex in layout.exhibits if ex.category == "image")
    divisible = ENTRY_MS * entries + PHOTO_MS * photos + FILE_MS * (len(layout.exhibits) - photos)
    here = MEASURE_EXHIBIT_MS * len(layout.exhibits)
    there = MEASURE_ENTRY_MS * entries + start_ms
    if divisible <= 0:
        return 0.0
    return max(0.0, min(MAX_SHARE, (here - there + divisible) / (2 * divisible)))


class LayoutHelper:
    """The parent's side: ``start`` (spawn, hand over the vault), ``lay_out`` (send the
    pieces), ``poll``/``results`` (collect them), ``close`` (always: kills it if it runs)."""

    def __init__(self, check: Callable[[], None]) -> None:
        self._check = check  # raises if the export was cancelled
        self._process: Any = None
        self._conn: Any = None
        self._failed = False
        self._laid: dict[Piece, Laid] = {}
        self._printed: Laid | None = None
        self._done = False
        self._error: tuple[str, str] | None = None
        self._sending: threading.Thread | None = None
        self._spawned_at = time.monotonic()

    @classmethod
    def start(cls, vault: Any, check: Callable[[], None] = lambda: None) -> LayoutHelper | None:
        """A helper with the vault open — the spare one spawned ahead (``keep_spare``) if there
        is one — or None if none could be started (the dossier is then laid out in this process
        alone). ``check`` raises once the export is cancelled."""
        helper = _take_spare() or cls.spawn()
        if helper is None:
            return None
        helper._check = check
        try:
            helper._conn.send(("open", str(Path(vault.path).resolve())))
            vault.send_data_key(helper._conn.send_bytes)
        except (OSError, EOFError, ValueError):
            helper.close()
            return None
        except BaseException:  # the vault locked meanwhile: its one line goes on, no helper is left
            helper.close()
            raise
        return helper

    @classmethod
    def spawn(cls) -> LayoutHelper | None:
        """The helper's process, warming up (imports, fonts) until it is handed a vault."""
        import multiprocessing

        helper = cls(lambda: None)
        context = multiprocessing.get_context("spawn")
        helper._conn, child_conn = context.Pipe(duplex=True)
        helper._process = context.Process(target=helper_main, args=(child_conn,), name="casefile-layout")
        try:
            helper._process.start()
        except (OSError, AssertionError):  # no process could be made (limits, memory)
            helper._process = None
            helper.close()
            return None
        finally:
            child_conn.close()
        return helper

    def share(self, layout: Layout) -> float:
        """How much of the entries and exhibits to give it: a helper spawned ahead and warm
        is ready at once; one spawned now still has its start ahead of it."""
        if self._failed:
            return 0.0
        warming = max(0.0, START_MS - 1000 * (time.monotonic() - self._spawned_at))
        return share(layout, warming)

    def lay_out(self, layout: Layout, pieces: list[Piece]) -> None:
        """Send the pieces, on a thread: the job is larger than the pipe's buffer, so sending it
        waits until the helper reads it — after its start (imports, the vault, the fonts), which
        this process spends laying out its own pieces instead."""
        sel = layout.selection
        job = ("lay out", sel, layout.exhibits, layout.prepared_at, layout.production, layout.legend, pieces)

        def send() -> None:
            try:
                self._conn.send(job)
            except (OSError, ValueError):
                self._failed = True

        self._sending = threading.Thread(target=send, name="casefile-layout-send", daemon=True)
        self._sending.start()

    def poll(self, tick: Callable[[], None]) -> None:
        """Take what the helper said so far (its drawn pages count as ``tick``s); never waits."""
        while not self._failed and self._ready(0):
            self._take(tick)

    def results(self, tick: Callable[[], None]) -> dict[Piece, Laid]:
        """Wait for the pieces sent with ``lay_out``. What the helper could not lay out is
        missing; its ``CasefileError`` is raised here."""
        self._wait(lambda: self._done, tick)
        return dict(self._laid)

    def print_front(self, layout: Layout) -> bool:
        """Have the helper print the front it measured, with every number now placed; False
        if it cannot (then this process prints it)."""
        if self._failed or not self._done:
            return False
        numbering = [
            (ex.number, ex.first_page, ex.last_page, ex.bates_first, ex.bates_last, ex.reason) for ex in layout.exhibits
        ]
        self._printed = None
        self._sent()  # done: the helper has read the job (it said it is done with it)
        try:
            self._conn.send(("print", layout.pages, layout.total_pages, numbering))
        except (OSError, ValueError):
            self._failed = True
        return not self._failed

    def printed(self, tick: Callable[[], None]) -> Laid | None:
        """The front asked for with ``print_front``, or None if the helper could not print it."""
        self._wait(lambda: self._printed is not None, tick)
        printed, self._printed = self._printed, None
        return printed

    def _wait(self, until: Callable[[], bool], tick: Callable[[], None]) -> None:
        while not self._failed and not until():
            self._check()
            if self._ready(POLL_S):
                self._take(tick)
            elif not self._process.is_alive() and not self._ready(0):
                self._failed = True
        if self._error is not None:
            from app.dossier.child import _error_from

            raise _error_from(*self._error)

    def load_files(self, pdf: bytes, docs: list[Document], table: list[list[Any]]) -> HelperLoadFiles | None:
        """Hand the signed PDF to the helper, which makes the bundle's documents/ (the PDF split),
        text/ and the chronology .xlsx while this process goes on (a preview, the save's
        originals). The helper then belongs to the returned object; None (the helper closed) if
        it cannot take them."""
        if self._failed or not self._done:
            self.close()
            return None
        self._sent()
        try:
            self._conn.send(("load files", pdf, docs, table))
        except (OSError, ValueError):
            self.close()
            return None
        return HelperLoadFiles(self, docs, table)

    def _kill(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if self._process is not None and self._process.exitcode is None:
                self._process.kill()

    def _sent(self) -> None:
        if self._sending is not None:
            self._sending.join()
            self._sending = None

    def close(self) -> None:
        """Kill the helper if it still runs and reap it; its pipe is closed."""
        self._kill()
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join(JOIN_S)
        self._sent()  # a send to a killed helper ends with an error at once
        with contextlib.suppress(OSError):
            if self._conn is not None:
                self._conn.close()
        self._failed = True

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _ready(self, timeout: float) -> bool:
        try:
            return bool(self._conn.poll(timeout))
        except (OSError, EOFError, ValueError):
            self._failed = True
            return False

    def _take(self, tick: Callable[[], None]) -> None:
        try:
            message = self._conn.recv()
        except (OSError, EOFError, ValueError):
            self._failed = True
            return
        if message[0] == "ticks":
            for _ in range(message[1]):
                tick()
        elif message[0] == "laid out":
            self._laid[message[1]] = message[2]
        elif message[0] == "done":
            self._done = True
        elif message[0] == "printed":
            self._printed = message[1]
        elif message[0] == "error":
            self._error = (message[1], message[2])
            self._failed = True
        else:
            self._failed = True


@dataclass
class LoadFiles:
    """What the helper made for the bundle: each in the order it is written."""

    documents: list[tuple[str, bytes]] = field(default_factory=list)  # documents/: the PDF split
    texts: list[tuple[str, bytes]] = field(default_factory=list)  # text/
    xlsx: bytes = b""  # the chronology


class HelperLoadFiles:
    """The load files the helper is making, received on a thread (the pipe must be drained
    while this process does other work); the helper exits when it is done."""

    def __init__(self, helper: LayoutHelper, docs: list[Document], table: list[list[Any]]) -> None:
        self._helper = helper
        self._key = _key(docs, table)
        self._made: LoadFiles | None = LoadFiles()
        self._complete = False
        self._thread = threading.Thread(target=self._receive, name="casefile-layout-files", daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        conn, made = self._helper._conn, self._made
        assert made is not None
        try:
            while (message := conn.recv())[0] in ("document", "text"):
                (made.documents if message[0] == "document" else made.texts).append((message[1], message[2]))
            if message[0] == "xlsx":
                made.xlsx = message[1]
                self._complete = conn.recv()[0] == "done"
        except (OSError, EOFError, ValueError):
            pass  # it died: the load files are made in this process instead
        finally:
            self._helper.close()

    def take(self, docs: list[Document], table: list[list[Any]], timeout: float = FILES_S) -> LoadFiles | None:
        """The load files of exactly these documents and chronology (waiting for the helper to
        finish), once; None if the helper did not make them all, or they were made for others."""
        self._thread.join(timeout)
        if self._thread.is_alive():  # stuck: stop it, and make them here
            self._helper._kill()
            self._thread.join()
        made, self._made = self._made, None
        if made is None or not self._complete or _key(docs, table) != self._key:
            return None
        return made


def _key(docs: list[Document], table: list[list[Any]]) -> tuple[Any, ...]:
    return tuple((d.pdf_path, d.text_path, d.first_page, d.last_page) for d in docs), repr(table)


# -- the helper process -----------------------------------------------------------------


def helper_main(conn: Any) -> None:
    """The helper: open the vault read-only, lay out the pieces it is sent, exit."""
    from app.hardening import disable_core_dumps

    disable_core_dumps()  # a core dump would hold the data key and the record in the clear
    die_with_parent()
    vault = None
    warm = threading.Thread(target=_warm_up, name="casefile-warm-up", daemon=True)
    warm.start()
    try:
        _, path = conn.recv()
        vault = open_sent_vault(conn, path)
        if vault is None:
            return
        warm.join()  # its imports done before this thread imports the same (never two threads in one import cycle)
        job = conn.recv()
        if job[0] == "lay out":
            _lay_out(conn, vault, *job[1:])
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass  # the parent went away or no longer needs the pieces
    except CasefileError as error:
        with contextlib.suppress(OSError):
            conn.send(("error", type(error).__name__, str(error)))
    except Exception as error:  # a bug: the parent lays the pieces out itself (and meets it there)
        import logging

        logging.getLogger(__name__).debug("the layout helper failed", exc_info=error)
    finally:
        if vault is not None:
            vault.lock()  # closes every connection and wipes the key
        with contextlib.suppress(OSError):
            conn.close()


def _warm_up() -> None:
    """The fonts (0.35 s of parsing) and the layout's modules, before the job comes: while this
    helper waits as a spare, or beside the vault's opening."""
    try:
        from app.dossier.text import register_fonts

        register_fonts()
        import app.dossier.layout
        import app.dossier.pdf  # noqa: F401
    except Exception as error:  # the layout itself meets it (and the parent lays out instead)
        import logging

        logging.getLogger(__name__).debug("the layout helper's warm-up failed", exc_info=error)


def _lay_out(
    conn: Any, vault: Any, selection: Any, exhibits: Any, prepared_at: Any, production: Any, legend: str, todo: Any
) -> None:
    from app.dossier.layout import Layout
    from app.dossier.pdf import lay_out, lay_out_all

    layout = Layout(vault, selection, exhibits, prepared_at, production=production, legend=legend)
    drawn = [0]

    def tick() -> None:  # a parent that is gone ends this at its next message (BrokenPipeError)
        drawn[0] += 1
        if drawn[0] == TICKS_EVERY:
            conn.send(("ticks", drawn[0]))
            drawn[0] = 0

    def sent(*message: Any) -> None:
        conn.send(("ticks", drawn[0]))
        drawn[0] = 0
        conn.send(message)

    layout.tick = tick
    parsed: dict[Any, dict[Any, Any]] = {piece: {} for piece in todo if piece.twice}  # the front's cells
    lay_out_all(layout, todo, parsed, done=lambda piece, laid: sent("laid out", piece, laid))
    conn.send(("done",))
    by_number = {ex.number: ex for ex in exhibits}
    while (asked := conn.recv())[0] == "print":  # the front, printed with every number placed
        _, layout.pages, layout.total_pages, numbering = asked
        for number, first, last, bates_first, bates_last, reason in numbering:
            ex = by_number[number]
            ex.first_page, ex.last_page, ex.bates_first, ex.bates_last, ex.reason = (
                first,
                last,
                bates_first,
                bates_last,
                reason,
            )
        front = next(piece for piece in todo if piece.twice)
        sent("printed", lay_out(layout, front, parsed=parsed[front]))
    if asked[0] == "load files":  # the signed PDF into the bundle's load files (HelperLoadFiles)
        from app.dossier.chronology_export import chronology_xlsx
        from app.dossier.loadfile import page_ranges, split_documents, write_text_files

        _, pdf, docs, table = asked
        for path, data in split_documents(pdf, page_ranges(docs)):
            conn.send(("document", path, data))
        write_text_files(layout, pdf, docs, lambda path, data: conn.send(("text", path, data)))
        conn.send(("xlsx", chronology_xlsx(table)))
        conn.send(("done",))
