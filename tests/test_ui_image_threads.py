"""Images decoded on two workers at once never deadlock the process.

Qt probes its image plugins under one process-wide mutex, and ``ui.previews.image_from_bytes``
hands Qt a QBuffer made in Python, whose every virtual call takes the GIL. PySide releases the
GIL only in ``QImageReader.read()``: a probe there held the mutex without the GIL while another
worker's ``size()`` (thumbnails) held the GIL and waited for the mutex. Nothing Python could
run again, not even pytest-timeout's thread (CI stopped in tests/test_ui_context_menus.py: the
preview and the detail pane's thumbnails decode the same photo). A deadlock cannot be undone
in-process, so the two workers run in a child, which must finish within the limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import faulthandler, sys, threading
faulthandler.dump_traceback_later(50, exit=True)  # stacks if it hangs (no GIL needed)
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QGuiApplication, QImage
from ui.previews import image_from_bytes

app = QGuiApplication([])
image = QImage(400, 300, QImage.Format.Format_RGB32)
image.fill(QColor("teal"))
png = QByteArray()
buffer = QBuffer(png)
buffer.open(QIODevice.OpenModeFlag.WriteOnly)
image.save(buffer, "PNG")
data = bytes(png)

def preview():  # PreviewDialog: read() picks the format
    for _ in range(400):
        image_from_bytes(data)

def thumbnails():  # DetailPane: size() first
    for _ in range(400):
        image_from_bytes(data, max_side=96)

threads = [threading.Thread(target=preview), threading.Thread(target=thumbnails)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("decoded")
"""


def test_a_preview_and_thumbnails_decoding_at_once_finish() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"deadlocked:\n{error.stderr}") from None
    assert done.returncode == 0 and "decoded" in done.stdout, done.stderr[-3000:]
