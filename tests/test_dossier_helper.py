"""The layout helper (app/dossier/layout_helper.py): a second process lays out the later runs
of the entries and exhibits. The dossier is the same page for page — text, anchors, outline,
links, appended pages, Bates ranges — with or without it; a helper that dies or cannot start
changes nothing but the time; a cancel, or a killed export child, leaves no helper behind;
the key reaches it over the pipe only."""

from __future__ import annotations

import io
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.bundles import pdf_pages_text
from tests.helpers.processes import gone

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo's Gerald (photos, emails, PDFs) with 30 more entries, one in Arabic."""
    from app.demo import build_demo_vault
    from app.records.models import EntryFields
    from app.vault import Vault
    from tests.conftest import PASSPHRASE

    root = tmp_path_factory.mktemp("helper")
    build_demo_vault(root / "vault", PASSPHRASE)
    vault = Vault.open(root / "vault", PASSPHRASE)
    client = vault.clients.resolve("Gerald")
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    for i in range(30):
        title = "اتصل العميل بخصوص الفاتورة" if i == 7 else f"Follow-up call {i}"
        fields = EntryFields(
            "call", start + timedelta(hours=9 * i), title, "He asked again about the tiles. " * (i % 9 + 1)
        )
        entry = vault.entries.log(client.id, fields)
        if i % 10 == 3:
            vault.attachments.add_stream(entry.id, io.BytesIO(b"note %d\n" % i), f"note-{i}.txt")
    yield vault, client.id
    vault.lock()


