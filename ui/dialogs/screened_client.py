"""The New client dialog, with the do-not-serve check before the client is added.

A name, e-mail or phone that matches a do-not-serve client (``app.parting.dns``)
opens the DoNotServeWarning: the owner may go back, open that record, or add anyway.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from ui.dialogs.client import NewClientDialog, _split
from ui.parting.dns_warning import DoNotServeWarning
from ui.workers import Tasks, user_message


class ScreenedNewClientDialog(NewClientDialog):
    """Signals (besides NewClientDialog's):
    open_client_requested(object): show this existing client's record instead (client id).
    """

    open_client_requested = Signal(object)

    def __init__(self, vault: Any, parent: QWidget | None = None, *, writes: Tasks | None = None) -> None:
        super().__init__(vault.clients, parent, writes=writes)
        self._vault = vault
        self.warning: DoNotServeWarning | None = None

    def add(self) -> None:
        """The fields are checked first (one line, at once), then screened (a read), then the
        client is written on the worker."""
        from app.parting.dns import match_person

        if self.write.saving or not self.checked():
            return
        try:
            matches = match_person(
                self._vault, name=self.name.text(), emails=_split(self.emails.text()), phones=_split(self.phones.text())
            )
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        if not matches:
            self.store()
            return
        self.warning = warning = DoNotServeWarning(self._vault, matches, self)
        buttons = warning.findChild(QDialogButtonBox)
        if buttons is not None:  # the warning's own Close means "go back"; add the other way out
            buttons.button(QDialogButtonBox.StandardButton.Close).setText("Go back")
            add_anyway = QPushButton("Add anyway")
            buttons.addButton(add_anyway, QDialogButtonBox.ButtonRole.ActionRole)
            add_anyway.clicked.connect(lambda: warning.done(ADD_ANYWAY))
        warning.open_client_requested.connect(self._open_existing)
        warning.finished.connect(self._warning_answered)
        warning.open()

    def _warning_answered(self, code: int) -> None:
        if code == ADD_ANYWAY and not self.write.saving:
            self.store()

    def _open_existing(self, client_id: Any) -> None:
        self.open_client_requested.emit(client_id)
        self.reject()


ADD_ANYWAY = int(QDialog.DialogCode.Accepted) + 10
