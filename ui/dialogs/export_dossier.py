"""Export a dossier: the CLI's choices, a build on a worker with progress and Cancel, a preview
of the PDF from memory, then the folder to save the PDF and its bundle into.

The PDF is built once, in a child process (``app.dossier.child.ChildExport``: the layout,
the merge, the signature and the bundle never hold this process's GIL), and the previewed
bytes are what the save writes: what the owner looked at is what the lawyer gets. The child
lives while the preview is shown (it holds the laid-out dossier a save needs); a new build,
Cancel, lock and closing the dialog kill it.
"""

from __future__ import annotations

import sys
import threading
from datetime import datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.records.models import ENTRY_KINDS
from ui.dialogs.primary import make_primary
from ui.file_dialogs import suggested_path
from ui.widgets.pdf_pages import PdfPagesView
from ui.window_geometry import fit_window
from ui.words import plural
from ui.workers import Progress, Tasks, user_message, while_alive

NO_LEGEND = "None"
DECLARATION_FORMS = (
    ("Signed in the US", "us"),
    ("Signed outside the US", "outside-us"),
    ("Other law (counsel writes the closing)", "other"),
)

PHASES = {
    "select": "Reading the record",
    "layout": "Laying out pages",
    "merge": "Appending PDFs",
    "bundle": "Writing the bundle",
}


