"""The main window in a dark Fusion palette: text stays readable (WCAG contrast ≥ 4.5 for text,
≥ 3 for icons), computed from the palette and sampled from the grabbed picture."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from tests.test_ui_ingest import _select
from ui.colours import MARK_CONTRAST, TEXT_CONTRAST, contrast
from ui.icons import icon
from ui.parting.reminders_panel import DueRemindersModel

TEXT_ROLES = (
    ("WindowText", "Window"),
    ("Text", "Base"),
    ("Text", "AlternateBase"),
    ("ButtonText", "Button"),
    ("HighlightedText", "Highlight"),
    ("ToolTipText", "ToolTipBase"),
    ("PlaceholderText", "Base"),
    ("PlaceholderText", "Window"),
)


def dark_fusion_palette() -> QPalette:
    """The usual dark Fusion palette (as in Qt's own examples and many dark themes)."""
    roles = QPalette.ColorRole
    palette = QPalette()
    for role, colour in (
        (roles.Window, "#353535"),
        (roles.WindowText, "#ffffff"),
        (roles.Base, "#2a2a2a"),
        (roles.AlternateBase, "#353535"),
        (roles.ToolTipBase, "#353535"),
        (roles.ToolTipText, "#ffffff"),
        (roles.Text, "#ffffff"),
        (roles.Button, "#353535"),
        (roles.ButtonText, "#ffffff"),
        (roles.BrightText, "#ff5555"),
        (roles.Link, "#5aa9ff"),
        (roles.Highlight, "#2a82da"),
        (roles.HighlightedText, "#000000"),
        (roles.PlaceholderText, "#a0a0a0"),
        (roles.Mid, "#505050"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def dark_palette(qapp: Any) -> Iterator[QPalette]:
    style, palette = qapp.style().name(), qapp.palette()
    qapp.setStyle("Fusion")
    qapp.setPalette(dark_fusion_palette())
    yield qapp.palette()
    qapp.setStyle(style)
    qapp.setPalette(palette)


def _inks(image: QImage) -> tuple[QColor, list[QColor]]:
    """The background (the commonest colour) and the text colours to check: the strongest colour
    covering ≥ 20 pixels (fewer in a small crop) (a glyph's solid stems; antialiased edges lie between it and the
    background) and every colour covering ≥ 100 pixels that is not a shade of the background (bold text, the status dot)."""
    counts: Counter[int] = Counter(image.pixel(x, y) for y in range(image.height()) for x in range(image.width()))
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    least = max(4, min(20, image.width() * image.height() // 200))  # a small button has few solid pixels
    frequent = [(QColor.fromRgb(rgb), n) for rgb, n in counts.items() if n >= least and rgb != background.rgb()]
    if not frequent:
        return background, []
    strongest = max((c for c, _n in frequent), key=lambda c: contrast(c, background))
    solid = [c for c, n in frequent if n >= 100 and contrast(c, background) > 1.5]  # not a gradient's shades
    return background, [strongest, *solid]


def test_the_main_window_in_a_dark_palette_is_readable(
    dark_palette: QPalette, demo_session: Any, qtbot: Any, tmp_path: Path
) -> None:
    window, vault = demo_session.window, demo_session.vault
    gerald = _select(window, "Gerald Whitmore")
    vault.clients.set_status(gerald.id, "do_not_serve", "Threatened staff.")
    qtbot.waitUntil(lambda: "Do not serve" in window.client_header.text())
    assert window.client_header.text().lower().count("do not serve") == 1  # said once
    window.resize(1400, 860)
    qtbot.wait(200)
    demo_session.tasks.wait()

    palette = window.palette()
    for fore, back in TEXT_ROLES:
        ratio = contrast(
            palette.color(getattr(QPalette.ColorRole, fore)), palette.color(getattr(QPalette.ColorRole, back))
        )
        assert ratio >= TEXT_CONTRAST, f"{fore} on {back}: {ratio:.2f}"

    # sampled from the picture: the client header (name, status, counts) and the reminders panel
    window.reminders.show_panel()
    qtbot.wait(50)
    panel = window.reminders.panel
    header = window.client_header.rect()
    top, bottom = header.adjusted(0, 0, 0, -header.height() // 2), header.adjusted(0, header.height() // 2, 0, 0)
    regions = [
        (window.client_header, top),  # the name and "● Do not serve — decline new work"
        (window.client_header, bottom),  # "7 entries · email · phone", in the muted colour
        (panel.add_button, panel.add_button.rect().adjusted(8, 5, -8, -5)),  # the text, not the frame
        # the overdue reminder's due time, in the overdue colour
        (panel.view.viewport(), panel.view.visualRect(panel.model.index(0, 0)).adjusted(2, 0, -2, 0)),
    ]
    panel.view.selectionModel().clear()  # no selection, no current cell: the row's own colours
    window.timeline_view.setFocus()
    qtbot.wait(20)
    assert panel.model.index(0, 0).data(DueRemindersModel.OverdueRole)
    for widget, rect in regions:
        background, inks = _inks(widget.grab(rect).toImage())
        assert background.lightness() < 100, "the palette is dark"
        assert inks, f"no text found in {widget}"
        for ink in inks:
            assert contrast(ink, background) >= TEXT_CONTRAST, (widget, ink.name(), background.name())
    # icons are recoloured from the palette (WCAG asks 3 of graphical marks)
    window_colour = palette.color(QPalette.ColorRole.Window)
    for name in ("new_entry", "search", "lock", "export_dossier", "call", "do_not_serve", "reminders"):
        image = icon(name).pixmap(24, 24).toImage()
        opaque = [QColor.fromRgba(image.pixel(x, y)) for y in range(image.height()) for x in range(image.width())]
        strokes = [c for c in opaque if c.alpha() == 255]
        assert strokes, name
        ink = max(strokes, key=lambda c: contrast(c, window_colour))
        assert contrast(ink, window_colour) >= MARK_CONTRAST, (name, ink.name())

    shots = Path(os.environ.get("CASEFILE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    assert window.grab().toImage().save(str(shots / "main-window-dark.png"))
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() == "#353535"
