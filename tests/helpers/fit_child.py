"""Open every window of the app on the virtual screen given by the offscreen platform, check that
each visible button lies inside the screen's available geometry, and print the problems as JSON.

Run by tests/test_ui_fit.py in a subprocess (the screen size and scale are fixed at QApplication
start): ``python fit_child.py WORK_DIR [SCREENSHOT_DIR]``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["CASEFILE_KDF_PROFILE"] = "minimum"

PASSPHRASE = "correct horse battery staple"


def problems_of(window: Any, name: str) -> list[str]:
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractButton

    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    out = []
    if not screen.contains(frame):
        out.append(f"{name}: window {frame.getRect()} outside the screen {screen.getRect()}")
    inside = QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.window() is not window or button.width() == 0:
            continue
        rect = QRect(button.mapToGlobal(QPoint(0, 0)), button.size())
        if not (screen.contains(rect) and inside.contains(rect)):
            label = button.text() or button.toolTip() or button.objectName() or type(button).__name__
            out.append(
                f"{name}: button {label!r} at {rect.getRect()} not within {inside.getRect()} on {screen.getRect()}"
            )
    out.extend(clipped_text(window, name))
    return out


def clipped_text(window: Any, name: str) -> list[str]:
    """Check boxes whose label is cut off, and wrapped labels shorter than their text."""
    from PySide6.QtWidgets import QCheckBox, QLabel

    out = []
    for box in window.findChildren(QCheckBox):
        if box.isVisibleTo(window) and box.window() is window and box.width() < box.sizeHint().width():
            out.append(f"{name}: check box {box.text()!r} cut off ({box.width()} < {box.sizeHint().width()} px)")
    for label in window.findChildren(QLabel):
        if not (label.isVisibleTo(window) and label.window() is window and label.wordWrap() and label.text()):
            continue
        needed = label.heightForWidth(label.width())
        if needed > label.height() + 2:
            out.append(f"{name}: label {label.text()[:40]!r} cut off ({label.height()} < {needed} px high)")
    return out


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    work = Path(sys.argv[1])
    shots = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    app = QApplication([sys.argv[0]])
    from app.demo import build_demo_vault
    from app.vault import Vault
    from ui.app_settings import AppSettings
    from ui.session import Session

    build_demo_vault(work / "demo", PASSPHRASE)
    session = Session(app, AppSettings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)))
    problems: list[str] = []
    scale = app.primaryScreen().devicePixelRatio()
    tag = f"{app.primaryScreen().geometry().width()}x{app.primaryScreen().geometry().height()}@{scale:g}"

    def settle(ms: int = 120) -> None:
        from PySide6.QtCore import QElapsedTimer

        timer = QElapsedTimer()
        timer.start()
        while timer.elapsed() < ms:
            app.processEvents()

    def check(window: Any, name: str) -> None:
        window.show()
        settle()
        problems.extend(problems_of(window, name))
        if shots is not None:
            window.grab().save(str(shots / f"{tag}-{name}.png"))

    session.start(work / "demo")
    check(session.gate, "unlock")
    session.show_create(work / "new")
    check(session.gate, "create")
    create = session.gate
    create.passphrase.setText(PASSPHRASE)
    create.repeat.setText(PASSPHRASE)
    create.try_create()
    while create.pages.currentIndex() != 1:
        app.processEvents()
    check(create, "create-key")
    create._vault.lock()
    create._vault = None
    create.done(0)

    session.opened(Vault.open(work / "demo", PASSPHRASE, on_change=session.events))
    window = session.window
    settle(300)
    check(window, "main")
    dialogs: list[tuple[str, Any]] = [
        ("export", window.export_dossier),
        ("parting", window.parting_ways),
        ("settings", session.show_settings),
        ("triage", window.show_triage),
        ("capture", window.quick_capture),
        ("new-client", window.new_client),
        ("search", window.search),
    ]
    for name, opener in dialogs:
        dialog = opener()
        check(dialog, name)
        dialog.done(0)
    entry = next(e for e in session.vault.entries.timeline() if e.attachment_count)
    window.jump_to(entry.client_id, entry.id)
    settle(200)
    attachment = window.detail.attachments.attachments()[0]
    preview = window.preview(attachment)
    settle(300)
    check(preview, "preview")
    preview.done(0)
    session.tasks.wait()
    session.shut_down()
    print(json.dumps({"screen": tag, "problems": problems}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
