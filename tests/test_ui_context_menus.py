"""Right-click menus on entries and attachments: the window's own actions, Copy through the
session's clipboard, preview and save a copy."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from ui.dialogs.preview import PreviewDialog


def _right_click(view: Any, pos: QPoint) -> None:
    global_pos = view.viewport().mapToGlobal(pos)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, global_pos))


# A popup menu grabs the keyboard; the offscreen platform cannot, and says so.
@pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard")
def test_right_click_on_an_entry_and_on_an_attachment(demo_session: Any, qtbot: Any) -> None:
    window, vault = demo_session.window, demo_session.vault
    entry = next(e for e in vault.entries.timeline() if e.attachment_count and e.retraction is None)
    window.jump_to(entry.client_id, entry.id)
    qtbot.waitUntil(lambda: window.detail.entry is not None and window.detail.entry.id == entry.id)
    view = window.timeline_view
    row = window.timeline.row_of(entry.id)
    _right_click(view, view.visualRect(window.timeline.index(row, 0)).center())
    menu = window.context_menu
    qtbot.waitUntil(menu.isVisible)
    names = [a.text() for a in menu.actions() if a.text()]
    assert names[:3] == ["Edit entry…", "Attach files…", "Copy"] and "Retract entry…" in names
    next(a for a in menu.actions() if a.text() == "Copy").trigger()
    menu.hide()
    copied = QApplication.clipboard().text()
    assert entry.title in copied and str(entry.occurred_at.year) in copied
    assert demo_session.clipboard.holds_ours()  # cleared after 30 s and on lock

    attachments = window.detail.attachment_view
    qtbot.waitUntil(lambda: window.detail.attachments.rowCount() == entry.attachment_count)
    first = window.detail.attachments.attachments()[0]
    _right_click(attachments, attachments.visualRect(window.detail.attachments.index(0, 0)).center())
    menu = window.context_menu
    qtbot.waitUntil(menu.isVisible)
    assert [a.text() for a in menu.actions()] == ["Open preview", "Save a copy…", "Copy name", "Copy SHA-256"]
    menu.actions()[3].trigger()
    menu.hide()
    assert QApplication.clipboard().text() == first.sha256
    menu.actions()[0].trigger()
    preview = window.findChild(PreviewDialog)
    assert preview is not None
    qtbot.waitExposed(preview)
    demo_session.tasks.wait()
    preview.done(0)
