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


def start_in(path_text: str) -> str:
    """Where a folder chooser opens for a field holding ``path_text``: that folder (or the nearest
    existing parent) when it is under the user's home or a real absolute path, else the start folder.
    Never the current directory: an empty or relative field would otherwise open there."""
    text = path_text.strip()
    if text:
        path = Path(text).expanduser()
        if path.is_absolute():
            for candidate in (path, *path.parents):
                if candidate.is_dir() and candidate != Path(candidate.anchor):
                    return str(candidate)
    return str(start_folder())
