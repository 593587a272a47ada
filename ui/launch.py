"""Start the desktop app. Heavy imports happen here, not at module import time."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def launch(argv: Sequence[str]) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Casefile")
    window = QMainWindow()
    window.setWindowTitle("Casefile")
    label = QLabel("Casefile — the desktop app is being built. Use the `casefile` command line meanwhile.")
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(800, 500)
    window.show()
    return int(app.exec())
