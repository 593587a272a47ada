"""Files that ship with Casefile (resources/ in the repository, ``app.resources`` once installed).

One place finds them: ``importlib.resources`` on the installed package, so a wheel, an
editable install and a PyInstaller bundle all read the same way. reportlab and Qt want
file names, and every way Casefile is installed keeps these files on disk, so the
Traversable is turned into a Path (a zipped install would be refused here, in one line).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.errors import CasefileError

PACKAGE = "app.resources"


@cache
def resource_root() -> Path:
    from importlib.util import find_spec

    try:
        # The package's own folder, from its import spec: what importlib.resources would answer,
        # without importing it (~20 ms of the desktop app's start on a loaded machine).
        spec = find_spec(PACKAGE)
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
        if spec is None:
            raise ModuleNotFoundError(PACKAGE)
        if locations:
            return _on_disk(Path(locations[0]))
        from importlib import resources

        root = resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise CasefileError(
            "Casefile's resources are not installed; reinstall Casefile (developers: pip install -e .)."
        ) from None
    return _on_disk(Path(str(root)))


def _on_disk(path: Path) -> Path:
    if not path.is_dir():
        raise CasefileError(f"Casefile's resources must be files on disk, not inside {path}; reinstall Casefile.")
    return path


def resource_path(*parts: str) -> Path:
    """The path of a shipped file, e.g. ``resource_path("templates", "pushback.txt")``."""
    return resource_root().joinpath(*parts)