class ExportDossierDialog(QDialog):
    """Signals:
    built(object): the BuiltDossier now shown in the preview.
    saved(object): the ExportResult once the PDF and the bundle are written.
    """

    built = Signal(object)
    saved = Signal(object)

    def __init__(self, vault: Any, tasks: Tasks, client: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Imported now, while the dialog opens, not on the worker that starts the child: ~50 ms
        # of imports holding the GIL there would be a gap in the window's painting.
        import multiprocessing.connection

        if sys.platform != "win32":
            import multiprocessing.popen_spawn_posix  # noqa: F401

        self.vault = vault
        self._tasks = tasks
        self.dossier: Any = None  # the ChildBuilt being previewed (pdf, summary, pages)
        self.result_: Any = None  # the ExportResult once saved
        self.child: Any = None  # the ChildExport holding the laid-out dossier
        self._cancel: threading.Event | None = None
        self.setWindowTitle("Export dossier — Casefile")
        fit_window(self, QSize(1120, 800))  # within the screen; see ui/window_geometry.py

        self.client_box = QComboBox()
        for other in vault.clients.list():
            self.client_box.addItem(other.name, other.id)
        self.client_box.setCurrentIndex(max(0, self.client_box.findData(client.id)))
        self.from_check, self.from_date = _date_choice("From")
        self.to_check, self.to_date = _date_choice("To")
        self.kinds = QListWidget()
        self.kinds.setAccessibleName("Kinds of entry")
        for key, label in ENTRY_KINDS.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.kinds.addItem(item)
        self.include_private = QCheckBox("Include entries marked private")
        self.bates_prefix = QLineEdit(vault.settings.get("bates_prefix") or "")
        self.bates_prefix.setPlaceholderText("CF")
        self.bates_prefix.setToolTip("Stamped on every page with its number, e.g. CF-000001")
        form = QFormLayout()
        form.addRow("Client", self.client_box)
        form.addRow(self.from_check, self.from_date)
        form.addRow(self.to_check, self.to_date)
        form.addRow("Kinds", self.kinds)
        form.addRow("", self.include_private)
        form.addRow("Bates prefix", self.bates_prefix)
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("e.g. Smith & Lee LLP")
        self.recipient.setToolTip("For whom this production is made; printed on the cover and kept in the register")
        form.addRow("Produced to", self.recipient)
        # What counsel may ask for: a confidentiality legend on every page, the form of the
        # declaration's closing, and which earlier production this one corrects.
        self.legend = QComboBox()
        self.legend.setEditable(True)
        self.legend.setAccessibleName("Legend on every page")
        self.legend.setToolTip("Printed at the foot of every page; choose one or type the wording counsel gives you")
        for text in (NO_LEGEND, "CONFIDENTIAL", "HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY"):
            self.legend.addItem(text)
        form.addRow("Legend", self.legend)
        self.declaration_form = QComboBox()
        self.declaration_form.setAccessibleName("Declaration closing")
        for label, key in DECLARATION_FORMS:
            self.declaration_form.addItem(label, key)
        self.declaration_form.setToolTip("How the records declaration ends (28 U.S.C. § 1746); counsel adapts it")
        form.addRow("Declaration", self.declaration_form)
        self.supersedes = QComboBox()
        self.supersedes.setAccessibleName("Replaces production")
        self.supersedes.setToolTip("An earlier production this one corrects: the cover says so")
        form.addRow("Replaces", self.supersedes)
        self.build_button = QPushButton("Build preview")
        self.build_button.setDefault(True)
        self.build_button.clicked.connect(self.build)
        form.addRow("", self.build_button)
        # The production register: earlier productions of this client (their Bates
        # and exhibit ranges), so the owner sees where the new one will continue.
        self.register = QLabel()
        self.register.setWordWrap(True)
        self.register.setTextFormat(Qt.TextFormat.PlainText)
        self.register.setAccessibleName("Production register")
        form.addRow("Productions", self.register)
        self.client_box.currentIndexChanged.connect(self.show_register)
        self.show_register()
        options = QWidget()
        options.setLayout(form)
        options.setMaximumWidth(360)

        self.preview = PdfPagesView(tasks)
        self.summary = QLabel("Choose what goes in, then build a preview. Nothing leaves the vault until you save.")
        self.summary.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.preview, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(options)
        split.addWidget(right)
        split.setStretchFactor(1, 1)

        self.phase = QLabel()
        self.bar = QProgressBar()
        self.bar.hide()
        self.error = QLabel()
        self.error.setStyleSheet("color: #b42318;")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button = QPushButton("Save PDF and bundle…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._ask_folder)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.phase)
        bottom.addWidget(self.bar, 1)
        bottom.addWidget(self.error, 2)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self._spare: Any = None  # a child spawned ahead, warming up while the owner chooses
        self._spawn_spare()

    # -- choices -----------------------------------------------------------------

    def options(self) -> Any:
        from app.dossier.select import DossierOptions
        from app.errors import InvalidInput

        checked = [
            self.kinds.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.kinds.count())
            if self.kinds.item(i).checkState() == Qt.CheckState.Checked
        ]
        if not checked:
            raise InvalidInput("Tick at least one kind of entry.")
        return DossierOptions(
            client_id=int(self.client_box.currentData()),
            date_from=_instant(self.from_date.date(), time.min) if self.from_check.isChecked() else None,
            date_to=_instant(self.to_date.date(), time.max) if self.to_check.isChecked() else None,
            kinds=() if len(checked) == self.kinds.count() else tuple(checked),
            include_private=self.include_private.isChecked(),
            bates_prefix=self.bates_prefix.text().strip() or None,
            recipient=self.recipient.text().strip(),
            legend="" if self.legend.currentText().strip() in ("", NO_LEGEND) else self.legend.currentText().strip(),
            declaration_form=str(self.declaration_form.currentData()),
            supersedes=self.supersedes.currentData() or None,
        )

    def show_register(self) -> None:
        """The chosen client's earlier productions, newest first (at most five), and all of them
        in "Replaces" after '—' (read once, whenever the client changes or a save adds one)."""
        from app.dossier.productions import productions

        register = productions(self.vault, int(self.client_box.currentData()))
        self.supersedes.clear()
        self.supersedes.addItem("—  (a new production)", "")
        for p in reversed(register):
            self.supersedes.addItem(f"{p.number}  ({p.bates_range})", p.number)
        lines = [
            f"{p.number}  {p.produced_at:%Y-%m-%d}  {p.bates_range}  exhibits {p.exhibit_range}"
            + (f"  to {p.recipient}" if p.recipient else "")
            for p in reversed(register[-5:])
        ]
        more = len(register) - len(lines)
        self.register.setText("\n".join(lines) + (f"\n… and {more} earlier" if more else "") or "None yet.")

    # -- build and save on workers --------------------------------------------------

    def build(self) -> None:
        """Lay the PDF out in a child process (started here: a few ms), waited for on a
        worker; the preview shows it when it arrives."""
        from app.dossier.child import ChildExport

        if self.busy:
            return
        try:
            options = self.options()
        except Exception as error:
            self._show_error(error)
            return
        self.stop_child()
        self.dossier = None
        self.save_button.setEnabled(False)
        self.preview.clear()
        spare, self._spare = self._spare, None
        if spare is not None and not spare.prepare(options):
            spare.close()  # it died, or was stopped at a lock
            spare = None
        try:
            child = self.child = spare or ChildExport(self.vault, options)
        except Exception as error:
            self._show_error(error)
            return
        cancel = threading.Event()
        self._start(cancel, "Building…")

        def run(progress: Progress) -> Any:
            return child.build(_reporter(progress), cancel)

        def stopped(error: BaseException) -> None:
            child.close()  # whatever stopped the build, its child is of no more use
            if self.child is child:
                self.child = None
            self._stopped(error)

        self._tasks.run_with_progress(run, while_alive(self, self._built), while_alive(self, stopped), self._progressed)

    def save_to(self, folder: Path) -> None:
        """The child writes the previewed PDF and its bundle into ``folder``; this process
        records the export (one short transaction). Waited for on a worker."""
        if self.dossier is None or self.child is None:
            return
        vault, child, cancel = self.vault, self.child, threading.Event()
        self._start(cancel, "Saving…")
        self.save_button.setEnabled(False)

        def run(progress: Progress) -> Any:
            return child.save(vault, folder, _reporter(progress), cancel)

        def stopped(error: BaseException) -> None:
            if not child.alive:  # cancelled or died: the preview can no longer be saved
                self.dossier = self.child = None
            self._stopped(error)

        self._tasks.run_with_progress(run, while_alive(self, self._saved), while_alive(self, stopped), self._progressed)

    def cancel(self) -> None:
        """Stop the build or save now (its child process is killed); nothing is written."""
        if self._cancel is not None:
            self._cancel.set()
            self.phase.setText("Stopping…")
            self.cancel_button.setEnabled(False)
            if self.child is not None:
                self.child.close()

    def stop_child(self) -> None:
        """Kill the export's child process (lock, quit, a new build, the dialog closing): the
        preview it could save goes with it."""
        self.cancel()
        if self.child is not None:
            self.child.close()
            self.child = None
            if self._cancel is None:
                self.dossier = None
                self.save_button.setEnabled(False)

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save the dossier into", suggested_path(""))
        if folder:
            self.save_to(Path(folder))

    def _start(self, cancel: threading.Event, text: str) -> None:
        self._cancel = cancel
        self.error.clear()
        self.phase.setText(text)
        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.setEnabled(True)
        self.build_button.setEnabled(False)

    def _finish(self, text: str) -> None:
        self._cancel = None
        self.bar.hide()
        self.phase.setText(text)
        self.cancel_button.setEnabled(False)
        self.build_button.setEnabled(True)

    def _progressed(self, done: int, total: int, phase: str) -> None:
        if self._cancel is None or self._cancel.is_set():
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.phase.setText(PHASES.get(phase, phase))

    def _built(self, dossier: Any) -> None:
        self._finish("")
        self.dossier = dossier
        info = dossier.summary
        self.summary.setText(
            f"{info.client_name}: {plural(info.pages, 'page')}, {plural(info.entries, 'entry')}, "
            f"{plural(info.exhibits, 'exhibit')}, Bates {info.bates_first}–{info.bates_last}. "
            "Check it, then save."
        )
        self.preview.set_pdf(dossier.pdf, dossier.pages)
        self.save_button.setEnabled(True)
        make_primary(self.save_button)  # next, Enter saves (the keyboard-only flow)
        self.save_button.setFocus()
        self.built.emit(dossier)

    def _saved(self, result: Any) -> None:
        self._finish(f"Saved as {result.production}." if result.production else "Saved.")
        self.result_ = result
        self.show_register()
        self.save_button.setEnabled(True)
        self.saved.emit(result)

    def _stopped(self, error: BaseException) -> None:
        from app.dossier.export import ExportCancelled

        self._finish("")
        self.save_button.setEnabled(self.dossier is not None)
        if isinstance(error, ExportCancelled):
            self.phase.setText(str(error))
        else:
            self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        lines = user_message(error).splitlines()
        self.error.setText(lines[0] if lines else "")

    def _spawn_spare(self) -> None:
        """The export's child, started as the dialog opens: by the time the owner asks for the
        preview it has imported what an export needs and parsed the fonts (~0.5 s of the
        build otherwise). It holds nothing of the vault until then."""
        from app.dossier.child import ChildExport

        spare = self._spare = ChildExport(self.vault)
        self._tasks.run(spare.spawn, lambda _none: None, lambda _error: None)  # a failure: build starts one

    def done(self, code: int) -> None:
        self.stop_child()  # closing kills the export's child process, busy or not
        if self._spare is not None:
            self._spare.close()
            self._spare = None
        super().done(code)


def saved_message(result: Any) -> str:
    """The status-bar line naming the files written."""
    return (
        f"Dossier saved: {result.pdf_path.name} and {result.zip_path.name} in {result.pdf_path.parent} "
        f"({result.pages} pages; recorded in the ledger)."
    )


def _reporter(progress: Progress) -> Any:
    return lambda phase, done, total: progress.report(done, total, phase)


def _date_choice(label: str) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(label)
    edit = QDateEdit(QDate.currentDate())
    edit.setAccessibleName(label.replace("&", ""))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setEnabled(False)
    check.toggled.connect(edit.setEnabled)
    return check, edit


def _instant(day: QDate, at: time) -> datetime:
    """The start or end of a day in this machine's zone (as the CLI reads --from/--to)."""
    return datetime.combine(day.toPython(), at).astimezone()  # type: ignore[arg-type]
