"""Fixtures for the desktop app's tests: settings in a temp file, a session, a demo vault unlocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def qsettings(tmp_path: Path) -> Any:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "casefile-settings.ini"), QSettings.Format.IniFormat)
    # A folder of the test's own, not made: a session never watches (and empties into a
    # throwaway vault) the ~/Casefile Inbox of the machine running the tests.
    settings.setValue("ingest/inbox_folder", str(tmp_path / "Casefile Inbox"))
    return settings


@pytest.fixture
def make_session(qapp: Any, qsettings: Any) -> Iterator[Any]:
    """Sessions built like ``launch`` builds them, closed and locked after the test."""
    from ui.app_settings import AppSettings
    from ui.session import Session

    sessions: list[Any] = []

    def make() -> Any:
        session = Session(qapp, AppSettings(qsettings))
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        qapp.aboutToQuit.disconnect(session.shut_down)
        session.shut_down()
        session.tasks.wait()
        for widget in (session.window, session.gate):
            if widget is not None:
                widget.close()
                widget.deleteLater()
    qapp.processEvents()


@pytest.fixture
def demo_session(make_session: Any, tmp_path: Path, qtbot: Any) -> Any:
    """The demo vault, unlocked in a session: ``session.window`` is the main window."""
    from app.demo import build_demo_vault
    from app.vault import Vault

    path = tmp_path / "demo"
    build_demo_vault(path, PASSPHRASE)
    session = make_session()
    session.opened(Vault.open(path, PASSPHRASE, on_change=session.events))
    qtbot.waitExposed(session.window)
    return session
