"""The heading above the timeline: who the client is, their status, how much is on record."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.records.models import CLIENT_STATUSES
from ui.colours import muted, readable_name
from ui.models.clients_model import STATUS_COLOURS
from ui.words import plural


class ClientHeader(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)

    def show_client(self, client: Any) -> None:
        # Colours from the palette (ui/colours.py): readable on light and dark backgrounds alike.
        back = self.palette().color(self.backgroundRole())
        grey = muted(back)
        if client is None:
            self.setText(f"<span style='color:{grey}'>No client selected. Add one with Ctrl+Shift+N.</span>")
            return
        colour = readable_name(STATUS_COLOURS.get(client.status, "#667085"), back)
        # a line may wrap between contacts, never inside one ("+1 312 555" / "0147")
        contacts = " · ".join(escape(c).replace(" ", "&nbsp;") for c in (*client.emails, *client.phones))
        status = CLIENT_STATUSES.get(client.status, client.status)
        if client.status == "do_not_serve":  # said once: the status, then what it means
            status = f"<b>{status}</b> — decline new work"
        self.setText(
            f"<span style='font-size:15pt;font-weight:600'>{escape(client.name)}</span>"
            f" <span style='color:{colour}'>● {status}</span>"
            f"<br><span style='color:{grey}'>{plural(client.entry_count, 'entry')}"
            f"{' · ' + contacts if contacts else ''}</span>"
        )


def display_zone(vault: Any) -> Any:
    """The vault's display time zone setting, or None for the machine's own zone."""
    return vault.settings.display_zone()
