"""Inline photo thumbnails for the timeline: fetched lazily, decoded on a worker, kept in a bounded LRU.

The 256 px derivative ingest stored beside each photo (``thumb256``) is read and decoded into
a small QImage on a worker (QImage is safe off the GUI thread); the GUI turns it into a pixmap
when it arrives. A paint never waits for one: it draws a placeholder and asks. At most
``MAX_CACHED`` pixmaps are kept and ``MAX_IN_FLIGHT`` reads run at once (newest asks first), so
scrolling through a million photos keeps memory and the worker queue flat.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from app.records.journal import THUMB_KIND

MAX_CACHED = 256  # 64 px pixmaps: about 16 KB each
MAX_IN_FLIGHT = 4
MAX_WAITING = 64  # asked for while the workers were busy; older asks are dropped (scrolled away)


class TimelineThumbnails(QObject):
    """Signals:
    arrived(str): a thumbnail (by attachment SHA-256) is now in the cache.
    """

    arrived = Signal(str)

    def __init__(self, attachments: Any, tasks: Any, side: int = 64, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._repo = attachments
        self._tasks = tasks
        self.side = side
        self._cache: OrderedDict[str, QPixmap | None] = OrderedDict()  # None: has no usable picture
        self._in_flight: set[str] = set()
        self._waiting: OrderedDict[str, None] = OrderedDict()
        self._generation = 0

    def get(self, sha256: str) -> QPixmap | None:
        """The pixmap if cached; otherwise None, and it is fetched (``arrived`` follows)."""
        if sha256 in self._cache:
            self._cache.move_to_end(sha256)
            return self._cache[sha256]
        if sha256 not in self._in_flight:
            self._waiting[sha256] = None
            self._waiting.move_to_end(sha256)
            while len(self._waiting) > MAX_WAITING:
                self._waiting.popitem(last=False)
            self._start()
        return None

    def clear(self) -> None:
        """Forget everything (the vault is locking, or another vault opens)."""
        self._generation += 1
        self._repo = None
        self._cache.clear()
        self._waiting.clear()
        self._in_flight.clear()

    def _start(self) -> None:
        while self._waiting and len(self._in_flight) < MAX_IN_FLIGHT and self._repo is not None:
            sha256, _ = self._waiting.popitem(last=True)  # the newest ask: what is on screen now
            self._in_flight.add(sha256)
            self._tasks.run(
                _loader(self._repo, sha256, self.side, self._generation),
                self._loaded,
                lambda _error, sha=sha256, g=self._generation: self._failed(g, sha),
            )

    def _loaded(self, result: tuple[int, str, QImage | None]) -> None:
        generation, sha256, image = result
        if generation != self._generation:
            return
        self._in_flight.discard(sha256)
        self._cache[sha256] = QPixmap.fromImage(image) if image is not None else None
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)
        self._start()
        self.arrived.emit(sha256)

    def _failed(self, generation: int, sha256: str) -> None:
        if generation == self._generation:
            self._in_flight.discard(sha256)
            self._cache[sha256] = None
            self._start()


def _loader(repo: Any, sha256: str, side: int, generation: int) -> Any:
    return lambda: (generation, sha256, decode(repo.derivative(sha256, THUMB_KIND), side))


def decode(data: bytes | None, side: int) -> QImage | None:
    """A stored JPEG thumbnail as a QImage at most ``side`` px (on a worker)."""
    if not data:
        return None
    image = QImage.fromData(data)
    if image.isNull():
        return None
    return image.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
    )
