"""The one-time reminder that recording a call may need the other party's consent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ingest.audio import AUDIO_SUFFIXES

NOTICE = (
    "You added a recording. Where you live, recording a phone call may need the other party's "
    "consent (some places require everyone on the call to agree). A recording made unlawfully can "
    "hurt your case: ask your lawyer before relying on it."
)


def warn_about_recording_consent(window: QWidget, paths: list[Path]) -> QMessageBox | None:
    """Shown once per window (not modal), the first time an audio file is imported."""
    if window.property("recording_consent_shown") or not any(p.suffix.lower() in AUDIO_SUFFIXES for p in paths):
        return None
    window.setProperty("recording_consent_shown", True)
    box = QMessageBox(QMessageBox.Icon.Information, "Recordings and consent", NOTICE, parent=window)
    box.setObjectName("recording-consent")
    box.open()
    return box
