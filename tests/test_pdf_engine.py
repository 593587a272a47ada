"""PDFium is called by one thread at a time, whichever part of Casefile calls it.

PDFium is not thread-safe (two simultaneous calls, even on two documents, can crash or
corrupt the process), and Casefile reaches it from the import worker and the Inbox (a PDF's
text, the scanned pages OCR reads), the window's workers (previews), verify (a bundle's
exhibit index) and the load file. Here all of them run at once on four threads while every
PDFium function counts how many threads are inside PDFium."""

from __future__ import annotations

import ctypes
import io
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pypdfium2.raw as pdfium_raw
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def _pdf(pages: list[str]) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for text in pages:
        page.drawString(72, 720, text)
        page.showPage()
    page.save()
    return out.getvalue()


@pytest.fixture
def inside_pdfium(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Every PDFium function wrapped: ``most`` is the most threads seen inside it at once."""
    seen = {"now": 0, "most": 0, "calls": 0}
    guard = threading.Lock()

    def counted(fn: Any) -> Any:
        def call(*args: Any) -> Any:
            with guard:
                seen["now"] += 1
                seen["calls"] += 1
                seen["most"] = max(seen["most"], seen["now"])
            try:
                time.sleep(0.0002)  # lets the GIL go, as ctypes does around the real call
                return fn(*args)
            finally:
                with guard:
                    seen["now"] -= 1

        return call

    for name in dir(pdfium_raw):
        if isinstance(getattr(pdfium_raw, name), ctypes._CFuncPtr):  # the library's functions, not its types
            monkeypatch.setattr(pdfium_raw, name, counted(getattr(pdfium_raw, name)))
    return seen


def test_every_use_of_pdfium_waits_for_the_others(inside_pdfium: dict[str, int], qapp: Any) -> None:
    from app.evidence.manifest import check_pdf_index
    from app.ingest.documents import pdf_text
    from app.ingest.ocr import _images_of
    from app.ingest.parsed import Source
    from ui.previews import pdf_pages

    texts = _pdf([f"Invoice 1042, page {n}, unpaid since March" for n in range(1, 5)])
    scanned = _pdf(["", ""])  # no text layer: OCR renders its pages
    manifest = {"pdf": {"path": "dossier.pdf", "exhibit_index_pages": [1, 2]}, "exhibits": []}
    manifest["exhibits"] = [{"number": 1, "native_path": "natives/a.pdf", "sha256": "ab" * 32}]
    results: dict[str, list[Any]] = {"text": [], "pages": [], "scans": [], "index": []}
    start = threading.Barrier(4)

    def repeat(name: str, fn: Any) -> None:
        start.wait()
        for _ in range(6):
            results[name].append(fn())

    jobs = {
        "text": lambda: pdf_text(Source.from_bytes("invoice.pdf", texts, datetime(2026, 3, 1, tzinfo=UTC)))[0],
        "pages": lambda: pdf_pages(texts, first=0, count=2, width=120),
        "scans": lambda: _images_of(scanned, "application/pdf"),
        "index": lambda: check_pdf_index(texts, manifest),
    }
    threads = [threading.Thread(target=repeat, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(len(done) == 6 for done in results.values()), {k: len(v) for k, v in results.items()}
    assert "unpaid since March" in results["text"][-1] and len(results["pages"][-1]) == 2
    assert len(results["scans"][-1]) == 2 and results["scans"][-1][0].size[0] > 1000
    assert "does not print it" in results["index"][-1][0]  # the index read, the hash not in it
    assert inside_pdfium["calls"] > 200
    assert inside_pdfium["most"] == 1
