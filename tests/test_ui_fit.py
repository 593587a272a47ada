"""Every window fits a laptop screen (1024×700) and 1600×1000 at 200 % (800×500 logical), with every
button reachable; the main window gives up its detail pane first and remembers where it was.

The screens are the offscreen platform's virtual screens (a JSON ``configfile``), set before Qt
starts, so each size runs in its own process. Screenshots go to pytest's tmp dir, or to
$CASEFILE_SCREENSHOTS when set (never into the repository).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("width", "height", "scale"), [(1024, 700, 1), (1600, 1000, 2)])
def test_every_window_fits_the_screen_with_every_button_reachable(
    tmp_path: Path, width: int, height: int, scale: int
) -> None:
    config = tmp_path / "screen.json"
    screen = {
        "name": "Screen",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
    }
    config.write_text(json.dumps({"screens": [screen]}))
    shots = Path(os.environ.get("CASEFILE_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=str(scale))
    env["PYTHONPATH"] = str(ROOT)
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "helpers" / "fit_child.py"), str(work), str(shots)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["screen"] == f"{width // scale}x{height // scale}@{scale}"
    assert report["problems"] == []
    names = {p.name.split("-", 1)[1] for p in shots.glob(f"{report['screen']}-*.png")}
    assert {"main.png", "export.png", "parting.png", "settings.png", "preview.png", "create.png", "triage.png"} <= names


def test_the_detail_pane_collapses_on_a_narrow_window_and_f3_brings_it_back(demo_session: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    window = demo_session.window
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.width() == 1400)
    assert window.detail.isVisible()
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: not window.detail.isVisible())
    # the client list gives way too (names elide), so the timeline's text keeps its room
    qtbot.waitUntil(lambda: window.splitter.sizes()[0] <= window.splitter.width() * 3 // 10)
    assert window.splitter.sizes()[1] >= window.splitter.width() * 2 // 3
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_F3)
    assert window.detail.isVisible()  # the owner's choice holds while the width stays narrow
    window.resize(1000, 700)
    qtbot.wait(20)
    assert window.detail.isVisible()
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_F3)
    assert not window.detail.isVisible()
    window.resize(1300, 800)
    qtbot.waitUntil(window.detail.isVisible)


def test_the_main_window_remembers_its_geometry_clamped_to_the_screen(demo_session: Any, qtbot: Any) -> None:
    from ui.window_geometry import restore_geometry, save_geometry

    window = demo_session.window
    screen = window.screen().availableGeometry()
    size = (screen.width() * 3 // 4, screen.height() * 3 // 4)
    window.resize(*size)
    window.move(screen.x() + 20, screen.y() + 10)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    qsettings = demo_session.settings.qsettings
    save_geometry(window, qsettings, "main")
    window.resize(screen.width() // 2, screen.height() // 2)
    assert restore_geometry(window, qsettings, "main")
    assert (window.width(), window.height()) == size
    # Saved on a bigger screen: the window comes back within this one.
    window.resize(screen.width() + 500, screen.height() + 400)
    window.move(screen.x() + 300, screen.y() + 200)
    save_geometry(window, qsettings, "main")
    assert restore_geometry(window, qsettings, "main")
    assert screen.contains(window.frameGeometry())
    assert qsettings.value("geometry/main") is not None
    assert all(
        key.startswith(("geometry/", "vault/", "ingest/", "security/", "dossier/")) for key in qsettings.allKeys()
    )
