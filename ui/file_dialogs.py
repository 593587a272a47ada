"""Where file dialogs start: the user's Documents folder (or home), never the current directory."""

from __future__ import annotations

from pathlib import Path


def start_folder() -> Path:
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def suggested_path(name: str) -> str:
    """A full path for a save dialog: ``name`` inside the start folder."""
    return str(start_folder() / name)
