"""The desktop app drains the anchor queue in the background and anchors the seal daily."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.helpers.tsa import LocalTsa


@pytest.fixture
def tsa() -> Iterator[LocalTsa]:
    server = LocalTsa()
    yield server
    server.close()


def test_queued_anchors_drain_on_a_worker_and_the_dialog_is_told(vault, tsa: LocalTsa, qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    from ui.anchor_retry import AnchorRetry
    from ui.workers import Tasks

    vault.anchors.set_tsa_urls([tsa.url])
    tsa.stop()
    vault.anchors.anchor_seal(timeout=1)
    assert len(vault.anchors.pending()) == 1
    tsa.start()
    tasks = Tasks(parent=qapp)  # a parentless QObject outliving QApplication crashes at exit
    retry = AnchorRetry(tasks, qapp)
    retry.start(vault)
    with qtbot.waitSignal(retry.anchors_changed, timeout=20000):
        retry.tick()
    retry.stop()
    tasks.wait()
    retry.deleteLater()
    tasks.deleteLater()
    assert vault.anchors.pending() == []
    assert [a.kind for a in vault.anchors.anchored()] == ["seal"]
    assert vault.verify().ok


def test_the_daily_seal_is_due_only_when_the_record_changed_a_day_later(vault, tsa: LocalTsa) -> None:  # type: ignore[no-untyped-def]
    from ui.anchor_retry import anchoring_work, daily_anchor_due

    vault.anchors.set_tsa_urls([tsa.url])
    assert daily_anchor_due(vault)  # never anchored
    [first] = [r for r in anchoring_work(vault) if r.anchor]
    later = first.anchor.gen_time + dt.timedelta(days=1, minutes=1)
    assert not daily_anchor_due(vault, later)  # nothing changed since
    vault.clients.add("Gerald Whitmore")
    assert not daily_anchor_due(vault, first.anchor.gen_time + dt.timedelta(hours=2))
    assert daily_anchor_due(vault, later)
    vault.settings.set("anchor_after_export", "off")
    assert anchoring_work(vault) == []
