"""Help menu: the keyboard shortcuts (read from the window's own actions) and About (versions, licence)."""

from __future__ import annotations

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

    from app.about import components, version

    parts = components()
    parts["Qt (PySide6)"] = f"{qVersion()} (PySide6 {PySide6.__version__})"  # the Qt actually loaded
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>&nbsp;{escape(value)}</td></tr>"
        for name, value in parts.items()
        if name != "Casefile"
    )
    return (
        f"<h3>Casefile {escape(version())}</h3>"
        "<p>An encrypted, timestamped record of a difficult client, and a dossier for a lawyer."
        " Everything stays on this computer.</p>"
        f"<table>{rows}</table>"
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
