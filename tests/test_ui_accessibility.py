"""Accessibility: every control of every window has a name a screen reader can speak — an
accessible name, its own visible text, or a label whose buddy it is."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTextEdit,
    QToolButton,
    QWidget,
)

from tests.conftest import PASSPHRASE

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QSlider,
    QTabBar,
)


def _own_text(widget: QWidget) -> str:
    if isinstance(widget, QToolButton) and widget.defaultAction() is not None:
        return widget.defaultAction().text()
    if isinstance(widget, QAbstractButton):
        return widget.text()
    return ""


def unnamed_controls(window: QWidget) -> list[str]:
    """Visible controls with no accessible name, no text of their own and no label buddy."""
    buddies = {id(label.buddy()) for label in window.findChildren(QLabel) if label.buddy() and label.text().strip()}
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(window):
            continue
        parent = widget.parentWidget()
        if isinstance(widget, QHeaderView):
            continue  # a header speaks its sections' titles
        if widget.objectName().startswith("qt_") or isinstance(parent, (QAbstractSpinBox, QComboBox)):
            continue  # Qt's own parts of a named control (a spin box's line edit, a scroll area's buttons)
        if widget.accessibleName().strip() or _own_text(widget).replace("&", "").strip() or id(widget) in buddies:
            continue
        hint = widget.toolTip() or getattr(widget, "placeholderText", lambda: "")()
        missing.append(
            f"{type(widget).__name__}({widget.objectName() or hint or '?'}) in {parent.metaObject().className()}"
        )
    return missing


def test_every_control_of_every_window_has_an_accessible_name(demo_session: Any, qtbot: Any, tmp_path: Any) -> None:
    window = demo_session.window
    window.reminders.show_panel()
    problems = [f"main: {m}" for m in unnamed_controls(window)]
    openers = {
        "export": window.export_dossier,
        "parting": window.parting_ways,
        "settings": demo_session.show_settings,
        "triage": window.show_triage,
        "capture": window.quick_capture,
        "new client": window.new_client,
        "edit client": window.edit_client,
        "status": window.set_status,
        "search": window.search,
        "integrity": window.show_integrity,
        "verify bundle": window.show_verify_bundle,
        "reminder": window.reminders.add_reminder,
    }
    for name, opener in openers.items():
        dialog = opener()
        qtbot.waitExposed(dialog)
        problems += [f"{name}: {m}" for m in unnamed_controls(dialog)]
        if name == "parting":
            for tab in range(dialog.tabs.count()):
                dialog.tabs.setCurrentIndex(tab)
                problems += [f"parting tab {tab}: {m}" for m in unnamed_controls(dialog)]
        dialog.done(0)
    demo_session.tasks.wait()
    assert problems == [], "\n".join(problems)


def test_the_unlock_and_create_screens_name_every_control(make_session: Any, tmp_path: Any, qtbot: Any) -> None:
    from app.vault import Vault

    Vault.create(tmp_path / "old", PASSPHRASE)[0].lock()
    session = make_session()
    session.start(tmp_path / "old")
    qtbot.waitExposed(session.gate)
    problems = [f"unlock: {m}" for m in unnamed_controls(session.gate)]
    session.show_create(tmp_path / "new")
    qtbot.waitExposed(session.gate)
    problems += [f"create: {m}" for m in unnamed_controls(session.gate)]
    assert problems == [], "\n".join(problems)
