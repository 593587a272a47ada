"""Desktop conventions: Help → User guide (a local page), file dialogs that never start in the
current directory, no command-line syntax in the app's messages, no empty placeholders."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.conftest import ROOT
from ui.file_dialogs import start_folder, start_in
from ui.words import without_cli_syntax


def test_f1_opens_the_user_guide_rendered_from_the_local_page(demo_session: Any, qtbot: Any) -> None:
    from ui.dialogs.guide import UserGuideDialog

    window = demo_session.window
    window.timeline_view.setFocus()
    qtbot.keyClick(window.timeline_view, Qt.Key.Key_F1)
    guide = window.findChild(UserGuideDialog)
    assert guide is not None
    qtbot.waitExposed(guide)
    text = guide.browser.toPlainText()
    assert "After a call" in text and "Ctrl+N" in text and "For your lawyer" in text
    assert not any(f"casefile {word}" in text.lower() for word in ("log", "init", "export", "verify", "import"))
    assert "--" not in text  # no command line in the guide
    assert guide.browser.document().toMarkdown().count("#") >= 6  # headings, rendered from Markdown
    assert "User guide" in [a.text() for a in window.menuBar().actions()[-1].menu().actions()]
    qtbot.keyClick(guide.browser, Qt.Key.Key_Escape)
    assert not guide.isVisible()


def test_file_dialogs_start_in_documents_or_home_never_the_current_folder(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    home = start_folder()
    assert home != Path.cwd() and home.is_dir()
    assert start_in("") == str(home)
    assert start_in("relative/folder") == str(home)  # would have been relative to the current folder
    assert start_in(str(tmp_path / "not" / "yet")) == str(tmp_path)  # the nearest existing parent
    # every QFileDialog call in ui/ passes a start from ui/file_dialogs.py
    calls = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id == "QFileDialog" and node.func.attr.startswith("get"):
                    start = ast.unparse(node.args[2]) if len(node.args) > 2 else ""
                    calls.append((path.name, start))
    assert len(calls) >= 9
    for name, start in calls:
        assert "suggested_path(" in start or "start_in(" in start, f"{name}: starts at {start!r}"


def test_messages_in_the_app_carry_no_command_line_syntax() -> None:
    assert without_cli_syntax("Say who did the step 'proofread' (--by NAME): a second pair of eyes is the point.") == (
        "Say who did the step 'proofread': a second pair of eyes is the point."
    )
    assert without_cli_syntax(
        "Choose the status to set: --status former or --status do-not-serve (with --reason)."
    ) == ("Choose the status to set: former or do-not-serve.")
    from app.errors import InvalidInput
    from ui.workers import user_message

    assert "--" not in user_message(InvalidInput("The step 'outcome' needs a few words (--note TEXT)."))


def test_the_welcome_line_has_no_empty_placeholder(demo_vault: Any) -> None:
    from ui.main_window import _welcome

    demo_vault.drafts.save({"body": "half a thought"}, client_id=None)
    line = _welcome(demo_vault)
    assert "kept for :" not in line and "kept for" not in line
    assert line == "1 unsaved draft kept: press Ctrl+N to continue."
