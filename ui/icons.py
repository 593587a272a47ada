"""Icons from resources/icons: one small SVG set drawn for Casefile (24 px, 1.8 px strokes)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from app.assets import resource_path


@cache
def icon(name: str) -> QIcon:
    """The icon called ``name`` (an entry kind such as ``call``, or an action such as ``lock``)."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon(str(resource_path("icons", "document.svg")))
