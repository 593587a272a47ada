"""The heading above the timeline: who the client is, their status, how much is on record."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.records.models import CLIENT_STATUSES
from ui.models.clients_model import STATUS_COLOURS
from ui.words import plural


class ClientHeader(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)

    def show_client(self, client: Any) -> None:
        if client is None:
            self.setText("<span style='color:#667085'>No client selected. Add one with Ctrl+Shift+N.</span>")
            return
        colour = STATUS_COLOURS.get(client.status, "#667085")
        contacts = " · ".join((*client.emails, *client.phones))
        warning = ""
        if client.status == "do_not_serve":
            warning = " <b style='color:#b42318'>— do not serve: decline new work</b>"
        self.setText(
            f"<span style='font-size:15pt;font-weight:600'>{escape(client.name)}</span>"
            f" <span style='color:{colour}'>● {CLIENT_STATUSES.get(client.status, client.status)}</span>{warning}"
            f"<br><span style='color:#667085'>{plural(client.entry_count, 'entry')}"
            f"{' · ' + escape(contacts) if contacts else ''}</span>"
        )


def display_zone(vault: Any) -> Any:
    """The vault's display time zone setting, or None for the machine's own zone."""
    return vault.settings.display_zone()
