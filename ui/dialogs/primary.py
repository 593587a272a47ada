"""Enter runs a dialog's primary action; Esc cancels (QDialog's own Esc handling).

QPushButton.setDefault only registers the dialog's main default when the button already
sits inside the dialog; called earlier (while the button box is still being built) the
dialog has no main default, and on show Qt promotes the first auto-default button in the
focus chain — often Cancel, so Enter cancelled. Call ``make_primary`` once the layout is
installed on the dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def make_primary(button: QPushButton) -> QPushButton:
    """Make ``button`` the dialog's default button (drawn as such, clicked by Enter)."""
    button.setAutoDefault(True)
    button.setDefault(False)  # setDefault(True) on an already-default button does nothing
    button.setDefault(True)
    return button


def form_dialog(
    dialog: QDialog, rows: Sequence[tuple[str, QWidget]], error: QLabel, action: str, on_action: Callable[[], None]
) -> QPushButton:
    """Lay out ``dialog`` as a form of ``rows``, its one-line ``error``, and Cancel beside the
    primary button ``action`` (Enter runs ``on_action``, Esc cancels). Returns that button."""
    form = QFormLayout()
    for label, field in rows:
        form.addRow(label, field)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.accepted.connect(on_action)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return make_primary(button)


class WritingDialog(QDialog):
    """A form that writes through ``self.write`` (a ``ui.workers.ButtonWrite``) and shows
    its one-line errors in ``self.error``: it refuses to close while the write is on its way
    (closing would hide the outcome)."""

    write: Any
    error: QLabel

    def show_error(self, line: str) -> None:
        self.error.setText(line)
        self.error.show()

    def reject(self) -> None:
        if getattr(self, "write", None) is not None and self.write.saving:
            return
        super().reject()
