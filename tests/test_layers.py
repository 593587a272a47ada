"""The core must not depend on Qt: it is shared by the CLI, the GUI and the tests."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


QT_IMPORT = re.compile(r"^\s*(from|import)\s+(PySide6|PyQt\d?|shiboken\d?)\b", re.MULTILINE)


def test_nothing_under_app_imports_qt() -> None:
    # app/about.py may name the Qt distribution to read its version from the metadata.
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if QT_IMPORT.search(path.read_text(encoding="utf-8")) or "importlib.import_module(\"PySide6" in path.read_text()
    ]
    assert offenders == []


def test_importing_the_whole_core_loads_no_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, app\n"
        "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(any(name.startswith('PySide6') for name in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
