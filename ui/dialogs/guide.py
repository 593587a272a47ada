"""Help → User guide: a short page shipped in resources/guide, rendered in the app (QTextBrowser,
from memory; links to other sites are not followed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.assets import resource_path
from ui.window_geometry import fit_window


def guide_markdown() -> str:
    return resource_path("guide", "user-guide.md").read_text(encoding="utf-8")


class UserGuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("User guide — Casefile")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # nothing is fetched, nothing else opens
        self.browser.setAccessibleName("User guide")
        self.browser.setMarkdown(guide_markdown())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        fit_window(self, QSize(640, 720))


def show_guide(window: QWidget) -> Any:
    dialog = UserGuideDialog(window)
    dialog.open()
    return dialog
