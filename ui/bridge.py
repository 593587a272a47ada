"""The core→Qt bridge: the vault's plain ``on_change(name, payload)`` callbacks as Qt signals.

The core may call back from any thread (workers, the watched folder). Emitting a
signal from there is safe: receivers living on the GUI thread get it queued
(Electrum's ``QtEventListener`` pattern).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal


class VaultEvents(QObject):
    """Pass an instance as ``on_change`` to ``Vault.open``/``Vault.create``.

    Signals:
        entry_added(object): entry id.
        entry_revised(object): entry id.
        entry_retracted(object): entry id.
        attachment_added(object): entry id that got the attachment.
        client_added(object): client id.
        client_changed(object): client id.
        setting_changed(object): setting key.
        changed(str, object): every event, by name.
    """

    entry_added = Signal(object)
    entry_revised = Signal(object)
    entry_retracted = Signal(object)
    attachment_added = Signal(object)
    client_added = Signal(object)
    client_changed = Signal(object)
    setting_changed = Signal(object)
    changed = Signal(str, object)

    def __call__(self, name: str, payload: Any) -> None:
        signal = getattr(self, name, None)
        if name != "changed" and signal is not None and hasattr(signal, "emit"):
            signal.emit(payload)
        self.changed.emit(name, payload)
