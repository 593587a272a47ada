"""Full repaints of the journal's rows in view, from pixmaps vs drawn call by call.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_repaint.py [--spin]``.

The repaint that follows an insertion above the rows in view (the watched Inbox importing)
or a selection move redraws every row in view. ``ui/widgets/timeline_view.py`` keeps a row
drawn twice unchanged as a pixmap; the baseline, in the same run, is the same view with
rows remembered one at a time (``MAX_ROWS_SEEN = 1``), i.e. every row drawn call by call.
``--spin`` runs a Python thread beside it, as the Inbox parsing e-mails does: every painter
call from Python gives the GIL up and waits to have it back.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CASEFILE_KDF_PROFILE", "minimum")

BODY = "He called again about the cracked tile and said he would call his lawyer unless we refund. " * 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spin", action="store_true", help="a Python thread spinning beside the GUI thread")
    parser.add_argument("--repaints", type=int, default=60)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from app.records.models import EntryFields
    from app.vault import Vault
    from ui.models.timeline_model import TimelineModel
    from ui.widgets import timeline_view
    from ui.widgets.timeline_view import TimelineView
    from ui.workers import favour_the_gui_thread

    favour_the_gui_thread()
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault.create(Path(tmp) / "v", "pass phrase for the bench 1234")[0]
        client = vault.clients.add("Bench")
        day = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        with vault.db.write():
            for n in range(400):
                fields = EntryFields("note", day + timedelta(hours=n), f"Note {n} about the tile", body=BODY)
                vault.entries.log(client.id, fields)
        model = TimelineModel(vault.entries, zone=UTC)
        model.set_client(client.id)
        view = TimelineView()
        view.setModel(model)
        view.resize(1000, 700)
        view.show()
        app.processEvents()
        stop = threading.Event()

        def spinner() -> None:
            x = 0
            while not stop.is_set():
                x += sum(i * i for i in range(200))

        if args.spin:
            threading.Thread(target=spinner, daemon=True).start()

        def repaints(seen: int) -> tuple[float, float, float]:
            timeline_view.MAX_ROWS_SEEN = seen
            view.delegate.forget_rows()
            view.viewport().repaint()
            walls = []
            cpu = time.thread_time()
            for _ in range(args.repaints):
                start = time.perf_counter()
                view.viewport().repaint()
                walls.append(time.perf_counter() - start)
            cpu = (time.thread_time() - cpu) / args.repaints
            walls.sort()
            return walls[len(walls) // 2] * 1000, walls[int(len(walls) * 0.95)] * 1000, cpu * 1000

        kept = timeline_view.MAX_ROWS_SEEN
        print(f"full repaint of the rows in view{' beside a spinning Python thread' if args.spin else ''}:")
        for _ in range(3):
            base = repaints(1)
            cached = repaints(kept)
            print(
                f"  drawn call by call: median {base[0]:.2f} ms, p95 {base[1]:.2f} ms, GUI CPU {base[2]:.2f} ms;"
                f" from pixmaps: {cached[0]:.2f} / {cached[1]:.2f} / {cached[2]:.2f} ms"
                f" (median ratio {cached[0] / base[0]:.2f}x, CPU {cached[2] / base[2]:.2f}x)"
            )
        stop.set()
        view.close()
        vault.lock()


if __name__ == "__main__":
    main()
