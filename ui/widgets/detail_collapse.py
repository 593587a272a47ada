"""The detail pane gives way first on a narrow window (below ~1200 px), so the timeline keeps
its "What happened" column; F3 (View → Show details) brings it back or hides it by hand.

Once the owner has toggled it, their choice holds until the window crosses the threshold again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QWidget

COLLAPSE_BELOW = 1200


class DetailCollapse(QObject):
    def __init__(self, window: QWidget, detail: QWidget, action: QAction, splitter: QSplitter | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._detail = detail
        self._action = action
        self._splitter = splitter
        self._narrow: bool | None = None
        action.setCheckable(True)
        action.setChecked(True)
        action.toggled.connect(detail.setVisible)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.apply_width(self._window.width())
        return False

    def apply_width(self, width: int) -> None:
        narrow = width < COLLAPSE_BELOW
        if narrow != self._narrow:  # only on crossing the threshold: a choice by F3 holds in between
            self._narrow = narrow
            self._action.setChecked(not narrow)
            if narrow and self._splitter is not None:
                # after the splitter has been laid out at the new width (sizes set before are redistributed)
                QTimer.singleShot(0, self._narrow_client_list)

    def _narrow_client_list(self) -> None:
        """On a narrow window the client list gives the timeline room too: at most 30 % of
        the width (never under what its filter needs), the rest to the timeline."""
        assert self._splitter is not None
        width = self._splitter.width()
        sizes = self._splitter.sizes()
        clients = self._splitter.widget(0)
        if len(sizes) < 2 or clients is None:
            return
        left = max(clients.minimumSizeHint().width(), min(sizes[0], width * 3 // 10))
        if left < sizes[0]:
            sizes[1] += sizes[0] - left
            sizes[0] = left
            self._splitter.setSizes(sizes)
