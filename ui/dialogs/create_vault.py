"""Create a vault: passphrase twice with a strength meter, then the recovery key, shown once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
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

from ui.clipboard import SecureClipboard
from ui.dialogs.primary import make_primary
from ui.dialogs.unlock import busy_bar, error_label
from ui.file_dialogs import start_in, suggested_path
from ui.widgets.passphrase_field import PassphraseField
from ui.widgets.recovery_key import RecoveryKeyLabel
from ui.widgets.strength import StrengthMeter
from ui.window_geometry import keep_on_screen
from ui.workers import Tasks, user_message


class CreateVaultDialog(QDialog):
    """Page 1 asks where and for the passphrase; page 2 shows the recovery key once.

    Signals:
        created(object): the open Vault, after the user confirmed the recovery key is stored.
        open_requested(): the user has a vault already and wants to open it instead.
    """

    created = Signal(object)
    open_requested = Signal()
    create_button: QPushButton
    error: QLabel

    def __init__(
        self,
        folder: Path,
        tasks: Tasks,
        on_change: Any,
        *,
        bates_prefix: str = "",
        clipboard: SecureClipboard | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clipboard = clipboard or SecureClipboard(self)
        self._tasks = tasks
        self._on_change = on_change
        self._bates_prefix = bates_prefix
        self._vault: Any = None
        self.setWindowTitle("New vault — Casefile")
        self.setMinimumWidth(480)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._passphrase_page(folder))
        self.pages.addWidget(self._recovery_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        make_primary(self.create_button)
        keep_on_screen(self)
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
        self.folder.setAccessibleName("Folder for the new vault")
        browse.setAccessibleName("Choose the folder")
        self.passphrase = PassphraseField("Passphrase")
        self.repeat = PassphraseField("Repeat the passphrase")
        self.passphrase.toggle.toggled.connect(self.repeat.set_shown)
        self.meter = StrengthMeter(self.passphrase)
        self.error = error_label()
        for field in (self.passphrase, self.repeat):
            field.textChanged.connect(lambda _text: self.error.hide())
        self.busy = busy_bar()
        form = QFormLayout()
        form.addRow("Folder", where)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("", self.passphrase.caps_warning)
        form.addRow("", self.meter)
        form.addRow("Repeat it", self.repeat)
        form.addRow("", self.repeat.caps_warning)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton("Create vault", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button = buttons.addButton("Open an existing vault…", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(lambda: self.open_requested.emit())
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
        chosen = QFileDialog.getExistingDirectory(
            self, "Folder for the new vault", start_in(str(Path(self.folder.text()).parent))
        )
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
        self.recovery_key.set_key(recovery_key)
        self.pages.setCurrentIndex(1)
        make_primary(self.finish)
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
        self.recovery_key = RecoveryKeyLabel()
        self.copy_button = QPushButton(f"Copy (cleared after {self.clipboard.seconds:.0f} s)")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(lambda: self.clipboard.copy(self.recovery_key.key()))
        self.kit_button = QPushButton("Save Emergency Kit (PDF)…")
        self.kit_button.setAutoDefault(False)
        self.kit_button.setToolTip("A one-page PDF to print: it holds the recovery key in the clear.")
        # clicked(bool) must not reach save_emergency_kit's ``target`` (it once wrote a file named "False")
        self.kit_button.clicked.connect(lambda: self.save_emergency_kit())
        self.kit_note = QLabel()
        self.kit_note.setWordWrap(True)
        self.kit_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kit_note.hide()
        self.stored = QCheckBox("I have stored the recovery key somewhere safe")
        buttons = QDialogButtonBox()
        self.finish = buttons.addButton("Open the vault", QDialogButtonBox.ButtonRole.AcceptRole)
        self.finish.setEnabled(False)
        self.stored.toggled.connect(self.finish.setEnabled)
        buttons.accepted.connect(self._finish)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.kit_button)
        row.addStretch()
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.recovery_key)
        layout.addLayout(row)
        layout.addWidget(self.kit_note)
        layout.addWidget(self.stored)
        layout.addStretch()
        layout.addWidget(buttons)
        return page

    def save_emergency_kit(self, target: Path | None = None) -> Path | None:
        """Write the printable kit where the user says (asked in a save dialog when ``target`` is None),
        and say where it went and that it holds the key in the clear."""
        from ui.emergency_kit import write_emergency_kit

        if target is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Save the Emergency Kit (it holds the recovery key in the clear)",
                suggested_path("Casefile Emergency Kit.pdf"),
                "PDF (*.pdf)",
            )
            if not chosen:
                return None
            target = Path(chosen)
        if not isinstance(target, Path):
            raise TypeError(f"save_emergency_kit needs a Path, not {target!r}")
        try:
            written = write_emergency_kit(target, Path(self.folder.text()), self.recovery_key.key())
        except OSError as error:
            self.kit_note.setText(f"The Emergency Kit could not be saved: {error.strerror or error}.")
            self.kit_note.setStyleSheet("color: #b42318;")
            self.kit_note.show()
            return None
        self.kit_note.setStyleSheet("")
        self.kit_note.setText(
            f"Emergency Kit saved to {written}. It holds your recovery key in the clear:"
            " print it, keep the paper somewhere safe, then delete the file."
        )
        self.kit_note.show()
        return written

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
