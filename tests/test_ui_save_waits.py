"""Saving a call while another thread holds the writer: the window keeps painting, the save lands."""

from __future__ import annotations

from typing import Any

from tests.test_ui_writes_wait import LOOSE_BOUND_MS, writer_held

HOLD_S = 1.5


def test_quick_capture_saves_on_a_worker_while_the_writer_is_held(demo_session: Any, qtbot: Any) -> None:
    window = demo_session.window
    vault = demo_session.vault
    dialog = window.quick_capture()
    qtbot.keyClicks(dialog.body, "Called while the import ran")

    with writer_held(vault) as held:
        dialog.save()
        assert dialog.saving and not dialog.save_button.isEnabled() and dialog.isVisible()
        qtbot.wait(int(HOLD_S * 1000))  # the GUI thread runs its loop while the save waits
        assert dialog.isVisible() and dialog.saving  # still waiting: nothing was written around the writer
        with qtbot.waitSignal(dialog.saved, timeout=30_000) as saved:
            held.release.set()
    assert len(held.gaps) > 50
    assert max(held.gaps) < LOOSE_BOUND_MS, f"the GUI thread stalled {max(held.gaps):.0f} ms"
    entry = saved.args[0]
    assert vault.entries.get(entry.id).fields.body == "Called while the import ran"
    assert vault.drafts.list() == []
