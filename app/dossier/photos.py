"""Photos for the dossier: decoded and downscaled once, off the layout thread.

Pillow releases the GIL while it decodes and resamples, so a small thread pool
prepares the photos while reportlab (pure Python) lays out the entries that come
before them. Each result is a small JPEG at about ``IMAGE_DPI`` on paper; the
full-size pixels are dropped as soon as it is made. At most ``AHEAD`` photos are
prepared ahead of the one being drawn, so memory stays flat however many there are.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from app.dossier.exhibits import Exhibit
from app.vault import Vault

PREVIEW_KIND, PREVIEW_PX = "thumb1600", 1600  # made upright by ingest (app/ingest/images.py)
IMAGE_DPI = 120  # on paper: enough to read a photographed document
MAX_UPSCALE = 1.5  # points per pixel: a small picture is not blown up further
AHEAD = 48  # about 100 KB each once downscaled
WORKERS = 2


def fit(size: tuple[int, int], max_width: float, max_height: float) -> tuple[float, float]:
    width, height = size
    scale = min(max_width / width, max_height / height, MAX_UPSCALE)
    return width * scale, height * scale


def trusted_preview(vault: Vault, exhibit: Exhibit, target: tuple[int, int]) -> bytes | None:
    """The upright 1600 px copy ingest stored, if it is big enough and still the one whose
    SHA-256 the ledger recorded with the attachment (a swapped thumbnail is not used)."""
    recorded = exhibit.attachment.metadata.get("derivatives")
    if not isinstance(recorded, dict) or max(target) > PREVIEW_PX:
        return None
    data = vault.attachments.derivative(exhibit.attachment.sha256, PREVIEW_KIND)
    if data is None or hashlib.sha256(data).hexdigest() != recorded.get(PREVIEW_KIND):
        return None
    return data


def register_heif_for(head: bytes) -> None:
    """iPhone photos (HEIC/HEIF): let Pillow read them through pi-heif, in memory. Only when the
    bytes are HEIF, so other dossiers never import it."""
    from app.ingest.images import _register_heif, image_format

    if image_format(head[:16]) == "HEIF":
        _register_heif()


def downscaled_jpeg(vault: Vault, exhibit: Exhibit, width_pt: float, height_pt: float) -> bytes:
    from PIL import Image, ImageOps

    target = (max(1, int(width_pt / 72 * IMAGE_DPI)), max(1, int(height_pt / 72 * IMAGE_DPI)))
    preview = trusted_preview(vault, exhibit, target)
    if preview is not None:
        with Image.open(io.BytesIO(preview)) as small:
            # libjpeg decodes at 1/2 (1/4, 1/8) scale when that still covers the target: a
            # photo on a page is ~780 px, so the 1600 px copy decodes at half size — 13 ms of
            # CPU a photo instead of 35 (both resampled to the target by BICUBIC after).
            small.draft("RGB", target)
            upright = small.convert("RGB")
        upright.thumbnail(target, Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        upright.save(buffer, "JPEG", quality=82)
        return buffer.getvalue()
    original = vault.attachments.read_bytes(exhibit.attachment.sha256)
    register_heif_for(original)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # exhibits.py applies our own limit
        source = Image.open(io.BytesIO(original))
    with source:
        swapped = source.getexif().get(0x0112, 1) in (5, 6, 7, 8)
        # JPEG: the decoder itself can scale by 1/2, 1/4, 1/8 — far cheaper than
        # decoding everything. Accept a little under the target to get the next step.
        wanted = (int(target[0] * 0.8), int(target[1] * 0.8))
        source.draft("RGB", (wanted[1], wanted[0]) if swapped else wanted)
        img: Image.Image = ImageOps.exif_transpose(source)
        img.thumbnail(target, Image.Resampling.BICUBIC, reducing_gap=2.0)
        if img.mode not in ("RGB", "L"):
            rgba = img.convert("RGBA")
            img = Image.new("RGB", img.size, "white")
            img.paste(rgba, mask=rgba.getchannel("A"))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=82)
        return out.getvalue()


class PhotoPrefetcher:
    """Prepares the photos in exhibit order, a few ahead of the layout."""

    def __init__(self, vault: Vault, exhibits: list[Exhibit], max_width: float, max_height: float) -> None:
        self._vault = vault
        self._queue = [ex for ex in exhibits if ex.category == "image" and ex.image_size]
        self._sizes = {ex.number: fit(ex.image_size or (1, 1), max_width, max_height) for ex in self._queue}
        self._futures: dict[int, Future[bytes]] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="dossier-photo")
        self._fill()

    def _fill(self) -> None:
        with self._lock:
            while self._next < len(self._queue) and len(self._futures) < AHEAD:
                ex = self._queue[self._next]
                self._futures[ex.number] = self._pool.submit(downscaled_jpeg, self._vault, ex, *self._sizes[ex.number])
                self._next += 1

    def jpeg(self, exhibit: Exhibit, width_pt: float, height_pt: float) -> bytes:
        with self._lock:
            future = self._futures.pop(exhibit.number, None)
        if future is None or self._sizes.get(exhibit.number) != (width_pt, height_pt):
            data = downscaled_jpeg(self._vault, exhibit, width_pt, height_pt)
        else:
            data = future.result()
        self._fill()
        return data

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> PhotoPrefetcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
