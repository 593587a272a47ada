"""Right-click menus on entries (the timeline) and attachments (the detail pane).

The menus reuse the main window's own actions (Edit entry…, Retract entry…, Attach files…,
Undo) so shortcuts and enabled states stay in one place; Copy goes through the session's
SecureClipboard (cleared after 30 s and on lock) when the window has one. The menu key and
Shift+F10 open the same menus (Qt sends a context-menu event for them).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMenu

from ui.models.roles import RECORD_ROLE


def _copy(window: Any, text: str) -> None:
    clipboard = getattr(window, "clipboard", None)
    if clipboard is not None:
        clipboard.copy(text)
    else:
        QApplication.clipboard().setText(text)
    window.statusBar().showMessage("Copied (cleared from the clipboard after 30 seconds and on lock).", 5000)


def entry_text(entry: Any, zone: Any = None) -> str:
    """What Copy puts on the clipboard for an entry: when, kind, title and the note."""
    when = entry.occurred_at.astimezone(zone) if zone is not None else entry.occurred_at
    body = getattr(entry.fields, "body", "") or ""
    return f"{when:%a %d %b %Y %H:%M} · {entry.kind} · {entry.title}\n{body}".strip()


def entry_menu(window: Any, pos: QPoint) -> QMenu | None:
    """The menu for the timeline row under ``pos`` (viewport coordinates); the row is selected first."""
    view = window.timeline_view
    index = view.indexAt(pos)
    if not index.isValid():
        return None
    view.selectRow(index.row())
    entry_id = window.current_entry_id()
    if entry_id is None:
        return None
    entry = window.vault.entries.get(entry_id)
    menu = QMenu(view)
    menu.setObjectName("entry-menu")
    menu.addAction(window.edit_action)
    menu.addAction(window.attach_action)
    copy = menu.addAction("Copy")
    copy.triggered.connect(lambda: _copy(window, entry_text(entry, window.zone)))
    menu.addSeparator()
    if entry.retraction is None:  # a retracted entry can be neither edited nor retracted again
        menu.addAction(window.retract_action)
    else:
        menu.removeAction(window.edit_action)
    if window.undo_action.isEnabled():
        menu.addAction(window.undo_action)
    return menu


def attachment_menu(window: Any, pos: QPoint) -> QMenu | None:
    """The menu for the attachment under ``pos`` in the detail pane: preview, save a copy, copy."""
    from ui.dialogs.preview import save_a_copy

    view = window.detail.attachment_view
    index = view.indexAt(pos)
    attachment = index.data(RECORD_ROLE) if index.isValid() else None
    if attachment is None:
        return None
    view.setCurrentIndex(index)
    menu = QMenu(view)
    menu.setObjectName("attachment-menu")
    menu.addAction("Open preview", lambda: window.preview(attachment))
    menu.addAction("Save a copy…", lambda: save_a_copy(window, window.vault.attachments, attachment))
    menu.addAction("Copy name", lambda: _copy(window, attachment.name))
    menu.addAction("Copy SHA-256", lambda: _copy(window, attachment.sha256))
    return menu


def install(window: Any) -> None:
    """Right-click (or the menu key) on the timeline and on the attachments opens their menus."""
    for view, build in ((window.timeline_view, entry_menu), (window.detail.attachment_view, attachment_menu)):
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        def show(pos: QPoint, view: Any = view, build: Any = build) -> None:
            menu = build(window, pos)
            if menu is not None:
                window.context_menu = menu
                menu.popup(view.viewport().mapToGlobal(pos))

        view.customContextMenuRequested.connect(show)
