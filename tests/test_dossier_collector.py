"""While a dossier is exported the cyclic collector makes no full collection of the
whole heap (a GUI stall and lost export time); afterwards it is as it was, and the
export's own cyclic garbage is gone."""

from __future__ import annotations

import gc
import threading
import weakref
from datetime import UTC, datetime, timedelta

import pytest


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _fill(vault) -> int:  # type: ignore[no-untyped-def]
    from app.records.models import EntryFields

    client = vault.clients.add("Collector Client")
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    for i in range(8):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(days=i), f"Visit {i}", "Grout. " * 50))
    return client.id


def test_an_export_defers_full_collections_and_restores_the_collector(vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.collector import FULL_COLLECTION_EVERY
    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions

    client_id = _fill(vault)
    before = gc.get_threshold()
    seen: list[tuple[tuple[int, int, int], int]] = []
    garbage: list[weakref.ref[_Cycle]] = []

    def progress(phase: str, done: int, total: int) -> None:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        if len(garbage) < 3:
            garbage.append(weakref.ref(_Cycle()))  # unreachable at once, freed only by the collector

    result = export_dossier(vault, DossierOptions(client_id), tmp_path / "out", progress=progress)
    assert result.pages > 8
    assert seen and all(t[2] == FULL_COLLECTION_EVERY and frozen > 0 for t, frozen in seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert garbage and all(ref() is None for ref in garbage)  # collected at the export's end
    assert vault.verify().ok


def test_a_failed_export_and_two_at_once_leave_the_collector_as_it_was(vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.dossier.collector import FULL_COLLECTION_EVERY, quiet_collector
    from app.dossier.export import ExportCancelled, export_dossier
    from app.dossier.select import DossierOptions

    client_id = _fill(vault)
    before = gc.get_threshold()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportCancelled):
        export_dossier(vault, DossierOptions(client_id), tmp_path / "out", cancel=cancel)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    first_in, second_out = threading.Event(), threading.Event()
    during: list[int] = []

    def other() -> None:
        with quiet_collector():
            first_in.set()
            second_out.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert first_in.wait(10)
    with quiet_collector():
        pass
    during.append(gc.get_threshold()[2])  # the other export still runs: still quiet
    second_out.set()
    thread.join()
    assert during == [FULL_COLLECTION_EVERY]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
