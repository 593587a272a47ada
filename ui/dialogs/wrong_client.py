"""Before filing dropped or picked files: "This email is from Gerald Whitmore's address; file it
under Priya Natarajan anyway?" The check (``app.ingest.client_match``) runs on a worker; the
question is a window-modal box opened without blocking, whose default is Cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ingest.client_match import FilingCheck, check_filing
from ui.workers import user_message


def ask_before_filing(parent: QWidget, check: FilingCheck, file_them: Callable[[], None]) -> QMessageBox:
    """The question, with "File under <client>" and Cancel; ``file_them`` runs on the first."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Another client's email? — Casefile", check.question, parent=parent)
    box.setObjectName("wrong-client-question")
    box.setAccessibleName("Another client's email")
    file_button = box.addButton(f"File under {check.client_name}", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)  # Enter does not file under the wrong client by accident
    box.setEscapeButton(cancel)
    box.buttonClicked.connect(lambda button: file_them() if button is file_button else None)
    box.open()
    return box


def file_after_check(
    window: Any,
    tasks: Any,
    client_id: int,
    paths: list[Path],
    file_them: Callable[[], Any],
    *,
    selected_client_id: int | None = None,
) -> None:
    """Check ``paths`` on a worker, then file them at once, or after the owner confirms."""
    vault = window.vault

    def checked(check: FilingCheck) -> None:
        if window.locking:
            return
        if check.question:
            window.filing_question = ask_before_filing(window, check, file_them)
        else:
            file_them()

    def failed(error: BaseException) -> None:
        if not window.locking:
            window.statusBar().showMessage(user_message(error), 10_000)

    tasks.run(lambda: check_filing(vault, client_id, paths, selected_client_id=selected_client_id), checked, failed)