def _build(vault: Any, client_id: int, mode: str, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    from app.dossier.export import build_dossier_pdf
    from app.dossier.select import DossierOptions

    monkeypatch.setenv("CASEFILE_LAYOUT_HELPER", mode)
    return build_dossier_pdf(vault, DossierOptions(client_id), prepared_at=AT, **kw)


def _helper_pieces(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every piece the helper sent back (recorded in this process), at an even share."""
    from app.dossier import layout_helper

    got: list[Any] = []
    results = layout_helper.LayoutHelper.results

    def spy(self: Any, tick: Any) -> Any:
        laid = results(self, tick)
        got.extend(laid)
        return laid

    printed = layout_helper.LayoutHelper.printed

    def spy_printed(self: Any, tick: Any) -> Any:
        front = printed(self, tick)
        got.append(("printed", front is not None))
        return front

    monkeypatch.setattr(layout_helper.LayoutHelper, "results", spy)
    monkeypatch.setattr(layout_helper.LayoutHelper, "printed", spy_printed)
    monkeypatch.setattr(layout_helper, "share", lambda layout, start_ms=0.0: 0.5)
    return got


def _same(one: Any, other: Any, tmp_path: Path) -> None:
    a, b = one.layout, other.layout
    assert one.pages == other.pages > 40
    assert a.pages == b.pages and a.links == b.links and a.placeholders == b.placeholders
    assert list(a.outline.items()) == list(b.outline.items())  # the bookmarks in the same order
    assert [(x.number, x.bates_first, x.bates_last, x.reason) for x in a.exhibits] == [
        (x.number, x.bates_first, x.bates_last, x.reason) for x in b.exhibits
    ]
    (tmp_path / "one.pdf").write_bytes(one.pdf)
    (tmp_path / "other.pdf").write_bytes(other.pdf)
    assert pdf_pages_text(tmp_path / "one.pdf") == pdf_pages_text(tmp_path / "other.pdf")  # page for page


def test_the_helper_lays_out_the_same_dossier(demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.pdf import ENTRIES, EXHIBITS, FRONT

    vault, client_id = demo
    alone = _build(vault, client_id, "off", monkeypatch)
    pieces = _helper_pieces(monkeypatch)
    ticks: list[int] = []
    helped = _build(vault, client_id, "always", monkeypatch, progress=lambda phase, done, total: ticks.append(done))
    printed = [item for item in pieces if isinstance(item, tuple)]
    runs = [piece for piece in pieces if not isinstance(piece, tuple)]
    assert printed == [("printed", True)]  # the front, printed there once every number was placed
    assert {piece.part for piece in runs} == {FRONT, ENTRIES, EXHIBITS}
    assert all(piece.start > 0 for piece in runs if piece.part != FRONT)
    _same(alone, helped, tmp_path)
    categories = {x.category for x in helped.layout.exhibits[runs[-1].start :]}
    assert {"image", "email", "pdf"} <= {x.category for x in helped.layout.exhibits}
    assert categories  # the helper drew some of the exhibits
    assert max(ticks) > helped.pages // 2  # its pages counted in the progress too


def test_a_helper_that_dies_or_cannot_start_changes_nothing(
    demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import multiprocessing.context

    from app.dossier import layout_helper
    from app.errors import CasefileError

    vault, client_id = demo
    alone = _build(vault, client_id, "off", monkeypatch)
    monkeypatch.setattr(layout_helper, "share", lambda layout, start_ms=0.0: 0.5)
    killed: list[int] = []
    lay_out = layout_helper.LayoutHelper.lay_out

    def lay_out_then_die(self: Any, layout: Any, pieces: Any) -> None:
        lay_out(self, layout, pieces)
        killed.append(self.pid or 0)
        os.kill(self.pid or 0, signal.SIGKILL)

    monkeypatch.setattr(layout_helper.LayoutHelper, "lay_out", lay_out_then_die)
    after_death = _build(vault, client_id, "always", monkeypatch)
    assert killed and gone(killed[0])
    _same(alone, after_death, tmp_path)

    monkeypatch.setattr(layout_helper.LayoutHelper, "lay_out", lay_out)
    print_front = layout_helper.LayoutHelper.print_front

    def die_while_printing(self: Any, layout: Any) -> bool:  # after it laid out its runs
        asked = print_front(self, layout)
        killed.append(self.pid or 0)
        os.kill(self.pid or 0, signal.SIGKILL)
        return asked

    monkeypatch.setattr(layout_helper.LayoutHelper, "print_front", die_while_printing)
    printed_here = _build(vault, client_id, "always", monkeypatch)
    assert len(killed) == 2 and gone(killed[1])
    _same(alone, printed_here, tmp_path)
    monkeypatch.setattr(layout_helper.LayoutHelper, "print_front", print_front)

    def no_process(self: Any) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", no_process)
    without = _build(vault, client_id, "always", monkeypatch)
    _same(alone, without, tmp_path)
    with pytest.raises(CasefileError, match="layout helper") as required:  # the bundle's smoke test asks it to run
        _build(vault, client_id, "require", monkeypatch)
    assert "\n" not in str(required.value)


def _started_helpers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every LayoutHelper that ``LayoutHelper.start`` hands out from now on."""
    from app.dossier import layout_helper

    started: list[Any] = []
    start = layout_helper.LayoutHelper.start.__func__  # type: ignore[attr-defined]

    def spy(cls: Any, *args: Any, **kw: Any) -> Any:
        helper = start(cls, *args, **kw)
        started.append(helper)
        return helper

    monkeypatch.setattr(layout_helper.LayoutHelper, "start", classmethod(spy))
    return started


def _pages_text(pdf: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _load_files(zip_path: Path) -> tuple[dict[str, list[str]], dict[str, bytes], list[Any]]:
    """The bundle's documents/ (page by page as text), text/ and chronology rows."""
    import zipfile

    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        documents = {n: _pages_text(zf.read(n)) for n in names if n.startswith("documents/")}
        texts = {n: zf.read(n) for n in names if n.startswith("text/")}
        return documents, texts, _sheet(zf.read("chronology.xlsx"))


def _sheet(xlsx: bytes) -> list[Any]:
    from openpyxl import load_workbook

    return [list(r) for r in load_workbook(io.BytesIO(xlsx), read_only=True)["Chronology"].iter_rows(values_only=True)]


def _made_here(built: Any) -> tuple[dict[str, list[str]], dict[str, bytes], list[Any]]:
    from app.dossier.chronology_export import chronology_xlsx, rows
    from app.dossier.loadfile import documents, page_ranges, split_documents, write_text_files

    docs = documents(built.layout)
    split = {name: _pages_text(data) for name, data in split_documents(built.pdf, page_ranges(docs))}
    texts: dict[str, bytes] = {}
    write_text_files(built.layout, built.pdf, docs, texts.__setitem__)
    return split, texts, _sheet(chronology_xlsx(rows(built.layout, docs)))


def test_the_helper_makes_the_bundles_load_files_from_the_signed_pdf(  # type: ignore[no-untyped-def]
    demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Done with the layout, the helper splits the PDF into documents/, writes text/ and the
    chronology .xlsx while this process goes on; the bundle holds what this process would have
    made. A helper killed meanwhile: all made here instead."""
    from app.dossier import layout_helper
    from app.dossier.export import save_dossier

    vault, client_id = demo
    assert _build(vault, client_id, "off", monkeypatch).load_files is None
    taken: list[bool] = []
    take = layout_helper.HelperLoadFiles.take

    def spy(self: Any, docs: Any, table: Any, timeout: float = 300.0) -> Any:
        made = take(self, docs, table, timeout)
        taken.append(made is not None)
        return made

    monkeypatch.setattr(layout_helper.HelperLoadFiles, "take", spy)
    helped = _build(vault, client_id, "always", monkeypatch)
    expected = _made_here(helped)
    documents, texts, sheet = expected
    assert len(documents) > 20 and all(documents.values()) and len(texts) == len(documents)
    assert any("tiles" in t.decode() for t in texts.values()) and len(sheet) > 30
    assert _load_files(save_dossier(vault, helped, tmp_path / "helped").zip_path) == expected
    assert taken == [True]  # the helper's, not made a second time

    load_files = layout_helper.LayoutHelper.load_files
    killed: list[int] = []

    def send_then_die(self: Any, *args: Any) -> Any:
        pending = load_files(self, *args)
        killed.append(self.pid or 0)
        os.kill(self.pid or 0, signal.SIGKILL)
        return pending

    monkeypatch.setattr(layout_helper.LayoutHelper, "load_files", send_then_die)
    after_death = _build(vault, client_id, "always", monkeypatch)
    saved = save_dossier(vault, after_death, tmp_path / "died")
    assert _load_files(saved.zip_path) == _made_here(after_death)
    assert taken == [True, False] and killed and gone(killed[0])
    assert vault.verify().ok


def test_a_helper_spawned_ahead_is_the_one_a_large_export_uses_and_a_small_one_drops(  # type: ignore[no-untyped-def]
    demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm export child spawns its layout helper ahead (keep_spare): nothing of the vault in
    it until the export hands it over; the next large export uses it; a small one ends it."""
    from app.dossier import layout_helper
    from app.dossier.select import DossierOptions

    vault, client_id = demo
    vault_dir = str(Path(vault.path).resolve())
    monkeypatch.setenv("CASEFILE_LAYOUT_HELPER", "always")
    layout_helper.keep_spare()
    spare = layout_helper._SPARE[0]
    fds = Path(f"/proc/{spare.pid}/fd")
    assert not [os.readlink(fd) for fd in fds.iterdir() if os.readlink(fd).startswith(vault_dir)]
    started = _started_helpers(monkeypatch)
    pid = spare.pid
    built = _build(vault, client_id, "always", monkeypatch)
    assert started == [spare] and layout_helper._SPARE == [] and built.load_files is not None
    assert built.load_files.take([], []) is None  # not the documents it was given: made here
    assert gone(pid)

    layout_helper.keep_spare()
    pid = layout_helper._SPARE[0].pid
    from app.dossier.export import build_dossier_pdf

    monkeypatch.setenv("CASEFILE_LAYOUT_HELPER", "")  # the default: a small dossier gets no helper
    small = build_dossier_pdf(vault, DossierOptions(client_id, kinds=("photo",)), prepared_at=AT)
    assert small.load_files is None and layout_helper._SPARE == [] and gone(pid)


def test_a_cancel_leaves_no_helper_and_its_key_came_over_the_pipe(demo, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.export import ExportCancelled

    vault, client_id = demo
    key = bytes(vault._data_key)
    started = _started_helpers(monkeypatch)
    cancel = threading.Event()
    seen: list[bytes] = []

    def cancel_midway(phase: str, done: int, total: int) -> None:
        if phase == "layout" and done >= 10 and not cancel.is_set():
            proc = Path(f"/proc/{started[0].pid}")
            seen.append((proc / "cmdline").read_bytes() + (proc / "environ").read_bytes())
            cancel.set()

    with pytest.raises(ExportCancelled):
        _build(vault, client_id, "always", monkeypatch, progress=cancel_midway, cancel=cancel)
    assert started and seen and started[0].pid is None  # closed, and reaped
    for form in (key, key.hex().encode(), key.hex().upper().encode()):
        assert form not in seen[0]
    assert vault.verify().ok


def test_a_killed_export_child_takes_its_helper_with_it(demo, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.child import ChildExport, live_children
    from app.dossier.select import DossierOptions

    vault, client_id = demo
    monkeypatch.setenv("CASEFILE_LAYOUT_HELPER", "always")  # the child inherits the environment
    child = ChildExport(vault, DossierOptions(client_id))
    helpers: list[int] = []

    def kill_at_layout(phase: str, done: int, total: int) -> None:
        if phase == "layout" and not helpers:
            found = _children(child.pid or 0)
            if found:
                helpers.extend(found)
                os.kill(child.pid or 0, signal.SIGKILL)

    with pytest.raises(Exception, match="stopped unexpectedly"):
        child.build(kill_at_layout)
    assert helpers, "the export child started no layout helper"
    assert all(_dead(pid) for pid in helpers)
    assert live_children() == 0


def _dead(pid: int, within: float = 10.0) -> bool:
    """Exited: reaped, or a zombie waiting for whichever process adopted it to reap it."""
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.05)
    return False


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(p) for p in text.split()]
    return found
