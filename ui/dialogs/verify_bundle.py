"""Vault → Verify a bundle…: check a dossier bundle someone received, with no vault open.

The same check as ``casefile verify-bundle`` (app/dossier/verify_bundle.py), run on a worker
so a large bundle never freezes the window; the result is shown in words a lawyer can act on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.file_dialogs import suggested_path
from ui.words import plural
from ui.workers import Tasks


def check_bundle(path: Path, fingerprint: str | None) -> tuple[bool, str]:
    """Runs on a worker: the verdict and the text to show."""
    from app.dossier.verify_bundle import verify_bundle

    report = verify_bundle(path, expect_fingerprint=fingerprint or None)
    if not report.ok:
        return False, "NOT OK — do not rely on this bundle as it is:\n" + "\n".join(f"• {p}" for p in report.problems)
    lines = [
        "OK: 1 file matches its SHA-256 checksum and the manifest."
        if report.files_checked == 1
        else f"OK: {report.files_checked} files match their SHA-256 checksums and the manifest.",
        f"The PDF has {plural(report.pages, 'page')}; its exhibit index prints the manifest's SHA-256 values.",
    ]
    if report.signed_by:
        lines.append(f"The manifest is signed by the key with fingerprint {report.signed_by}.")
        if not fingerprint:
            lines.append("Compare that fingerprint with the one the owner gave you before relying on it.")
    if report.ledger_head:
        lines.append(f"Ledger head stated in the bundle: {report.ledger_head}")
    return True, "\n".join(lines)


class VerifyBundleDialog(QDialog):
    """Pick a bundle (ZIP), optionally the expected key fingerprint, and check it."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.setWindowTitle("Verify a dossier bundle")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("The bundle's .zip file")
        self.path_edit.setAccessibleName("Bundle file")
        browse = QPushButton("Choose…")
        browse.setAccessibleName("Choose the bundle file")
        browse.clicked.connect(lambda _checked=False: self.choose())
        self.key_edit = QLineEdit()
        self.key_edit.setPlaceholderText("Optional: the key fingerprint the owner gave you")
        self.key_edit.setAccessibleName("Expected key fingerprint")
        self.result_view = QPlainTextEdit()
        self.result_view.setReadOnly(True)
        self.result_view.setAccessibleName("Result")
        self.status = QLabel("")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        # Enter verifies (the default button); Esc closes.
        self.verify_button = QPushButton("Verify")
        self.verify_button.setDefault(True)
        self.verify_button.clicked.connect(lambda _checked=False: self.verify())

        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Check that a dossier bundle is complete and unchanged. No vault is needed."))
        layout.addLayout(row)
        layout.addWidget(self.key_edit)
        layout.addWidget(self.result_view, 1)
        layout.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(self.verify_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a dossier bundle", suggested_path(""), "Dossier bundles (*.zip)"
        )
        if name:
            self.path_edit.setText(name)

    def verify(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self.status.setText("Choose the bundle's .zip file first.")
            return
        path, fingerprint = Path(text).expanduser(), self.key_edit.text().strip()
        self.verify_button.setEnabled(False)
        self.status.setText(f"Checking {path.name}…")
        self.result_view.clear()
        self._tasks.run(lambda: check_bundle(path, fingerprint), self._show, self._failed)

    def _show(self, outcome: Any) -> None:
        ok, text = outcome
        self.verify_button.setEnabled(True)
        self.status.setText("The bundle checks out." if ok else "The bundle did not pass.")
        self.status.setProperty("verdict", "ok" if ok else "failed")
        self.result_view.setPlainText(text)

    def _failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.status.setText(str(error).splitlines()[0] if str(error) else type(error).__name__)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
