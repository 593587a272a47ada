"""The watched Inbox inside the app: ``app.ingest.inbox_child.InboxProcess`` (the Inbox's
work in a child process, so that reading and importing files never takes the window's GIL),
its plain callbacks re-emitted as Qt signals (the bridge pattern of ui/bridge.py).

Which folder: the app's Inbox folder setting (QSettings, per computer) if set, else
the vault's ``inbox_folder`` setting (shared with ``casefile import --inbox``), else
``~/Casefile Inbox``. Whether it runs: the "Watch the Inbox folder" setting; until
the user chooses, only when that folder already exists — the app never creates a
folder in someone's home on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.app_settings import AppSettings


def inbox_folder(settings: AppSettings, vault: Any) -> Path:
    from app.ingest.inbox import DEFAULT_INBOX

    own = settings.inbox_folder.strip()
    if own:
        return Path(own).expanduser()
    shared = vault.settings.get("inbox_folder").strip() if vault is not None else ""
    return Path(shared or DEFAULT_INBOX).expanduser()


def inbox_wanted(settings: AppSettings, vault: Any) -> bool:
    choice = settings.inbox_watch
    return choice if choice is not None else inbox_folder(settings, vault).is_dir()


class InboxWatch(QObject):
    """Owns the running Inbox, if any.

    Signals:
        result(object): an ImportResult, for each file the Inbox handled.
        error(str): a one-line problem (the watcher keeps going).
        running_changed(bool): started or stopped.
        ended(str): it stopped without being asked (the reason's line); ``running`` is False.
    """

    result = Signal(object)
    error = Signal(str)
    running_changed = Signal(bool)
    ended = Signal(str)
    _child_ended = Signal(object, str)  # from the supervising thread, queued to this object's

    def __init__(self, parent: QObject | None = None, *, settle_seconds: float = 2.0) -> None:
        super().__init__(parent)
        self.settle_seconds = settle_seconds
        self.inbox: Any = None
        self._child_ended.connect(self._ended)

    @property
    def running(self) -> bool:
        return self.inbox is not None

    def start(self, vault: Any, folder: Path) -> bool:
        """Start watching ``folder`` (created with its Imported/Failed folders). False, with
        ``error`` emitted, if it cannot start."""
        from app.errors import CasefileError
        from app.ingest.inbox import inbox_settings
        from app.ingest.inbox_child import InboxProcess

        self.stop()
        try:
            _folder, delete_imported = inbox_settings(vault)
            inbox = InboxProcess(
                vault,
                folder,
                delete_imported=delete_imported,
                settle_seconds=self.settle_seconds,
                on_result=self.result.emit,  # called on its supervising thread: queued to the GUI thread
                on_error=self.error.emit,
                on_end=lambda line: self._child_ended.emit(inbox, line),
            )
            inbox.start()
        except (CasefileError, OSError) as error:
            self.error.emit(f"The Inbox {folder} is not watched: {' '.join(str(error).split())}")
            return False
        self.inbox = inbox
        self.running_changed.emit(True)
        return True

    def stop(self) -> None:
        """Stop the watcher and wait for its child (a file mid-import finishes its transaction)."""
        inbox, self.inbox = self.inbox, None
        if inbox is not None:
            inbox.stop()
            self.running_changed.emit(False)

    def _ended(self, inbox: Any, line: str) -> None:
        if inbox is not self.inbox:  # one stopped or replaced since: already accounted for
            return
        self.inbox = None
        inbox.stop()  # its supervisor has ended: this only joins it
        self.running_changed.emit(False)
        self.ended.emit(line)
