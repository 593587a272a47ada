"""An export in a spawned child process (app/dossier/child.py): the same dossier as in one
process, the record written only by the parent, the child's errors as the same one line,
a child that dies as one line, and a kill that leaves no child and no partial file."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers.bundles import pdf_pages_text
from tests.helpers.processes import gone
from tests.test_dossier_productions import _small_vault


def test_a_child_export_is_the_same_dossier_and_only_the_parent_writes(tmp_path: Path) -> None:
    from app.dossier.child import ChildExport, live_children
    from app.dossier.export import build_dossier_pdf, export_dossier
    from app.dossier.select import DossierOptions
    from app.dossier.verify_bundle import verify_bundle
    from app.errors import InvalidInput

    vault, client, _ids = _small_vault(tmp_path)
    at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    here = build_dossier_pdf(vault, DossierOptions(client.id), prepared_at=at)
    events_before = len(vault.events())
    phases: list[str] = []
    child = ChildExport(vault, DossierOptions(client.id), prepared_at=at)
    built = child.build(lambda phase, done, total: phases.append(phase))
    assert len(vault.events()) == events_before  # building wrote nothing
    assert {"select", "layout", "merge"} <= set(phases)
    assert built.pages == here.pages and built.summary == here.summary
    (tmp_path / "here.pdf").write_bytes(here.pdf)
    (tmp_path / "child.pdf").write_bytes(built.pdf)
    assert pdf_pages_text(tmp_path / "child.pdf") == pdf_pages_text(tmp_path / "here.pdf")  # page for page

    result = child.save(vault, tmp_path / "out", lambda *_: phases.append("saved"))
    assert "saved" in phases and child.alive  # idle again: the preview could be saved once more
    assert result.pdf_path.read_bytes() == built.pdf
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [result.pdf_path.name, result.zip_path.name]
    assert oct(result.pdf_path.stat().st_mode & 0o777) == "0o600"
    report = verify_bundle(result.zip_path)
    assert report.ok, report.problems
    exports = [e for e in vault.events() if e.action == "dossier.export"]
    assert len(exports) == 1 and exports[0].payload["pdf_sha256"] == result.pdf_sha256
    # The same preview saved twice is refused (its numbers are taken), and nothing is left.
    with pytest.raises(InvalidInput, match="prepare it again") as refused:
        child.save(vault, tmp_path / "again")
    assert "\n" not in str(refused.value)
    assert list((tmp_path / "again").iterdir()) == []
    pid = child.pid
    child.quit()
    assert gone(pid) and not child.alive and live_children() == 0

    # Bates continue across a child's production and one made in this process.
    second = export_dossier(vault, DossierOptions(client.id), tmp_path / "two")
    assert int(second.bates_first.split("-")[-1]) == int(result.bates_last.split("-")[-1]) + 1
    assert vault.verify().ok
    vault.lock()


def test_the_childs_errors_are_the_same_one_line(tmp_path: Path) -> None:
    from app.dossier.child import ChildExport, live_children
    from app.dossier.export import build_dossier_pdf, export_dossier
    from app.dossier.select import DossierOptions
    from app.errors import InvalidInput

    vault, client, _ids = _small_vault(tmp_path)
    export_dossier(vault, DossierOptions(client.id), tmp_path / "first")
    backwards = DossierOptions(client.id, bates_start=1)  # never back: numbers 1… are taken
    with pytest.raises(InvalidInput) as here:
        build_dossier_pdf(vault, backwards)
    child = ChildExport(vault, backwards)
    with pytest.raises(InvalidInput) as there:
        child.build()
    assert str(there.value) == str(here.value) and "\n" not in str(there.value)
    child.close()
    assert gone(child.pid) and live_children() == 0
    vault.lock()


def test_a_child_that_dies_is_one_line_and_a_killed_save_leaves_nothing(tmp_path: Path) -> None:
    import threading

    from app.dossier.child import STOPPED, ChildExport, live_children
    from app.dossier.export import ExportCancelled
    from app.dossier.select import DossierOptions
    from app.errors import CasefileError

    vault, client, _ids = _small_vault(tmp_path)
    events = len(vault.events())
    # Killed from outside in the middle of its layout: one line, nothing written.
    child = ChildExport(vault, DossierOptions(client.id))
    seen: list[str] = []

    def kill_at_layout(phase: str, done: int, total: int) -> None:
        if phase == "layout" and not seen:
            seen.append(phase)
            os.kill(child.pid or 0, signal.SIGKILL)

    with pytest.raises(CasefileError) as died:
        child.build(kill_at_layout)
    assert str(died.value) == STOPPED
    assert gone(child.pid) and live_children() == 0

    # Cancelled in the middle of writing its bundle: the child is killed, and the partial
    # files it had begun (0600, in the destination) are removed by the parent.
    child = ChildExport(vault, DossierOptions(client.id))
    child.build()
    out = tmp_path / "out"
    cancel = threading.Event()
    partials: list[list[str]] = []

    def cancel_in_bundle(phase: str, done: int, total: int) -> None:
        if phase == "bundle" and done >= 1 and not cancel.is_set():
            partials.append(sorted(p.name for p in out.iterdir()))
            cancel.set()

    with pytest.raises(ExportCancelled):
        child.save(vault, out, cancel_in_bundle, cancel)
    assert partials and all(name.endswith(".partial") for name in partials[0]) and len(partials[0]) == 2
    assert list(out.iterdir()) == []
    assert gone(child.pid) and live_children() == 0
    assert len(vault.events()) == events and vault.verify().ok
    vault.lock()


def test_the_child_gets_the_key_over_the_pipe_only(tmp_path: Path) -> None:
    """Neither argv nor the environment of the child holds the data key (read from /proc);
    it runs niced."""
    from app.dossier.child import ChildExport
    from app.dossier.select import DossierOptions

    vault, client, _ids = _small_vault(tmp_path)
    key = bytes(vault._data_key)
    child = ChildExport(vault, DossierOptions(client.id))
    child.build()
    proc = Path(f"/proc/{child.pid}")
    seen = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
    for form in (key, key.hex().encode(), key.hex().upper().encode()):
        assert form not in seen
    # Background work: the child runs at a lower CPU priority than the window's process.
    assert os.getpriority(os.PRIO_PROCESS, child.pid or 0) > os.getpriority(os.PRIO_PROCESS, 0)
    assert not any(p.name.endswith(".partial") for p in tmp_path.rglob("*"))
    child.close()
    vault.lock()


def test_the_cli_can_export_through_the_child_as_the_app_does(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.ok("demo")
    out = tmp_path / "child-out"
    cli.ok("export", "Gerald", "--out", str(out), "--separate-process")
    [pdf] = out.glob("*.pdf")
    [bundle] = out.glob("*.zip")
    assert pdf.stat().st_mode & 0o777 == 0o600 and not list(out.glob("*.partial"))
    assert "OK:" in cli.ok("verify-bundle", str(bundle)).out
    assert cli.ok("verify").out.startswith("OK: the record is intact")
