"""The one-time reminder that recording a call may need the other party's consent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from app.ingest.audio import AUDIO_SUFFIXES
from ui.app_settings import AppSettings

NOTICE = (
    "You added a recording. Where you live, recording a phone call may need the other party's "
    "consent (some places require everyone on the call to agree). A recording made unlawfully can "
    "hurt your case: ask your lawyer before relying on it."
)


def warn_about_recording_consent(
    window: QWidget, paths: list[Path], settings: AppSettings | None = None
) -> QMessageBox | None:
    """Shown (not modal) the first time an audio file is imported in a window, until the
    owner ticks "Don't remind me again" (remembered in QSettings: a preference, no content)."""
    if window.property("recording_consent_shown") or not any(p.suffix.lower() in AUDIO_SUFFIXES for p in paths):
        return None
    if settings is not None and settings.recording_consent_acknowledged:
        return None
    window.setProperty("recording_consent_shown", True)
    box = QMessageBox(QMessageBox.Icon.Information, "Recordings and consent", NOTICE, parent=window)
    box.setObjectName("recording-consent")
    never = QCheckBox("Don't remind me again")
    never.setAccessibleName("Don't remind me again about recording consent")
    box.setCheckBox(never)
    if settings is not None:
        box.finished.connect(lambda _result: _remember(settings, never.isChecked()))
    else:
        never.hide()
    box.open()
    return box


def _remember(settings: AppSettings, acknowledged: bool) -> None:
    if acknowledged:
        settings.recording_consent_acknowledged = True
        settings.sync()
