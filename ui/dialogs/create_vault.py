"""Create a vault: passphrase twice with a strength meter, then the recovery key, shown once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.unlock import busy_bar, error_label
from ui.widgets.strength import StrengthMeter
from ui.workers import Tasks, user_message


class CreateVaultDialog(QDialog):
    """Page 1 asks where and for the passphrase; page 2 shows the recovery key once.

    Signals:
        created(object): the open Vault, after the user confirmed the recovery key is stored.
    """

    created = Signal(object)

    def __init__(
        self, folder: Path, tasks: Tasks, on_change: Any, *, bates_prefix: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._on_change = on_change
        self._bates_prefix = bates_prefix
        self._vault: Any = None
        self.setWindowTitle("New vault — Casefile")
        self.setMinimumWidth(520)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._passphrase_page(folder))
        self.pages.addWidget(self._recovery_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.passphrase.setFocus()

    # -- page 1 ------------------------------------------------------------

    def _passphrase_page(self, folder: Path) -> QWidget:
        page = QWidget()
        self.folder = QLineEdit(str(folder))
        browse = QPushButton("Choose…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.folder)
        where.addWidget(browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Repeat the passphrase")
        self.meter = StrengthMeter(self.passphrase)
        self.error = error_label()
        self.busy = busy_bar()
        form = QFormLayout()
        form.addRow("Folder", where)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("", self.meter)
        form.addRow("Repeat it", self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton("Create vault", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setDefault(True)
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        intro = QLabel(
            "<h2>Create a vault</h2>Everything you record is encrypted with this passphrase."
            " Nobody — not even Casefile — can open the vault without it or the recovery key."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addStretch()
        layout.addWidget(buttons)
        return page

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the new vault", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def try_create(self) -> None:
        from app.vault import Vault

        problem = self.meter.problem(self.repeat.text())
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        folder, secret, on_change, prefix = (
            Path(self.folder.text()),
            self.passphrase.text(),
            self._on_change,
            self._bates_prefix,
        )

        def create() -> tuple[Any, str]:
            vault, recovery_key = Vault.create(folder, secret, on_change=on_change)
            if prefix and prefix != vault.settings.get("bates_prefix"):
                vault.settings.set("bates_prefix", prefix)
            return vault, recovery_key

        self.error.hide()
        self.busy.show()
        self.create_button.setEnabled(False)
        self._tasks.run(create, self._was_created, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.create_button.setEnabled(True)
        self.error.setText(user_message(error))
        self.error.show()

    def _was_created(self, result: tuple[Any, str]) -> None:
        self.busy.hide()
        self.passphrase.clear()
        self.repeat.clear()
        self._vault, recovery_key = result
        self.recovery_key.setText(recovery_key)
        self.pages.setCurrentIndex(1)
        self.stored.setFocus()

    # -- page 2 ------------------------------------------------------------

    def _recovery_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            "<h2>Your recovery key</h2>If you forget the passphrase, this key is the only way back in."
            " Write it down or print it and keep it somewhere safe, away from this computer."
            " <b>It is shown only now.</b>"
        )
        intro.setWordWrap(True)
        self.recovery_key = QLabel()
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.recovery_key.setFont(font)
        self.recovery_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recovery_key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recovery_key.setStyleSheet("padding: 12px; border: 1px solid palette(mid); border-radius: 4px;")
        copy = QPushButton("Copy")
        copy.setAutoDefault(False)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.recovery_key.text()))
        kit = QPushButton("Save Emergency Kit (PDF)…")
        kit.setAutoDefault(False)
        kit.clicked.connect(self.save_emergency_kit)
        self.stored = QCheckBox("I have stored the recovery key somewhere safe")
        buttons = QDialogButtonBox()
        self.finish = buttons.addButton("Open the vault", QDialogButtonBox.ButtonRole.AcceptRole)
        self.finish.setEnabled(False)
        self.stored.toggled.connect(self.finish.setEnabled)
        buttons.accepted.connect(self._finish)
        row = QHBoxLayout()
        row.addWidget(self.recovery_key, 1)
        row.addWidget(copy)
        row.addWidget(kit)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.stored)
        layout.addStretch()
        layout.addWidget(buttons)
        return page

    def save_emergency_kit(self, target: Path | None = None) -> Path | None:
        """Write the printable kit where the user says, after saying it holds the key in the clear."""
        from PySide6.QtWidgets import QMessageBox

        from ui.emergency_kit import write_emergency_kit

        if target is None:
            answer = QMessageBox.information(
                self,
                "Emergency Kit",
                "The PDF holds your recovery key in the clear. Print it, then delete the file.",
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Ok:
                return None
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save Emergency Kit", "Casefile Emergency Kit.pdf", "PDF (*.pdf)"
            )
            if not chosen:
                return None
            target = Path(chosen)
        try:
            return write_emergency_kit(target, Path(self.folder.text()), self.recovery_key.text())
        except OSError as error:
            QMessageBox.warning(self, "Emergency Kit", f"The kit could not be saved: {error.strerror or error}.")
            return None

    def _finish(self) -> None:
        if not self.stored.isChecked() or self._vault is None:
            return
        vault, self._vault = self._vault, None
        self.recovery_key.clear()
        self.created.emit(vault)
        self.accept()

    def reject(self) -> None:
        if self.pages.currentIndex() == 1:
            return  # the vault exists; the key must be acknowledged before leaving this page
        super().reject()
