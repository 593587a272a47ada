"""Colours that stay readable in light and dark palettes.

The app's accent colours (status badges, "late", "do not serve", icon strokes) are picked for a
light background. ``readable`` keeps a colour's hue and changes only its lightness until it has
the contrast WCAG asks for against the palette's background (4.5 for text, 3 for icons and
other non-text marks), so on a dark palette dark red becomes light red. ``muted`` is the
palette's own placeholder text colour, made readable the same way.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QGuiApplication, QPalette

TEXT_CONTRAST = 4.5  # WCAG 2 AA, normal text
MARK_CONTRAST = 3.0  # WCAG 2 AA, icons and other graphical objects


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""
    return 0.2126 * _linear(colour.redF()) + 0.7152 * _linear(colour.greenF()) + 0.0722 * _linear(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 … 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def readable(colour: str | QColor, background: QColor | None = None, minimum: float = TEXT_CONTRAST) -> QColor:
    """``colour`` with its hue kept and its lightness moved (away from ``background``, the palette's
    Base by default) until the contrast is at least ``minimum``."""
    wanted = QColor(colour)
    back = background or QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return QColor.fromRgba(_readable(wanted.rgba(), back.rgba(), minimum))


@cache
def _readable(rgba: int, background: int, minimum: float) -> int:
    colour, back = QColor.fromRgba(rgba), QColor.fromRgba(background)
    if contrast(colour, back) >= minimum:
        return rgba
    hue, saturation, lightness, alpha = colour.hslHueF(), colour.hslSaturationF(), colour.lightnessF(), colour.alphaF()
    lighter = luminance(back) < 0.5
    for step in range(1, 101):
        value = min(1.0, lightness + step / 100) if lighter else max(0.0, lightness - step / 100)
        candidate = QColor(QColor.fromHslF(max(hue, 0.0), saturation, value, alpha).name())  # as 8-bit #rrggbb
        candidate.setAlphaF(alpha)
        if contrast(candidate, back) >= minimum:
            return candidate.rgba()
    return QColor("white" if lighter else "black").rgba()


def readable_name(colour: str, background: QColor | None = None, minimum: float = TEXT_CONTRAST) -> str:
    """``readable`` as ``#rrggbb``, for rich text and style sheets."""
    return readable(colour, background, minimum).name()


def muted(background: QColor | None = None) -> str:
    """Secondary text (counts, hints): the palette's placeholder colour, readable on ``background``."""
    palette = QGuiApplication.palette()
    back = background or palette.color(QPalette.ColorRole.Window)
    return readable_name(palette.color(QPalette.ColorRole.PlaceholderText).name(), back)
