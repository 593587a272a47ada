"""What this Casefile is: its version (from the package metadata, i.e. pyproject.toml) and
the versions of the parts a bug report needs — SQLCipher, SQLite, Qt, Python.

The Qt version comes from the installed distribution's metadata, so the core still
imports no Qt to answer ``casefile --version``.
"""

from __future__ import annotations

from functools import cache

DISTRIBUTION = "casefile"
QT_DISTRIBUTIONS = ("PySide6-Essentials", "PySide6")


@cache
def version() -> str:
    from importlib import metadata  # here, not at import: the app's start does not need it

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # running from a tree that was never installed
        return "0+unknown"


def components() -> dict[str, str]:
    """Name → version of Casefile and what it runs on; values are never empty."""
    import platform

    return {
        "Casefile": version(),
        "SQLCipher": _sqlcipher_version(),
        "Qt (PySide6)": _qt_version(),
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "Platform": platform.platform(terse=True),
    }


def version_text() -> str:
    """The multi-line text of ``casefile --version`` and the About box."""
    items = components()
    width = max(len(name) for name in items)
    return "\n".join(f"{name + ':':<{width + 1}} {value}" for name, value in items.items())


def _sqlcipher_version() -> str:
    try:
        from sqlcipher3 import dbapi2

        conn = dbapi2.connect(":memory:")
        try:
            cipher = conn.execute("PRAGMA cipher_version").fetchone()
            sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
        finally:
            conn.close()
    except Exception as error:  # a broken install must still print the rest
        return f"unavailable ({type(error).__name__})"
    return f"{cipher[0] if cipher else 'not compiled in'} (SQLite {sqlite})"


def _qt_version() -> str:
    from importlib import metadata

    for name in QT_DISTRIBUTIONS:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed (the desktop app needs it; the command line works without)"
