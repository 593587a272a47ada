"""Help menu: the keyboard shortcuts (read from the window's own actions) and About (versions, licence)."""

from __future__ import annotations

import sys
from html import escape
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget


def shortcuts_html(window: QWidget) -> str:
    rows = []
    for action in window.actions():
        keys = ", ".join(s.toString(s.SequenceFormat.NativeText) for s in action.shortcuts())
        if keys:
            name = action.text().replace("&", "")
            rows.append(f"<tr><td><b>{escape(keys)}</b></td><td>{escape(name)}</td></tr>")
    return "<table cellspacing=4>" + "".join(rows) + "</table><p>Enter runs a dialog's main button; Esc cancels.</p>"


def about_text() -> str:
    import PySide6
    from PySide6.QtCore import qVersion

    from app import __version__

    return (
        f"<h3>Casefile {escape(__version__)}</h3>"
        "<p>An encrypted, timestamped record of a difficult client, and a dossier for a lawyer."
        " Everything stays on this computer.</p>"
        f"<p>Python {sys.version.split()[0]} · Qt {qVersion()} · PySide6 {PySide6.__version__}</p>"
        "<p>Licence: GNU General Public License, version 3 or later (the LICENSE file shipped with Casefile).</p>"
    )


def show_shortcuts(window: QWidget) -> Any:
    box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts — Casefile", shortcuts_html(window), parent=window)
    box.open()
    return box


def show_about(window: QWidget) -> Any:
    box = QMessageBox(QMessageBox.Icon.NoIcon, "About Casefile", about_text(), parent=window)
    box.open()
    return box
