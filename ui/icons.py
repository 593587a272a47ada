"""Icons from resources/icons: one small SVG set drawn for Casefile (24 px, 1.8 px strokes).

The strokes are coloured for a light background. Under a dark palette each colour is recoloured
from the palette (``ui.colours.readable`` against Window, contrast ≥ 3 as WCAG asks of icons):
the SVG text is rewritten in memory and rendered by QSvgRenderer at the sizes the app uses, at
the screen's device pixel ratio, so nothing is written to disk.
"""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtGui import QGuiApplication, QIcon, QPalette

from app.assets import resource_path

ICON_SIZES = (16, 20, 24, 32, 48)
_HEX = r'(stroke|fill)="(#[0-9a-fA-F]{6})"'  # compiled (and cached) by re at the first dark palette


_palette_seen: list[int | None] = [None, None]  # [palette cacheKey, its Window rgba when dark else None]


def icon(name: str) -> QIcon:
    """The icon called ``name`` (an entry kind such as ``call``, or an action such as ``lock``).

    Called for every painted row: the palette is looked at once per palette (its cacheKey), ~2 µs."""
    palette = QGuiApplication.palette()
    key = palette.cacheKey()
    if key != _palette_seen[0]:
        from ui.colours import is_dark

        dark = is_dark(palette)
        _palette_seen[:] = [key, palette.color(QPalette.ColorRole.Window).rgba() if dark else None]
    background = _palette_seen[1]
    return _light(name) if background is None else _recoloured(name, background)


def _path(name: str) -> str:
    path = resource_path("icons", f"{name}.svg")
    return str(path if path.exists() else resource_path("icons", "document.svg"))


@cache
def _light(name: str) -> QIcon:
    return QIcon(_path(name))


def recolour_svg(svg: str, background_rgba: int) -> str:
    """Every ``stroke``/``fill`` colour of ``svg`` made readable on ``background``."""
    from PySide6.QtGui import QColor

    from ui.colours import MARK_CONTRAST, readable_name

    back = QColor.fromRgba(background_rgba)
    return re.sub(_HEX, lambda m: f'{m.group(1)}="{readable_name(m.group(2), back, MARK_CONTRAST)}"', svg)


@cache
def _recoloured(name: str, background_rgba: int) -> QIcon:
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    with open(_path(name), encoding="utf-8") as stream:
        svg = recolour_svg(stream.read(), background_rgba)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    ratio = max((s.devicePixelRatio() for s in QGuiApplication.screens()), default=1.0)
    result = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap(round(size * ratio), round(size * ratio))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(ratio)
        result.addPixmap(pixmap)
    return result
