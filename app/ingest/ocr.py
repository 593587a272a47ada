"""Machine-read text (OCR) for screenshots, photos of letters and PDFs without text.

Engine: RapidOCR (PaddleOCR's PP-OCRv4 detection + recognition models run by ONNX
Runtime), from the ``rapidocr-onnxruntime`` wheel, which ships its three model files
inside the package: nothing is downloaded at run time, it runs the same on Windows,
macOS and Linux, and it reads chat screenshots (coloured bubbles, small UI fonts,
dark themes) better than a Tesseract we would have to ask users to install. It is an
optional extra (``casefile[ocr]``: OpenCV + ONNX Runtime are ~270 MB); without it
``casefile ocr`` says so and nothing else changes.

The text is a **derivative** (``derivatives`` kind ``ocr-text``, encrypted, keyed by
the blob's SHA-256): not evidence, not in the ledger, rebuilt from the blob at will.
Search indexes it beside the attachment's extracted text (app/search.py). Each file's
text is written in its own transaction, so an interrupted run resumes where it stopped
(``--pending``). The vault setting ``ocr`` ("on"/"off") turns it off.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import UnsupportedFile
from app.search import index_entry

OCR_KIND = "ocr-text"
LABEL = "Machine-read text (OCR, may contain errors)"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif", "image/tiff", "image/bmp")
MAX_BYTES = 64 * 1024 * 1024
MAX_SIDE = 2000  # pixels: screenshots are read at their size, big photos scaled down
MAX_PDF_PAGES = 20
MIN_SCORE = 0.5
_ENGINE_LOCK = threading.Lock()


def available() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec("rapidocr_onnxruntime") is not None
    except (ImportError, ValueError):
        return False


class OcrEngine:
    """The loaded models (about 0.5 s to load); one per process is enough, made by the caller."""

    def __init__(self) -> None:
        if not available():
            raise UnsupportedFile(
                "OCR is not installed: install Casefile with the OCR extra (pip install 'casefile[ocr]')."
            )
        # OpenCV's wheel points Qt at its own plugins when imported: keep the app's Qt settings.
        saved = {k: v for k, v in os.environ.items() if k.startswith("QT_")}
        try:
            from rapidocr_onnxruntime import RapidOCR

            self._engine = RapidOCR()
        finally:
            for key in [k for k in os.environ if k.startswith("QT_")]:
                if key not in saved:
                    del os.environ[key]
            os.environ.update(saved)

    def read_image(self, image: Any) -> str:
        """Text of a PIL image, line by line top to bottom (lines below MIN_SCORE dropped)."""
        import numpy as np
        from PIL import ImageOps, ImageStat

        rgb = image.convert("RGB")
        if max(rgb.size) > MAX_SIDE:
            rgb.thumbnail((MAX_SIDE, MAX_SIDE))
        if ImageStat.Stat(rgb.convert("L")).mean[0] < 100:  # a dark theme: light text on dark
            rgb = ImageOps.invert(rgb)
        pixels = np.asarray(rgb)[:, :, ::-1].copy()  # RGB -> BGR, as OpenCV expects
        with _ENGINE_LOCK:
            result, _elapsed = self._engine(pixels)
        lines = []
        for box, text, score in result or []:
            if float(score) >= MIN_SCORE and str(text).strip():
                top = min(p[1] for p in box)
                left = min(p[0] for p in box)
                height = max(p[1] for p in box) - top
                lines.append((top, left, height, str(text).strip()))
        return _join_lines(lines)


def _join_lines(boxes: list[tuple[float, float, float, str]]) -> str:
    """Boxes on the same visual line (vertical overlap) joined left to right."""
    boxes.sort()
    rows: list[list[tuple[float, float, float, str]]] = []
    for box in boxes:
        if rows and abs(box[0] - rows[-1][0][0]) < max(8.0, rows[-1][0][2] * 0.5):
            rows[-1].append(box)
        else:
            rows.append([box])
    return "\n".join(" ".join(b[3] for b in sorted(row, key=lambda b: b[1])) for row in rows)


def _images_of(data: bytes, media_type: str) -> list[Any]:
    from PIL import Image, ImageOps

    if media_type == "application/pdf":
        import pypdfium2 as pdfium

        from app.pdf_engine import LOCK

        with LOCK:
            pdf = pdfium.PdfDocument(data)
            try:
                pages = []
                for index in range(min(len(pdf), MAX_PDF_PAGES)):
                    page = pdf[index]
                    textpage = page.get_textpage()
                    has_text = len(textpage.get_text_range().strip()) > 20
                    textpage.close()
                    if not has_text:  # a page with a text layer needs no OCR
                        bitmap = page.render(scale=200 / 72)
                        pages.append(bitmap.to_pil().copy())  # its own pixels: the bitmap is freed now
                        bitmap.close()
                    page.close()
                return pages
            finally:
                pdf.close()
    if media_type in ("image/heic", "image/heif"):
        from app.ingest.images import _register_heif

        _register_heif()
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (MAX_SIDE, MAX_SIDE))
        return [ImageOps.exif_transpose(img).convert("RGB")]


@dataclass(frozen=True)
class OcrCandidate:
    attachment_id: int
    entry_id: int
    sha256: str
    name: str
    media_type: str


def candidates(
    vault: Any, client_id: int | None = None, *, pending: bool = True, entry_ids: tuple[int, ...] = ()
) -> list[OcrCandidate]:
    """Images and PDFs without a text layer, of one client or all (or of these entries),
    oldest first, one per blob."""
    marks = ",".join("?" * len(IMAGE_TYPES))
    sql = (
        "SELECT MIN(a.id), MIN(a.entry_id), a.sha256, MIN(a.name), a.media_type FROM attachments a"
        " JOIN entries e ON e.id = a.entry_id WHERE e.retracted = 0 AND a.size <= ?"
        f" AND (a.media_type IN ({marks}) OR (a.media_type = 'application/pdf' AND trim(a.text) = ''))"
    )
    params: list[Any] = [MAX_BYTES, *IMAGE_TYPES]
    if client_id is not None:
        sql += " AND e.client_id = ?"
        params.append(client_id)
    if entry_ids:
        sql += f" AND a.entry_id IN ({','.join('?' * len(entry_ids))})"
        params.extend(entry_ids)
    if pending:
        sql += " AND NOT EXISTS (SELECT 1 FROM derivatives d WHERE d.sha256 = a.sha256 AND d.kind = ?)"
        params.append(OCR_KIND)
    sql += " GROUP BY a.sha256, a.media_type ORDER BY MIN(a.id)"
    return [OcrCandidate(*row) for row in vault.db.all(sql, params)]


def enabled(vault: Any) -> bool:
    return vault.settings.get("ocr").strip().lower() not in ("off", "0", "no", "false")


@dataclass(frozen=True)
class OcrOutcome:
    done: int
    with_text: int
    failed: list[str]
    remaining: int


def run_ocr(
    vault: Any,
    client_id: int | None = None,
    *,
    pending: bool = True,
    entry_ids: tuple[int, ...] = (),
    engine: OcrEngine | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> OcrOutcome:
    """Read every candidate; each file's text is committed on its own (resumable)."""
    todo = candidates(vault, client_id, pending=pending, entry_ids=entry_ids)
    if not todo:
        return OcrOutcome(0, 0, [], 0)
    engine = engine or OcrEngine()
    done = with_text = 0
    failed: list[str] = []
    for index, item in enumerate(todo):
        if cancel is not None and cancel.is_set():
            return OcrOutcome(done, with_text, failed, len(todo) - index)
        if progress is not None:
            progress(index, len(todo), item.name)
        try:
            data = vault.attachments.read_bytes(item.sha256, MAX_BYTES)
            text = "\n\n".join(t for t in (engine.read_image(img) for img in _images_of(data, item.media_type)) if t)
        except Exception as error:  # an image Pillow or PDFium cannot decode: noted, skipped next time
            failed.append(f"{item.name}: could not be read for OCR ({type(error).__name__})")
            text = ""
        store_text(vault, item.sha256, text)
        done += 1
        with_text += bool(text)
    if progress is not None:
        progress(len(todo), len(todo), "")
    return OcrOutcome(done, with_text, failed, 0)


def store_text(vault: Any, sha256: str, text: str) -> None:
    """The derivative and the search rows of every entry holding the blob, in one transaction."""
    with vault.db.write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO derivatives(sha256, kind, data) VALUES (?,?,?)",
            (sha256, OCR_KIND, text.encode("utf-8")),
        )
        for (entry_id,) in conn.execute(
            "SELECT DISTINCT entry_id FROM attachments WHERE sha256 = ?", (sha256,)
        ).fetchall():
            index_entry(conn, entry_id)


def ocr_text(vault: Any, sha256: str) -> str | None:
    """The stored machine-read text, "" when OCR found none, None when it has not run."""
    data = vault.attachments.derivative(sha256, OCR_KIND)
    return None if data is None else data.decode("utf-8", "replace")
