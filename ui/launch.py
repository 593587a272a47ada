"""Start the desktop app: ``casefile`` (last or default vault), ``casefile --vault DIR`` and ``casefile --demo``.

Only Qt's core modules are imported before the unlock window shows; the vault,
the main window and heavy libraries come later (start-up stays fast).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEMO_FOLDER = "demo-vault"


def demo_vault_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Casefile", appauthor=False)) / DEMO_FOLDER


def ensure_demo_vault(path: Path) -> None:
    from app.demo import DEMO_PASSPHRASE, build_demo_vault
    from ui.session import is_vault

    if not is_vault(path):
        build_demo_vault(path, DEMO_PASSPHRASE)


def parse_args(argv: Sequence[str]) -> tuple[bool, Path | None]:
    demo = "--demo" in argv
    vault: Path | None = None
    for i, arg in enumerate(argv):
        if arg.startswith("--vault="):
            vault = Path(arg.split("=", 1)[1]).expanduser()
        elif arg == "--vault" and i + 1 < len(argv):
            vault = Path(argv[i + 1]).expanduser()
    return demo, vault


def make_application(argv: Sequence[str]) -> Any:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("Casefile")
    QCoreApplication.setApplicationName("Casefile")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationDisplayName("Casefile")
    app.setQuitOnLastWindowClosed(True)
    from ui.workers import favour_the_gui_thread

    favour_the_gui_thread()
    return app


def start_session(app: Any, argv: Sequence[str], qsettings: Any = None) -> Any:
    """Build the session and show the first screen; returns the Session."""
    from PySide6.QtCore import QSettings

    from ui.app_settings import AppSettings
    from ui.session import Session

    demo, vault = parse_args(argv)
    session = Session(app, AppSettings(qsettings if qsettings is not None else QSettings()))
    if demo:
        from app.demo import DEMO_PASSPHRASE

        path = vault or demo_vault_path()
        ensure_demo_vault(path)
        session.start(path, hint=f"Demo vault — the passphrase is: {DEMO_PASSPHRASE}")
    else:
        session.start(vault)
    return session


def no_display_message() -> str:
    """One line when there is no graphical session to show the app in (Linux/BSD without X11 or Wayland)."""
    import os

    if sys.platform in ("win32", "darwin"):
        return ""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return ""  # offscreen, vnc, eglfs…: the user chose a platform that needs no display variable
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return (
        "casefile: the desktop app needs a graphical session (no display found); "
        "use the command line instead, e.g. `casefile timeline CLIENT` — see `casefile --help`."
    )


def launch(argv: Sequence[str]) -> int:
    problem = no_display_message()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    app = make_application(argv)
    session = start_session(app, argv)
    code = int(app.exec())
    session.shut_down()
    return code
