"""What the app remembers between runs, in QSettings: paths and preferences only.

Never a passphrase, a key, a client name or any record content: QSettings is a
plain file (or registry) outside the vault.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

DEFAULT_AUTO_LOCK_MINUTES = 5
DEFAULT_BATES_PREFIX = "CF"
MAX_RECENT_VAULTS = 8


class AppSettings:
    def __init__(self, qsettings: QSettings) -> None:
        self._q = qsettings

    def _text(self, key: str, default: str = "") -> str:
        value = self._q.value(key, default)
        return str(value) if value is not None else default

    @property
    def last_vault(self) -> Path | None:
        text = self._text("vault/last_path")
        return Path(text) if text else None

    @last_vault.setter
    def last_vault(self, path: Path) -> None:
        self._q.setValue("vault/last_path", str(path))

    @property
    def recent_vaults(self) -> list[Path]:
        """Vault folders opened before, most recent first (paths only; the demo vault included)."""
        value = self._q.value("vault/recent", [])
        items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
        return [Path(str(item)) for item in items if str(item)]

    def remember_vault(self, path: Path, *, as_last: bool = True) -> None:
        """Put ``path`` first in the recent list; ``as_last`` also makes it the vault opened at start."""
        recent = [path, *(p for p in self.recent_vaults if p != path)][:MAX_RECENT_VAULTS]
        self._q.setValue("vault/recent", [str(p) for p in recent])
        if as_last:
            self.last_vault = path

    def forget_vault(self, path: Path) -> None:
        self._q.setValue("vault/recent", [str(p) for p in self.recent_vaults if p != path])

    @property
    def inbox_folder(self) -> str:
        return self._text("ingest/inbox_folder")

    @inbox_folder.setter
    def inbox_folder(self, path: str) -> None:
        self._q.setValue("ingest/inbox_folder", path)

    @property
    def inbox_watch(self) -> bool | None:
        """Watch the Inbox folder: True/False once the user chose, None before (see ui/inbox_watch.py)."""
        text = self._text("ingest/inbox_watch")
        return None if text == "" else text == "1"

    @inbox_watch.setter
    def inbox_watch(self, on: bool) -> None:
        self._q.setValue("ingest/inbox_watch", "1" if on else "0")

    @property
    def recording_consent_acknowledged(self) -> bool:
        """The owner ticked "Don't remind me again" under the recording-consent notice."""
        return self._text("notices/recording_consent") == "1"

    @recording_consent_acknowledged.setter
    def recording_consent_acknowledged(self, on: bool) -> None:
        self._q.setValue("notices/recording_consent", "1" if on else "0")

    @property
    def auto_lock_minutes(self) -> float:
        try:
            return float(self._text("security/auto_lock_minutes", str(DEFAULT_AUTO_LOCK_MINUTES)))
        except ValueError:
            return DEFAULT_AUTO_LOCK_MINUTES

    @auto_lock_minutes.setter
    def auto_lock_minutes(self, minutes: float) -> None:
        self._q.setValue("security/auto_lock_minutes", str(minutes))

    @property
    def bates_prefix_default(self) -> str:
        return self._text("dossier/bates_prefix_default", DEFAULT_BATES_PREFIX) or DEFAULT_BATES_PREFIX

    @bates_prefix_default.setter
    def bates_prefix_default(self, prefix: str) -> None:
        self._q.setValue("dossier/bates_prefix_default", prefix)

    @property
    def qsettings(self) -> QSettings:
        """For window geometry (ui/window_geometry.py): sizes and positions only."""
        return self._q

    def sync(self) -> None:
        self._q.sync()
