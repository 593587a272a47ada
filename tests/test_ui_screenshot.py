"""The main window with the demo vault, grabbed to PNG: it must show a real, varied picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _distinct_colours(image: Any, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


def test_main_window_with_the_demo_vault_renders(demo_session: Any, tmp_path: Path, qtbot: Any) -> None:
    window = demo_session.window
    window.resize(1400, 860)
    window.select_client(
        next(
            window.clients.index(r, 0).data(__import__("ui.models.roles", fromlist=["ID_ROLE"]).ID_ROLE)
            for r in range(window.clients.rowCount())
            if window.clients.index(r, 0).data() == "Gerald Whitmore"
        )
    )
    qtbot.waitUntil(lambda: window.detail.entry is not None)
    qtbot.wait(300)  # thumbnails arrive from workers
    demo_session.tasks.wait()
    qtbot.wait(50)
    image = window.grab().toImage()
    path = tmp_path / "main-window.png"
    assert image.save(str(path))
    assert path.stat().st_size > 20_000
    assert image.width() >= 1400 and image.height() >= 800
    assert _distinct_colours(image) > 40
    assert window.timeline.rowCount() > 10
