"""The wheel as an owner's machine gets it: built from the checkout, installed into a fresh
virtual environment outside it, and run from another folder — with an audit hook that fails
the run if anything at all is opened from the source tree.

The new environment borrows the already-installed dependencies through a ``.pth`` line (the
dependency set is the one pyproject.toml declares, installed by ``make``), which saves CI
minutes of re-downloading Qt; a ``.pth`` line does not run that folder's own ``.pth`` files,
so the checkout's editable-install hook stays off and only the wheel's ``app``/``ui`` load.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ["not-right-fit", "end-of-term", "after-conduct", "declining"]

# Runs the real entry point (or a snippet) under an audit hook that records every file
# opened from the checkout; a non-empty list fails the command with exit code 99.
LAUNCHER = textwrap.dedent(
    """
    import os, sys
    checkout = os.environ["CASEFILE_CHECKOUT"]
    dependencies = os.environ["CASEFILE_DEPENDENCIES"]  # the borrowed site-packages (may sit in .venv)
    touched = []

    def audit(event, args):
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.path.realpath(os.fsdecode(args[0]))
            inside = path == checkout or path.startswith(checkout + os.sep)
            if inside and not path.startswith(dependencies + os.sep):
                touched.append(path)

    sys.addaudithook(audit)
    code = 0
    try:
        if sys.argv[1] == "-c":
            exec(compile(sys.argv[2], "<snippet>", "exec"), {"__name__": "__main__"})
        else:
            from app.cli.main import main
            code = main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    if touched:
        print("read from the source tree: " + ", ".join(sorted(set(touched))[:5]), file=sys.stderr)
        code = 99
    sys.exit(code)
    """
)

GUI_SNIPPET = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    from pathlib import Path
    import app, ui
    for module in pkgutil.walk_packages(ui.__path__, "ui."):
        importlib.import_module(module.name)
    from PySide6.QtWidgets import QApplication
    from PySide6.QtGui import QIcon
    from app.assets import resource_path
    from app.vault import Vault
    from ui.launch import make_application
    qt = make_application([])
    icons = sorted(resource_path("icons").glob("*.svg"))
    assert icons and all(not QIcon(str(p)).pixmap(24, 24).isNull() for p in icons), "an icon did not load"
    from PySide6.QtCore import QSettings
    from ui.app_settings import AppSettings
    from ui.session import Session
    settings = QSettings(sys.argv[3], QSettings.Format.IniFormat)
    session = Session(qt, AppSettings(settings))
    session.opened(Vault.open(Path(sys.argv[4]), sys.argv[5], on_change=session.events))
    for _ in range(20):
        qt.processEvents()
    assert session.window is not None and session.window.isVisible()
    print("main window:", session.window.windowTitle(), "| icons:", len(icons), "| app from", Path(app.__file__).parent)
    session.shut_down()
    """
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("wheel")
    wheels = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (wheel,) = wheels.glob("casefile-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    target = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (target / "casefile_test_dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    launcher = work / "launch.py"
    launcher.write_text(LAUNCHER)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    return {"wheel": wheel, "python": python, "launcher": launcher, "cwd": elsewhere}


def run(installed: dict[str, Path], *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "CASEFILE_VAULT", "CASEFILE_PASSPHRASE_FILE", "VIRTUAL_ENV"}
    }
    env.update(
        CASEFILE_CHECKOUT=str(ROOT),
        CASEFILE_DEPENDENCIES=os.path.realpath(site.getsitepackages()[0]),
        CASEFILE_VAULT=str(home / "vault"),
        CASEFILE_PASSPHRASE_FILE=str(home / "passphrase.txt"),
        CASEFILE_KDF_PROFILE="minimum",
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        QT_QPA_PLATFORM="offscreen",
    )
    return subprocess.run(
        [str(installed["python"]), "-P", str(installed["launcher"]), *args],
        cwd=installed["cwd"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_wheel_carries_the_resources_and_no_tests(installed: dict[str, Path]) -> None:
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for shipped in (
        "app/resources/fonts/DejaVuSans.ttf",
        "app/resources/templates/pushback.txt",
        "app/resources/icons/vault.svg",
        "app/resources/fonts/LICENSE",
    ):
        assert shipped in names
    assert not [name for name in names if name.startswith(("tests/", "bench/", "resources/"))]


def test_the_installed_wheel_runs_every_story_without_the_checkout(installed: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "passphrase.txt").write_text(PASSPHRASE + "\n")

    def ok(*args: str) -> str:
        result = run(installed, *args, home=tmp_path)
        assert result.returncode == 0, f"casefile {' '.join(args)}: {result.stderr.strip()}"
        return result.stdout

    assert "SQLCipher:" in ok("--version")
    ok("demo")
    client = "Gerald"
    for template in TEMPLATES:
        out = tmp_path / f"letter-{template}.txt"
        ok("letter", client, "--template", template, "--out", str(out))
        assert out.stat().st_size > 200
    ok("template", "conduct-clause", client, "--out", str(tmp_path / "clause.txt"))
    ok("letter", client, "--template", "not-right-fit", "--out", str(tmp_path / "letter.pdf"))
    ok("export", client, "--out", str(tmp_path / "out"))
    (bundle,) = (tmp_path / "out").glob("*.zip")
    ok("verify")
    ok("verify-bundle", str(bundle))

    gui = run(
        installed, "-c", GUI_SNIPPET, str(tmp_path / "qt.ini"), str(tmp_path / "vault"), PASSPHRASE, home=tmp_path
    )
    assert gui.returncode == 0, gui.stderr.strip()[-2000:]
    assert "main window:" in gui.stdout
    assert str(ROOT) not in gui.stdout
