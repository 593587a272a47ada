"""Ingest: turn files from the outside world into entries and attachments.

Readers (``email``, ``msg``, ``images``, ``documents``) parse a ``Source`` into
``ParsedItem``s without touching the vault; ``importer`` stores them, one
transaction per file; ``triage`` holds files not yet assigned to a client;
``inbox`` watches a folder and feeds the importer. No Qt here: events leave
through plain callbacks.
"""

# The core's modules must load in their own order (app.records.attachments imports
# the ledger, which imports app.vault, which imports app.records.attachments):
# loading app.vault first keeps `import app.ingest.x` working on its own.
import app.vault  # noqa: F401
