"""Layout state shared by the dossier's sections, and the few custom flowables.

The PDF is laid out twice. The first pass learns on which page every section,
entry and exhibit lands and how many pages there are; the second pass prints
those numbers (table of contents, pin cites, Bates ranges, "page x of y").
Every number is printed as a fixed-width Bates label, so the second pass lays
out exactly like the first (``pdf.build_pdf`` checks that and runs once more if not).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reportlab.platypus import Flowable, Paragraph

from app.dossier.exhibits import Exhibit
from app.dossier.select import Selection
from app.vault import Vault

BATES_DIGITS = 6
IMAGE_DPI = 150  # on paper; enough to read a photographed document


@dataclass
class Layout:
    vault: Vault
    selection: Selection
    exhibits: list[Exhibit]
    prepared_at: datetime
    final: bool = False  # False on the measuring pass: images are not decoded
    pages: dict[str, int] = field(default_factory=dict)  # anchor key -> page number
    total_pages: int = 0
    placeholders: dict[int, tuple[int, int]] = field(default_factory=dict)  # page -> (exhibit no, source page)
    tick: Callable[[], None] = lambda: None  # called once per page drawn (progress, cancel)
    cache: dict[str, Any] = field(default_factory=dict)

    def bates(self, page: int) -> str:
        return f"{self.selection.bates_prefix}-{page:0{BATES_DIGITS}d}"

    def page_of(self, key: str) -> int:
        return self.pages.get(key, 0)

    def bates_of(self, key: str) -> str:
        return self.bates(self.page_of(key))

    def record(self, key: str, page: int) -> None:
        self.pages[key] = page


class AnchoredHeading(Paragraph):
    """A heading that records its page and adds a bookmark (PDF outline entry)."""

    def __init__(
        self, text: str, style: Any, layout: Layout, key: str, outline: str | None = None, level: int = 0
    ) -> None:
        super().__init__(text, style)
        self._layout, self._key, self._outline, self._level = layout, key, outline, level

    def draw(self) -> None:
        canv = self.canv
        self._layout.record(self._key, canv.getPageNumber())
        canv.bookmarkPage(self._key)
        if self._outline:
            canv.addOutlineEntry(self._outline, self._key, level=self._level, closed=self._level == 0)
        super().draw()


class Marker(Flowable):
    """An invisible mark that records the page it lands on (e.g. an exhibit's end)."""

    def __init__(self, layout: Layout, key: str) -> None:
        super().__init__()
        self._layout, self._key = layout, key

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        self._layout.record(self._key, self.canv.getPageNumber())


class PlaceholderPage(Flowable):
    """Holds a page for one page of an appended PDF; pikepdf swaps it in later."""

    def __init__(self, layout: Layout, exhibit: int, source_page: int) -> None:
        super().__init__()
        self._layout, self._exhibit, self._source_page = layout, exhibit, source_page

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return (aw, 1)  # one point: an empty page would be merged into the next

    def draw(self) -> None:
        self._layout.placeholders[self.canv.getPageNumber()] = (self._exhibit, self._source_page)


class ExhibitImage(Flowable):
    """A photo scaled to the frame, EXIF orientation honoured, decoded only when
    printed (final pass) and downscaled once to ``IMAGE_DPI``; nothing is kept."""

    def __init__(self, layout: Layout, exhibit: Exhibit, max_height: float) -> None:
        super().__init__()
        self._layout, self._exhibit, self._max_height = layout, exhibit, max_height

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        width, height = self._exhibit.image_size or (1, 1)
        # Fill the frame, but never blow a small picture up past 1.5 points per pixel.
        scale = min(aw / width, self._max_height / height, 1.5)
        self.width, self.height = width * scale, height * scale
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        if not self._layout.final:
            return
        from reportlab.lib.utils import ImageReader

        data = downscaled_jpeg(self._layout.vault, self._exhibit, self.width, self.height)
        canv.drawImage(ImageReader(io.BytesIO(data)), 0, 0, self.width, self.height)
        canv.setStrokeColorRGB(0.6, 0.6, 0.6)
        canv.rect(0, 0, self.width, self.height)


def downscaled_jpeg(vault: Vault, exhibit: Exhibit, width_pt: float, height_pt: float) -> bytes:
    import warnings

    from PIL import Image, ImageOps

    target = (max(1, int(width_pt / 72 * IMAGE_DPI)), max(1, int(height_pt / 72 * IMAGE_DPI)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # exhibits.py applies our own limit
        source = Image.open(io.BytesIO(vault.attachments.read_bytes(exhibit.attachment.sha256)))
    with source:
        swapped = source.getexif().get(0x0112, 1) in (5, 6, 7, 8)
        # JPEG: let the decoder skip detail we would throw away (8x faster on big photos).
        source.draft("RGB", (target[1], target[0]) if swapped else target)
        img: Image.Image = ImageOps.exif_transpose(source)
        big = max(img.size) >= 4 * max(target)
        img.thumbnail(target, Image.Resampling.BILINEAR if big else Image.Resampling.LANCZOS)
        if img.mode not in ("RGB", "L"):
            rgba = img.convert("RGBA")
            img = Image.new("RGB", img.size, "white")
            img.paste(rgba, mask=rgba.getchannel("A"))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=82)
        return out.getvalue()
