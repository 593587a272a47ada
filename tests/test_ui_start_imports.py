"""The start to the unlock window imports only what that window needs (issue 17: warm start ≤ 300 ms).

Each test starts a fresh interpreter (offscreen Qt) on a real vault, waits until the unlock
window is up and lists what is in ``sys.modules``: the dossier (reportlab, pikepdf), images
(Pillow, pi-heif), mail, ingest, the KDF and SQLCipher are needed after the passphrase, not
before, so a stray top-level import cannot slow the start again unnoticed.

It also lists which of PySide6's lazily made types exist by then: ``Qt`` (its ~90 Python enums
cost the first paint ~30 ms on a quiet machine, 150 ms at load 5) and ``QEvent`` (its ~170-member
``Type``, made by any Python event filter or event handler override that Qt calls before the
paint) — a bare PySide6 window makes neither — and how many Python enums PySide6 made.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    # the session's parts for an open vault, made at the first unlock (ui.session._MadeAtFirstUse)
    "ui.idle_lock",
    "ui.idle_checkpoint",
    "ui.inbox_watch",
    "ui.clipboard",
    "ui.anchor_retry",
    "ui.auto_backups",
)

# PySide6 types made at their first use whose making the unlock window's first paint must not pay
NOT_MADE_BEFORE_UNLOCK = ("PySide6.QtCore.Qt", "PySide6.QtCore.QEvent", "PySide6.QtWidgets.QStyle")
# Python enums PySide6 makes by the first paint: 69 in this version, 37 for a bare QMainWindow,
# 169 before the start was trimmed (the Qt namespace alone is ~90)
MAX_ENUMS_BEFORE_UNLOCK = 90

REPORT = """
import enum
_made_enums = []
_create = enum.EnumType._create_
def _counting(cls, class_name, *args, **kwargs):
    _made_enums.append(class_name)
    return _create(cls, class_name, *args, **kwargs)
enum.EnumType._create_ = _counting
def report():
    import json
    from PySide6.QtWidgets import QApplication
    shown = [type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()]
    made = [f"{m}.{t}" for m in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets")
            if m in sys.modules for t in vars(sys.modules[m]) if t.startswith("Q")]
    print(json.dumps({"shown": shown, "modules": sorted(sys.modules), "made": made,
                      "enums": len(_made_enums)}), flush=True)
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


def _modules_at_unlock(code: str, tmp_path: Path) -> dict[str, Any]:
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


def _check_light(found: dict[str, Any]) -> None:
    assert [name for name in NOT_BEFORE_UNLOCK if _loaded(found["modules"], name)] == []
    assert "PySide6.QtWidgets.QDialog" in found["made"]  # the check below sees made types
    assert [name for name in NOT_MADE_BEFORE_UNLOCK if name in found["made"]] == []
    assert 30 < found["enums"] <= MAX_ENUMS_BEFORE_UNLOCK


def test_the_unlock_window_comes_up_without_the_heavy_parts(tmp_path: Path) -> None:
    found = _modules_at_unlock(VIA_LAUNCH, tmp_path)
    assert "UnlockDialog" in found["shown"]
    assert "ui.dialogs.unlock" in found["modules"]  # the check below looks at a real start
    _check_light(found)


def test_casefile_with_a_vault_argument_starts_as_light(tmp_path: Path) -> None:
    found = _modules_at_unlock(VIA_MAIN, tmp_path)
    assert "UnlockDialog" in found["shown"]
    assert "app.cli.main" in found["modules"]
    _check_light(found)


def test_what_waited_for_the_first_paint_is_done_just_after(make_session: Any, tmp_path: Path, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from app.vault import Vault
    from ui.dialogs.unlock import AFTER_PAINT_MS

    Vault.create(tmp_path / "vault", "correct horse battery staple lantern")[0].lock()
    session = make_session()
    session.start(tmp_path / "vault")
    dialog = session.gate
    qtbot.waitUntil(lambda: dialog.painted_once, timeout=AFTER_PAINT_MS + 5000)
    selectable = Qt.TextInteractionFlag.TextSelectableByMouse
    assert dialog.where.textInteractionFlags() & selectable
    assert dialog.property("casefile_keeps_on_screen")  # later shows are kept on screen too
    assert not session._parts_made  # nothing of an open vault before the passphrase
