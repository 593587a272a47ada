"""Icons from resources/icons: one small SVG set drawn for Casefile (24 px, 1.8 px strokes)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    """The icon called ``name`` (an entry kind such as ``call``, or an action such as ``lock``)."""
    path = ICON_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon(str(ICON_DIR / "document.svg"))
