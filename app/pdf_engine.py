"""PDFium (through pypdfium2), one call at a time in the whole process.

PDFium is not thread-safe: two threads calling into it at once, even on two different
documents, can crash or corrupt the process (pypdfium2's documentation, "Incompatibility
with Threading"). Casefile calls it from several threads: the import worker and the
watched Inbox (a PDF's text, the scanned pages OCR reads), the window's workers
(thumbnails, previews), verify (the exhibit index of a bundle) and the dossier's load
file. Every use holds ``LOCK`` from opening a document until the last object made from it
is closed, bitmaps included: left to pypdfium2's finalizers they would be freed inside
PDFium on whichever thread dropped the last reference, whenever that is.

Interleaving is allowed (a long job may take the lock call by call); simultaneity is not.
The dossier's child process has its own PDFium, and so its own lock.
"""

from __future__ import annotations

import threading

LOCK = threading.RLock()
