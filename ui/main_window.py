"""The main window: clients | timeline | detail. It wires views, dialogs and the vault's events;
the decisions (what is stored, how) live in the core and in the dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui import context_menus
from ui.app_settings import AppSettings
from ui.bridge import VaultEvents
from ui.chat_files import is_chat_export
from ui.dialogs.client import ClientStatusDialog
from ui.dialogs.client_edit import EditClientDialog
from ui.dialogs.export_dossier import ExportDossierDialog, saved_message
from ui.dialogs.guide import show_guide
from ui.dialogs.help import show_about, show_shortcuts
from ui.dialogs.preview import PreviewDialog
from ui.dialogs.quick_capture import QuickCaptureDialog
from ui.dialogs.retract import RetractDialog
from ui.dialogs.screened_client import ScreenedNewClientDialog
from ui.dialogs.search import SearchDialog
from ui.dialogs.wrong_client import file_after_check
from ui.drop import import_dropped_files
from ui.file_dialogs import suggested_path
from ui.icons import icon
from ui.import_feedback import InboxFeedback, show_inbox_result, show_results
from ui.live_refresh import LiveRefresh
from ui.models.clients_model import ClientFilterModel, ClientListModel
from ui.models.roles import COUNT_ROLE, ID_ROLE, RECORD_ROLE
from ui.models.timeline_model import TimelineModel
from ui.models.timeline_thumbs import TimelineThumbnails
from ui.ocr_runner import OcrRunner
from ui.parting_window import PartingWindow
from ui.recording_notice import warn_about_recording_consent
from ui.reminders_dock import RemindersDock
from ui.shortcuts import PassWindowShortcuts
from ui.undo import SessionUndo, checklist_step_reversal
from ui.widgets.client_header import ClientHeader, display_zone
from ui.widgets.detail_collapse import DetailCollapse
from ui.widgets.detail_pane import DetailPane
from ui.widgets.incident_strip import IncidentStrip
from ui.widgets.timeline_view import make_timeline_view
from ui.widgets.views import FileDrops, make_client_view
from ui.widgets.work_indicator import WorkIndicator
from ui.window_geometry import fit_window
from ui.words import plural
from ui.workers import Tasks, serial_tasks, user_message, wait_for_app_writes


class MainWindow(QMainWindow):
    """Signals:
    lock_requested(): the user pressed Ctrl+L.
    settings_requested(): the user opened Settings.
    """

    lock_requested = Signal()
    settings_requested = Signal()
    undo: SessionUndo

    def __init__(self, vault: Any, events: VaultEvents, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self._tasks = tasks
        # The window's own writes (retract, clients, reminders, settings, checklist steps, letters,
        # the follow-up call, undo):
        # off the GUI thread, in the order asked for; a lock waits for them (prepare_lock).
        self.writes = serial_tasks(self)
        self.locking = False
        self._strip_pending = False
        self.filing_question: Any = None  # the open "file under this client anyway?" box, if any
        self.app_settings: AppSettings | None = None  # the session's preferences (set by Session)
        self.setWindowTitle(f"{vault.path.name} — Casefile")
        self.setWindowIcon(icon("vault"))
        fit_window(self, QSize(1280, 780))  # within the screen; see ui/window_geometry.py

        self.clients = ClientListModel(vault.clients, self)
        self.client_filter = ClientFilterModel(self)
        self.client_filter.setSourceModel(self.clients)
        self.zone = display_zone(vault)
        self.timeline = TimelineModel(vault.entries, self, zone=self.zone, tasks=tasks)

        self._build_views()
        self._build_actions()
        self._connect_events(events)
        self.clients.reload()
        self.work = WorkIndicator(self.statusBar())
        self.ocr = OcrRunner(vault, tasks, self)  # machine-read text after imports, on a worker
        self.ocr.progressed.connect(self._ocr_progressed)
        self.ocr.finished_reading.connect(self._ocr_finished)
        self.statusBar().addPermanentWidget(self.work)
        self.last_verify: Any = None  # ui.dialogs.integrity.LastVerify, set by "Verify now"
        self.verified_label = QLabel()
        self.verified_label.hide()
        self.statusBar().addPermanentWidget(self.verified_label)
        from ui.auto_backups import BackupStatusLabel

        self.backup_label = BackupStatusLabel()  # "Last verified backup …" (ui/auto_backups.py)
        self.statusBar().addPermanentWidget(self.backup_label)
        self.statusBar().showMessage(_welcome(vault), 0)
        self.reminders = RemindersDock(vault, self, undo=self.undo, writes=self.writes)
        self.reminders.panel.client_requested.connect(self.select_client)
        if self.client_filter.rowCount():  # open on the main story: the client with the most entries
            rows = range(self.client_filter.rowCount())
            busiest = max(rows, key=lambda r: (self.client_filter.index(r, 0).data(COUNT_ROLE) or 0, -r))
            self.client_view.setCurrentIndex(self.client_filter.index(busiest, 0))
        self._refreshing = self._refresh_again = False  # refresh_from_elsewhere's read is out / one more
        self.live = LiveRefresh(vault, self)
        self.live.changed.connect(self.refresh_from_elsewhere)
        self.clipboard: Any = None  # the session's SecureClipboard (set by Session), for Copy
        self.context_menu: Any = None  # the last right-click menu (ui/context_menus.py)
        context_menus.install(self)

    # -- building ------------------------------------------------------------

    def _build_views(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter clients")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter clients")
        self.filter_edit.textChanged.connect(self.client_filter.set_text)
        self.client_view = make_client_view()
        self.client_view.setModel(self.client_filter)
        self.client_view.selectionModel().currentChanged.connect(self._client_selected)
        self.client_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 0, 8)
        left_layout.addWidget(self.filter_edit)
        left_layout.addWidget(self.client_view)

        self.client_header = ClientHeader()
        self.strip = IncidentStrip()
        self.strip.zone = self.zone
        self.strip.week_clicked.connect(self.select_entry)
        self.thumbs = TimelineThumbnails(self.vault.attachments, self._tasks, parent=self)
        self.timeline_view = make_timeline_view(thumbs=self.thumbs)
        self.thumbs.side = round(self.timeline_view.delegate.thumb_side * self.timeline_view.devicePixelRatioF())
        self.timeline_view.setModel(self.timeline)
        self.timeline_view.selectionModel().selectionChanged.connect(self._entry_selected)
        self.timeline_view.activated.connect(lambda _index: self.edit_entry())
        self.timeline_view.painted.connect(self._start_background_loads)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 8, 8, 8)
        self.parting_button = QToolButton()
        header_row = QHBoxLayout()
        header_row.addWidget(self.client_header, 1)
        header_row.addWidget(self.parting_button, 0, Qt.AlignmentFlag.AlignTop)
        middle_layout.addLayout(header_row)
        middle_layout.addWidget(self.strip)
        middle_layout.addWidget(self.timeline_view, 1)

        self.detail = DetailPane(self._tasks)
        self.detail.zone = self.zone
        self.detail.set_vault(self.vault)
        self.detail.edit_requested.connect(lambda _id: self.edit_entry())
        self.detail.retract_requested.connect(lambda _id: self.retract_entry())
        self.detail.preview_requested.connect(self.preview)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (left, middle, self.detail):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([300, 640, 440])
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

        FileDrops(self.client_view).dropped.connect(self._dropped_on_client)
        FileDrops(self.timeline_view).dropped.connect(self._dropped_on_timeline)
        FileDrops(self.detail.attachment_view).dropped.connect(self._dropped_on_detail)

    def _action(self, text: str, icon_name: str, shortcuts: list[str], slot: Any, tip: str = "") -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setToolTip(f"{tip or text} ({shortcuts[0]})" if shortcuts else tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.log_action = self._action("Log a call / note", "new_entry", ["Ctrl+N"], self.quick_capture)
        self.client_action = self._action("New client…", "new_client", ["Ctrl+Shift+N"], self.new_client)
        self.search_action = self._action("Search", "search", ["Ctrl+K", "Ctrl+F"], self.search)
        self.lock_action = self._action("Lock", "lock", ["Ctrl+L"], self.lock_requested.emit, "Lock the vault")
        self.settings_action = self._action("Settings…", "settings", ["Ctrl+,"], self.settings_requested.emit)
        self.edit_action = self._action("Edit entry…", "edit", ["F2"], self.edit_entry)
        self.retract_action = self._action("Retract entry…", "retract", ["Ctrl+Shift+R"], self.retract_entry)
        self.attach_action = self._action("Attach files…", "attachment", ["Ctrl+O"], self.attach_files)
        self.edit_client_action = self._action(
            "Edit client…", "edit", ["Ctrl+Shift+E"], self.edit_client, "Change the client's name, emails, phones…"
        )
        self.status_action = self._action("Set client status…", "do_not_serve", ["Ctrl+Shift+S"], self.set_status)
        self.quit_action = self._action("Quit", "lock", ["Ctrl+Q"], self.close)
        self.triage_action = self._action("Unsorted Inbox files…", "attachment", [], self.show_triage)
        self.verify_bundle_action = self._action("Verify a bundle…", "search", [], self.show_verify_bundle)
        self.export_action = self._action("Export dossier…", "export_dossier", ["Ctrl+E"], self.export_dossier)
        self.integrity_action = self._action("Record integrity…", "vault", [], self.show_integrity)
        self.parting_action = self._action("Parting ways…", "parting_ways", [], self.parting_ways)
        self.fetch_mail_action = self._action("Fetch mail…", "email", [], self.fetch_mail)
        self.reminders_action = self._action("Reminders", "reminders", ["Ctrl+R"], lambda: self.reminders.toggle())
        self.add_reminder_action = self._action(
            "Add reminder…",
            "reminders",
            ["Ctrl+Shift+M"],
            lambda: self.reminders.add_reminder(),
            "Add a dated reminder",
        )
        self.parting_button.setDefaultAction(self.parting_action)
        self.parting_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_action = self._action(
            "Show details", "note", ["F3"], lambda: None, "Show or hide the details pane"
        )
        self.detail_collapse = DetailCollapse(self, self.detail, self.details_action, self.splitter)
        self.filter_shortcuts = PassWindowShortcuts(self.filter_edit, self)  # Ctrl+E etc. while filtering
        self.undo_action = self._action("Undo", "retract", ["Ctrl+Z"], lambda: self.undo.undo(), "Undo the last action")
        self.undo = SessionUndo(self.vault.entries, self.undo_action, self, writes=self.writes)
        self.undo.undone.connect(lambda line: self.statusBar().showMessage(line, 10_000))
        focus_clients = self._action("Go to clients", "client", ["Ctrl+1"], lambda: self.filter_edit.setFocus())
        focus_timeline = self._action("Go to timeline", "note", ["Ctrl+2"], lambda: self.timeline_view.setFocus())
        self.client_view.addAction(self.log_action)
        self.client_view.addAction(self.edit_client_action)
        self.client_view.addAction(self.status_action)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.log_action, self.attach_action, self.client_action, self.search_action):
            toolbar.addAction(action)
        toolbar.addAction(self.export_action)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.settings_action)
        toolbar.addAction(self.lock_action)
        self.addToolBar(toolbar)

        menus = self.menuBar()
        vault_menu = menus.addMenu("&Vault")
        vault_menu.addActions([self.client_action, self.attach_action, self.triage_action, self.export_action])
        vault_menu.addAction(self.integrity_action)
        vault_menu.addAction(self.verify_bundle_action)
        vault_menu.addSeparator()
        vault_menu.addActions([self.settings_action, self.lock_action, self.quit_action])
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.search_action])
        client_menu = menus.addMenu("&Client")
        client_menu.addActions(
            [self.edit_client_action, self.status_action, self.parting_action, self.fetch_mail_action]
        )
        client_menu.addAction(self.add_reminder_action)
        entry_menu = menus.addMenu("&Entry")
        for action in (self.log_action, self.edit_action, self.retract_action):
            entry_menu.addAction(action)
        view_menu = menus.addMenu("&View")
        for action in (self.search_action, self.reminders_action, self.details_action, focus_clients, focus_timeline):
            view_menu.addAction(action)
        help_menu = menus.addMenu("&Help")
        self.guide_action = self._action("User guide", "note", ["F1"], lambda: show_guide(self), "A short guide")
        help_menu.addAction(self.guide_action)
        self.shortcuts_action = help_menu.addAction("Keyboard shortcuts", lambda: show_shortcuts(self))
        self.about_action = help_menu.addAction("About Casefile", lambda: show_about(self))

    def set_zone(self, zone: Any) -> None:
        """Show days and times in another zone (the display time zone setting changed)."""
        self.zone = zone
        self.timeline.zone = zone
        self.strip.zone = zone
        self.detail.zone = zone
        if self.detail.entry is not None:
            self.detail.show_entry(self.detail.entry.id)
        self.timeline.refresh_ids_full()
        self.strip.load(self.vault.entries, self.timeline.client_id, self._tasks)

    def _connect_events(self, events: VaultEvents) -> None:
        events.entry_added.connect(self._entry_added)
        events.entry_revised.connect(self._entry_changed)
        events.entry_retracted.connect(self._entry_changed)
        events.attachment_added.connect(self._entry_changed)
        events.client_added.connect(lambda _id: self._reload_clients())
        events.client_changed.connect(lambda _id: self._reload_clients())
        events.setting_changed.connect(self._setting_changed)

    def _setting_changed(self, key: str) -> None:
        if key == "display_timezone" and not self.locking:
            self.set_zone(display_zone(self.vault))

    # -- selection -------------------------------------------------------------

    def current_client(self) -> Any:
        return self.client_view.currentIndex().data(RECORD_ROLE)

    def current_entry_id(self) -> int | None:
        index = self.timeline_view.currentIndex()
        return self.timeline.entry_id(index.row()) if index.isValid() else None

    def _client_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        client = current.data(RECORD_ROLE)
        client_id = client.id if client else None
        self._show_client_header(client)
        if client_id == self.timeline.client_id:
            return
        self.timeline.set_client(client_id)
        self._strip_pending = True  # counted once the timeline has painted
        self.strip.set_rows([])
        self.detail.clear()
        if self.timeline.rowCount():
            self.timeline_view.selectRow(0)

    def _start_background_loads(self) -> None:
        if self.locking:
            return
        self.timeline.start_pending_load()
        if self._strip_pending:
            self._strip_pending = False
            self.strip.load(self.vault.entries, self.timeline.client_id, self._tasks)

    def _show_client_header(self, client: Any) -> None:
        self.client_header.show_client(client)

    def _entry_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        entry_id = self.current_entry_id()
        if entry_id is None:
            self.detail.clear()
        elif self.detail.entry is None or self.detail.entry.id != entry_id:
            # Rows inserted above the selection re-announce it: the pane shows it already (a
            # change to it is shown by _entry_changed or the refresh after a commit elsewhere).
            self.detail.show_entry(entry_id)

    def select_client(self, client_id: int) -> None:
        row = self.clients.row_of(client_id)
        if row < 0:
            return
        index = self.client_filter.mapFromSource(self.clients.index(row, 0))
        if not index.isValid():
            self.filter_edit.clear()
            index = self.client_filter.mapFromSource(self.clients.index(row, 0))
        self.client_view.setCurrentIndex(index)

    def select_entry(self, entry_id: int) -> None:
        row = self.timeline.row_of(entry_id)
        if row >= 0:
            self.timeline_view.selectRow(row)
            self.timeline_view.scrollTo(self.timeline.index(row, 0), self.timeline_view.ScrollHint.PositionAtCenter)

    def jump_to(self, client_id: int, entry_id: int) -> None:
        self.select_client(client_id)
        self.select_entry(entry_id)
        self.timeline_view.setFocus()

    # -- vault events ------------------------------------------------------------

    def _reload_clients(self, clients: list[Any] | None = None) -> None:
        """The client list again (``clients``: as a worker read them), the selection kept."""
        current = self.current_client()
        if clients is None:
            self.clients.reload()
        else:
            self.clients.show(clients)
        if current is not None:
            self.select_client(current.id)
        self._show_client_header(self.current_client())

    def _entry_added(self, entry_id: int) -> None:
        """An entry (or an import's entries) was added: counts first, then the timeline takes the
        new rows in place from one bounded read of its newest ids (not every id)."""
        self._reload_clients()
        client = self.current_client()
        if client is not None and not self.timeline.refresh_newest(client.entry_count):
            self._reload_timeline()
        self.strip.load(self.vault.entries, self.timeline.client_id, self._tasks)

    def _reload_timeline(self) -> None:
        """Every id of the client, read on a worker; selection and the top row are kept."""
        view = self.timeline_view
        keep = (self.current_entry_id(), self.timeline.entry_id(view.rowAt(0)), view.verticalScrollBar().value())
        self._tasks.run(
            self.timeline.all_ids_loader(), lambda result: self._timeline_reloaded(result, *keep), lambda _e: None
        )

    def refresh_from_elsewhere(self) -> None:
        """Something committed outside this window's own events (the CLI, ``casefile watch``, a
        second window, the watched Inbox): refresh client counts, the timeline, the detail pane
        and reminders, keeping the selected client, the selected entry and the rows in view.

        What changed is read on a worker, from one snapshot (the clients with their counts, the
        shown client's newest ids, the entry in the detail pane, the reminders due); the GUI
        thread only applies it. Read here, those reads cost 25-45 ms of the GUI thread while an
        Inbox was importing (every statement gives the GIL up and waits to have it back). A
        commit seen while a read is out asks for one more read once it is back."""
        if self.locking:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        vault, shown = self.vault, self.detail.entry
        newest, reminders = self.timeline.newest_reader(), self.reminders.panel.reader()

        def read() -> tuple[Any, ...]:
            with vault.snapshot():
                fresh = vault.entries.get(shown.id) if shown is not None else None
                return vault.clients.list(), newest(), fresh, reminders()

        self._tasks.run(read, self._refreshed_from_elsewhere, self._refresh_failed)

    def _refreshed_from_elsewhere(self, read: tuple[Any, ...]) -> None:
        self._refreshing = False
        if self.locking:
            return
        clients, (client_id, newest), fresh, reminders = read
        self._reload_clients(clients)
        client = self.current_client()
        if client is not None and client.id == client_id == self.timeline.client_id:
            if not self.timeline.refresh_newest(client.entry_count, newest):
                self._reload_timeline()
            self.strip.load(self.vault.entries, client_id, self._tasks)
        shown = self.detail.entry
        if shown is not None and fresh is not None and fresh.id == shown.id and fresh != shown:
            self.detail.show_entry(shown.id)
        self.reminders.panel.show_rows(reminders)
        if self._refresh_again:
            self._refresh_again = False
            self.refresh_from_elsewhere()

    def _refresh_failed(self, _error: BaseException) -> None:
        """The read failed (the vault locking under it): the next commit seen asks again."""
        self._refreshing = self._refresh_again = False

    def _timeline_reloaded(self, result: Any, selected: int | None, top: int | None, scrolled: int) -> None:
        if self.locking or not self.timeline.replace_ids(result):
            return
        view = self.timeline_view
        if selected is not None and self.current_entry_id() == selected:
            pass  # kept through the insertions: selecting it again would show it again (~40 ms)
        elif selected is not None and (row := self.timeline.row_of(selected)) >= 0:
            view.selectionModel().setCurrentIndex(
                self.timeline.index(row, 0),
                view.selectionModel().SelectionFlag.ClearAndSelect | view.selectionModel().SelectionFlag.Rows,
            )
        if scrolled and top is not None and (row := self.timeline.row_of(top)) >= 0:
            view.scrollTo(self.timeline.index(row, 0), view.ScrollHint.PositionAtTop)
        else:
            view.verticalScrollBar().setValue(0)

    def _entry_changed(self, entry_id: int) -> None:
        if not self.timeline.entry_changed(entry_id):
            self._reload_timeline()  # its time moved: the order changed
        self.strip.load(self.vault.entries, self.timeline.client_id, self._tasks)
        if self.detail.entry is not None and self.detail.entry.id == entry_id:
            self.detail.show_entry(entry_id)

    # -- actions -------------------------------------------------------------------

    def quick_capture(self) -> QuickCaptureDialog | None:
        client = self.current_client()
        if client is None:
            self.statusBar().showMessage("Add or select a client first (Ctrl+Shift+N adds one).", 5000)
            return None
        dialog = QuickCaptureDialog(self.vault, client, parent=self)
        dialog.saved.connect(lambda entry: self.select_entry(entry.id))
        dialog.saved.connect(lambda entry: self.undo.entries_made(f"“{entry.title}”", [entry.id]))
        dialog.files_to_attach.connect(lambda entry, paths: self.add_files(entry.client_id, paths, entry.id))
        dialog.open()
        return dialog

    def edit_entry(self) -> QuickCaptureDialog | None:
        entry_id, client = self.current_entry_id(), self.current_client()
        if entry_id is None or client is None:
            return None
        entry = self.vault.entries.get(entry_id)
        if entry.retraction is not None:
            self.statusBar().showMessage("A retracted entry cannot be edited.", 5000)
            return None
        dialog = QuickCaptureDialog(self.vault, client, entry=entry, parent=self)
        dialog.open()
        return dialog

    def retract_entry(self) -> RetractDialog | None:
        entry_id = self.current_entry_id()
        if entry_id is None:
            return None
        dialog = RetractDialog(self.vault.entries, self.vault.entries.get(entry_id), parent=self, writes=self.writes)
        dialog.open()
        return dialog

    def new_client(self) -> ScreenedNewClientDialog:
        dialog = ScreenedNewClientDialog(self.vault, parent=self, writes=self.writes)
        dialog.added.connect(lambda client: self.select_client(client.id))
        dialog.open_client_requested.connect(self.select_client)
        dialog.open()
        return dialog

    def _client_name(self, client_id: int) -> str:
        try:
            return str(self.vault.clients.get(client_id).name)
        except Exception:  # the client went away meanwhile: the line just names no one
            return ""

    def edit_client(self) -> EditClientDialog | None:
        client = self.current_client()
        if client is None:
            return None
        dialog = EditClientDialog(self.vault.clients, client, self.zone, parent=self, writes=self.writes)
        dialog.open()
        return dialog

    def set_status(self) -> ClientStatusDialog | None:
        client = self.current_client()
        if client is None:
            return None
        dialog = ClientStatusDialog(self.vault.clients, client, parent=self, writes=self.writes)
        dialog.open()
        return dialog

    def export_dossier(self) -> ExportDossierDialog | None:
        client = self.current_client()
        if client is None:
            self.statusBar().showMessage("Select the client whose dossier to export.", 5000)
            return None
        dialog = ExportDossierDialog(self.vault, self._tasks, client, parent=self)
        dialog.saved.connect(lambda result: self.statusBar().showMessage(saved_message(result), 0))
        dialog.open()
        return dialog

    def fetch_mail(self) -> Any:
        from ui.dialogs.mail import FetchMailDialog

        client = self.current_client()
        if client is None:
            self.statusBar().showMessage("Select the client whose mail to fetch.", 5000)
            return None
        dialog = FetchMailDialog(self.vault, self._tasks, client, parent=self)
        dialog.fetched.connect(lambda _report: self._entry_added(0))
        dialog.open()
        return dialog

    def parting_ways(self) -> PartingWindow | None:
        client = self.current_client()
        if client is None:
            self.statusBar().showMessage("Select the client you are parting ways with.", 5000)
            return None
        window = PartingWindow(self.vault, client, parent=self, writes=self.writes)
        window.record_changed.connect(self._entry_added)
        window.entry_recorded.connect(self.select_entry)
        window.record_changed.connect(lambda _id: self.reminders.panel.refresh())
        window.checklist.step_recorded.connect(lambda state: self._step_recorded(window, state))
        window.show()
        return window

    def _step_recorded(self, window: PartingWindow, state: Any) -> None:
        def after() -> None:
            if not self.locking:
                self._reload_clients()
                self.reminders.panel.refresh()
            if window in self.findChildren(PartingWindow) and window.isVisible():
                window.checklist.refresh()

        if state.row_id is not None:
            self.undo.did(f"the step “{state.step.label}”", checklist_step_reversal(self.vault, state), after)

    def search(self) -> SearchDialog:
        dialog = SearchDialog(self.vault, self._tasks, parent=self, zone=self.zone)
        dialog.entry_chosen.connect(self.jump_to)
        dialog.open()
        return dialog

    def preview(self, attachment: Any) -> PreviewDialog:
        dialog = PreviewDialog(self.vault.attachments, attachment, self._tasks, parent=self)
        dialog.open()
        return dialog

    def attach_files(self) -> None:
        client = self.current_client()
        if client is None:
            return
        names, _ = QFileDialog.getOpenFileNames(self, f"Attach files to {client.name}", suggested_path(""))
        if names:
            paths, entry_id = [Path(n) for n in names], self.current_entry_id() if self.detail.entry else None
            file_after_check(self, self._tasks, client.id, paths, lambda: self.add_files(client.id, paths, entry_id))

    def add_files(self, client_id: int, paths: list[Path], entry_id: int | None = None, chat: Any = None) -> Any:
        """Store files on a worker, with progress and Cancel in the status bar. A phone-message
        export dropped on a client first asks which conversation and time zone (one dialog)."""
        if entry_id is None and chat is None and len(paths) == 1 and is_chat_export(paths[0]):
            return self.ask_chat_options(client_id, paths[0])
        vault = self.vault
        progress = self._tasks.run_with_progress(
            lambda p: import_dropped_files(vault, client_id, paths, entry_id, p, chat),
            self._files_added,
            self._failed,
            self.work.show_progress,
        )
        self.work.start(f"Adding {plural(len(paths), 'file')}…", progress)
        return progress

    def ask_chat_options(self, client_id: int, path: Path) -> Any:
        from ui.dialogs.chat_import import ChatImportDialog

        dialog = ChatImportDialog(self.vault, self.vault.clients.get(client_id), path, parent=self)
        dialog.chosen.connect(lambda options: self.add_files(client_id, [path], None, options))
        dialog.open()
        return dialog

    def _files_added(self, outcome: Any) -> None:
        self.work.finish("")
        if not self.locking:
            self.refresh_after_import(outcome.entry_ids, select=True)
            if outcome.entry_id is None:  # new entries; files added to an existing entry are not undone here
                self.undo.entries_made(f"the import of {plural(len(outcome.entry_ids), 'entry')}", outcome.entry_ids)
            show_results(self, "Import", outcome.summary(self._client_name(outcome.client_id)), list(outcome.results))
            if outcome.entry_ids:
                self.ocr.start(outcome.client_id, tuple(outcome.entry_ids))
            warn_about_recording_consent(self, [Path(r.path) for r in outcome.results if r.ok], self.app_settings)

    def _ocr_progressed(self, done: object, total: object, name: str) -> None:
        if not self.locking and name:
            self.statusBar().showMessage(f"Reading text in images (OCR) {done}/{total}: {name}", 3000)

    def _ocr_finished(self, outcome: Any) -> None:
        if not self.locking and outcome.with_text and self.detail.entry is not None:
            self.detail.show_entry(self.detail.entry.id)  # its machine-read text, if it has some now

    def refresh_after_import(self, entry_ids: list[int], *, select: bool = False) -> None:
        """Imports write inside their own transaction without vault events: refresh explicitly."""
        if entry_ids and not self.locking:
            self._entry_added(entry_ids[-1])
            if select:
                self.select_entry(entry_ids[-1])

    def watch_inbox(self, watch: Any) -> None:
        InboxFeedback(self).follow(watch)  # a child: its connections end with this window

    def show_integrity(self) -> Any:
        from ui.dialogs.integrity import IntegrityDialog

        dialog = IntegrityDialog(self.vault, self._tasks, self.last_verify, parent=self)
        dialog.verified.connect(self._verified)
        dialog.open()
        return dialog

    def _verified(self, last: Any) -> None:
        """The status bar's "Verified <when>" (this session's last verification)."""
        self.last_verify = last
        self.verified_label.setText(last.status_text())
        self.verified_label.setToolTip(last.summary)
        self.verified_label.show()

    def show_backup_warning(self, line: str) -> None:
        self.statusBar().showMessage(f"⚠ {line}", 0)

    def show_verify_bundle(self) -> Any:
        from ui.dialogs.verify_bundle import VerifyBundleDialog

        dialog = VerifyBundleDialog(self._tasks, parent=self)
        dialog.open()
        return dialog

    def show_triage(self) -> Any:
        from ui.dialogs.triage import TriageDialog

        dialog = TriageDialog(self.vault, self._tasks, self.zone, parent=self)
        dialog.assigned.connect(lambda result: show_inbox_result(self, result))
        dialog.open()
        return dialog

    def _failed(self, error: BaseException) -> None:
        self.work.finish("")
        if not self.locking:
            QMessageBox.warning(self, "Casefile", user_message(error))

    def _dropped_on_client(self, paths: list[Path], index: QModelIndex) -> None:
        client = index.data(RECORD_ROLE) if index.isValid() else self.current_client()
        if client is not None:
            selected = self.current_client()
            file_after_check(
                self,
                self._tasks,
                client.id,
                paths,
                lambda: self.add_files(client.id, paths),
                selected_client_id=selected.id if selected is not None else None,
            )

    def _dropped_on_timeline(self, paths: list[Path], index: QModelIndex) -> None:
        client_id = self.timeline.client_id
        if client_id is not None:
            entry_id = index.data(ID_ROLE) if index.isValid() else None
            file_after_check(self, self._tasks, client_id, paths, lambda: self.add_files(client_id, paths, entry_id))

    def _dropped_on_detail(self, paths: list[Path], _index: QModelIndex) -> None:
        if self.detail.entry is not None:
            client_id, entry_id = self.detail.entry.client_id, self.detail.entry.id
            file_after_check(self, self._tasks, client_id, paths, lambda: self.add_files(client_id, paths, entry_id))

    # -- locking -----------------------------------------------------------------------

    def prepare_lock(self) -> None:
        """Before the vault closes: open drafts are written, dialogs and views are emptied."""
        self.locking = True
        self.live.stop()
        self.ocr.stop()
        self.reminders.stop()
        for export in self.findChildren(ExportDossierDialog):
            export.stop_child()  # its child process is killed: no preview outlives the lock
        for parting in self.findChildren(PartingWindow):
            parting.done(0)
        for dialog in self.findChildren(QuickCaptureDialog):
            dialog.autosave_timer.stop()
            dialog.save_draft()
            dialog.tasks.wait()  # its writes run on its own worker: in before the vault closes
            dialog.done(0)
        self.writes.wait()  # a write asked for by the window or its dialogs: in before the vault closes
        wait_for_app_writes()  # and one asked for by a form opened on its own (ui.workers.app_writes)
        self.detail.set_vault(None)
        self.detail.clear()
        self.timeline.clear()
        self.thumbs.clear()
        self.clients.clear()
        self.client_header.clear()
        self.strip.set_rows([])

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.locking:
            self.prepare_lock()
        super().closeEvent(event)


def _welcome(vault: Any) -> str:
    """The first status line: where the vault is, and any drafts a crash or a lock left behind."""
    drafts = vault.drafts.list()
    if not drafts:
        return f"Vault {vault.path} — unlocked"
    names = sorted({vault.clients.get(d.client_id).name for d in drafts if d.client_id is not None})
    if not names:  # drafts of no particular client: no empty "kept for : …"
        return f"{plural(len(drafts), 'unsaved draft')} kept: press Ctrl+N to continue."
    return f"{plural(len(drafts), 'unsaved draft')} kept for {', '.join(names)}: select the client and press Ctrl+N to continue."
