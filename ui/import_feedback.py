"""What the user sees after an import: a status-bar line, the refusals in a small list,
and do-not-serve WARNINGs in a warning box. Nothing here blocks: dialogs are opened, not exec'd."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QMessageBox, QVBoxLayout, QWidget

from app.ingest.importer import REFUSED, ImportResult


class ImportResultsDialog(QDialog):
    """One line per file (``ImportResult.line()``), refusals first. Closed with Escape or Close."""

    def __init__(
        self, title: str, summary: str, results: Iterable[ImportResult], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} results — Casefile")
        self.setMinimumSize(560, 240)
        ordered = sorted(results, key=lambda r: r.status != REFUSED)
        self.lines = QListWidget()
        self.lines.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.lines.setWordWrap(True)
        for result in ordered:
            self.lines.addItem(result.line())
            if result.status == REFUSED:
                item = self.lines.item(self.lines.count() - 1)
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
        heading = QLabel(summary)
        heading.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.lines, 1)
        layout.addWidget(buttons)


def warn_do_not_serve(parent: QWidget, warnings: list[str]) -> QMessageBox | None:
    """A do-not-serve match must not go unnoticed: a warning box, shown without blocking."""
    if not warnings:
        return None
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Do-not-serve match — Casefile",
        "This import involves someone marked do not serve.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setInformativeText("\n".join(w.removeprefix("WARNING: ") for w in warnings))
    box.setObjectName("do-not-serve-warning")
    box.open()
    return box


def show_results(window: Any, title: str, summary: str, results: list[ImportResult]) -> QDialog | None:
    """Status bar line for everything; the list dialog only when something was refused or skipped."""
    window.statusBar().showMessage(summary, 10_000)
    warn_do_not_serve(window, [n for r in results for n in r.notes if n.startswith("WARNING")])
    problems = [r for r in results if r.status != "imported"]
    if not problems:
        return None
    dialog = ImportResultsDialog(title, summary, results, window)
    dialog.setObjectName("import-results")
    dialog.show()
    return dialog


def inbox_line(result: ImportResult) -> str:
    """The status-bar line for one file the watched Inbox handled."""
    return f"Inbox: {' '.join(result.line().split())}"


def show_inbox_result(window: Any, result: ImportResult) -> None:
    """One file the Inbox (or triage) handled: a status line, a refresh, and any WARNING."""
    if window.locking:
        return
    window.statusBar().showMessage(inbox_line(result), 10_000)
    if result.status == "imported":
        window.refresh_after_import(list(result.entry_ids))
    warn_do_not_serve(window, [n for n in result.notes if n.startswith("WARNING")])


class InboxFeedback(QObject):
    """Receives the watched Inbox's signals for one main window (its parent): a child
    object, so Qt drops the connections when the window goes at lock."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window

    def follow(self, watch: Any) -> None:
        watch.result.connect(self.result)
        watch.error.connect(self.error)
        watch.ended.connect(self.ended)

    def result(self, result: ImportResult) -> None:
        show_inbox_result(self._window, result)

    def error(self, text: str) -> None:
        if not self._window.locking:
            self._window.statusBar().showMessage(text, 15_000)

    def ended(self, text: str) -> None:
        """The Inbox is no longer watched and not by the owner's choice: it stays said."""
        if not self._window.locking:
            self._window.statusBar().showMessage(f"⚠ {text or 'Inbox: no longer watched.'}", 0)
