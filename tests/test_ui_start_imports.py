"""The start to the unlock window imports only what that window needs (issue 17: warm start ≤ 300 ms).

Each test starts a fresh interpreter (offscreen Qt) on a real vault, waits until the unlock
window is up and lists what is in ``sys.modules``: the dossier (reportlab, pikepdf), images
(Pillow, pi-heif), mail, ingest, the KDF and SQLCipher are needed after the passphrase, not
before, so a stray top-level import cannot slow the start again unnoticed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NOT_BEFORE_UNLOCK = (
    "reportlab",
    "pikepdf",
    "pypdfium2",
    "PIL",
    "pi_heif",
    "watchdog",
    "cryptography",
    "argon2",
    "sqlcipher3",
    "zxcvbn",
    "email",
    "html",
    "importlib.metadata",
    "PySide6.QtSvg",
    "PySide6.QtDBus",
    "app.dossier",
    "app.mail",
    "app.ingest",
    "app.parting",
    "app.evidence",
    "app.records",
    "app.vault.store",
    "app.vault.vault",
    "app.cli.context",
    "ui.main_window",
)

REPORT = """
def report():
    import json
    from PySide6.QtWidgets import QApplication
    shown = [type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()]
    print(json.dumps({"shown": shown, "modules": sorted(sys.modules)}), flush=True)
    QApplication.instance().quit()
"""

# what bench/bench_ui.py times: ui.launch straight to the painted unlock window
VIA_LAUNCH = (
    "import sys\n"
    + REPORT
    + """
from PySide6.QtCore import QSettings
from ui.launch import make_application, start_session
app = make_application([])
session = start_session(app, ["--vault", sys.argv[1]], QSettings(sys.argv[2], QSettings.Format.IniFormat))
session.gate.repaint()
report()
"""
)

# what `casefile --vault DIR` runs: the CLI's entry point deciding to start the app
VIA_MAIN = (
    "import sys\n"
    + REPORT
    + """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
QTimer.singleShot(0, report)
from app.cli.main import main
main(["--vault", sys.argv[1]])
"""
)


def _modules_at_unlock(code: str, tmp_path: Path) -> dict[str, list[str]]:
    from app.vault import Vault

    vault_path = tmp_path / "vault"
    if not vault_path.exists():
        Vault.create(vault_path, "correct horse battery staple lantern")[0].lock()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run(
        [sys.executable, "-c", code, str(vault_path), str(tmp_path / "settings.ini")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("{"))
    return json.loads(line)  # type: ignore[no-any-return]


def _loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_the_unlock_window_comes_up_without_the_heavy_parts(tmp_path: Path) -> None:
    found = _modules_at_unlock(VIA_LAUNCH, tmp_path)
    assert "UnlockDialog" in found["shown"]
    assert "ui.dialogs.unlock" in found["modules"]  # the check below looks at a real start
    assert [name for name in NOT_BEFORE_UNLOCK if _loaded(found["modules"], name)] == []


def test_casefile_with_a_vault_argument_starts_as_light(tmp_path: Path) -> None:
    found = _modules_at_unlock(VIA_MAIN, tmp_path)
    assert "UnlockDialog" in found["shown"]
    assert "app.cli.main" in found["modules"]
    assert [name for name in NOT_BEFORE_UNLOCK if _loaded(found["modules"], name)] == []
