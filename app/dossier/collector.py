"""The cyclic garbage collector while a dossier is exported (issue 17: GUI stalls).

A full collection walks every object with the GIL held. During an export that was
the window's, the vault's and the export's whole heap, several times (150-400 ms
each on a loaded machine): time lost to the export and a stall of the GUI thread.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_QUIET_LOCK = threading.Lock()
_quiet_depth = 0
_saved_thresholds: tuple[int, int, int] = (700, 10, 10)
FULL_COLLECTION_EVERY = 1000  # young-generation collections between full ones while exporting (default 10)


@contextmanager
def quiet_collector() -> Iterator[None]:
    """While an export runs, no full cyclic-GC collection of the whole heap.

    A full collection walks every object with the GIL held: the window's, the
    vault's and the export's own (~150-400 ms each, several per export), which is
    time both lost to the export and a stall for the GUI thread. The objects alive
    before the export are frozen out of the collector (``gc.freeze``) and automatic
    full collections are put off until it ends; young objects are still collected
    as usual. Re-entrant across threads (the
    last export to finish restores the collector). Reportlab's documents are cyclic
    (~190 000 objects of garbage per 500-entry export): ``collect_made_since`` after
    each laid-out part frees them, walking only what the export made since."""
    global _quiet_depth, _saved_thresholds
    with _QUIET_LOCK:
        if _quiet_depth == 0:
            _saved_thresholds = gc.get_threshold()
            gc.freeze()
            young, middle, _old = _saved_thresholds
            gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                gc.collect()  # what the export made since the last part only: the frozen heap is not walked
                gc.unfreeze()  # back into the oldest generation: collected as before from now on
                gc.set_threshold(*_saved_thresholds)


def collect_made_since() -> None:
    """Inside ``quiet_collector``: collect the garbage made since the last call (a
    laid-out part's reportlab document), then freeze what is left out of later walks.
    Each pause is about the size of one part, not of the heap. Outside: nothing."""
    with _QUIET_LOCK:
        if _quiet_depth == 0:
            return
    gc.collect()
    gc.freeze()
