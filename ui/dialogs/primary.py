"""Enter runs a dialog's primary action; Esc cancels (QDialog's own Esc handling).

QPushButton.setDefault only registers the dialog's main default when the button already
sits inside the dialog; called earlier (while the button box is still being built) the
dialog has no main default, and on show Qt promotes the first auto-default button in the
focus chain — often Cancel, so Enter cancelled. Call ``make_primary`` once the layout is
installed on the dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton


def make_primary(button: QPushButton) -> QPushButton:
    """Make ``button`` the dialog's default button (drawn as such, clicked by Enter)."""
    button.setAutoDefault(True)
    button.setDefault(False)  # setDefault(True) on an already-default button does nothing
    button.setDefault(True)
    return button
