"""Layout state shared by the dossier's sections, and the few custom flowables.

The dossier is laid out in pieces (parts, and runs of a long part's entries or exhibits: see
``pdf.py``), each a reportlab document of its own, possibly in another process. A piece
records in ``Layout.recording`` where its headings, entries and exhibits land, its clickable
cells and the pages it holds for appended PDFs, all by its *own* page numbers; ``place``
then shifts them by the pages before the piece into the absolute ``pages``, ``links`` and
``placeholders`` the sections print and ``bates.py`` uses. Page numbers are printed as
fixed-width Bates labels, so a part laid out again with real numbers instead of
placeholders keeps its page count.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reportlab.platypus import Flowable, Paragraph

from app.dossier.bidi import Para
from app.dossier.exhibits import Exhibit
from app.dossier.productions import DEFAULT_DIGITS, Plan
from app.dossier.select import Selection
from app.dossier.text import SANS
from app.vault import Vault


@dataclass
class Recorded:
    """What one piece recorded while it was laid out, by its own page numbers (picklable:
    a piece laid out by the layout helper process comes back as one)."""

    pages: dict[str, int] = field(default_factory=dict)  # anchor key -> page
    outline: dict[str, tuple[str, int]] = field(default_factory=dict)  # anchor key -> (title, level)
    links: dict[tuple[str, str], tuple[int, float, float, float, float]] = field(default_factory=dict)
    placeholders: dict[int, tuple[int, int]] = field(default_factory=dict)  # page -> (exhibit no, source page)


@dataclass
class Layout:
    vault: Vault
    selection: Selection
    exhibits: list[Exhibit]
    prepared_at: datetime
    pages: dict[str, int] = field(default_factory=dict)  # anchor key -> page number
    outline: dict[str, tuple[str, int]] = field(default_factory=dict)  # anchor key -> (title, level)
    # (where, target key) -> (page, x0, y0, x1, y1): clickable cells, linked by bates.py
    links: dict[tuple[str, str], tuple[int, float, float, float, float]] = field(default_factory=dict)
    total_pages: int = 0
    placeholders: dict[int, tuple[int, int]] = field(default_factory=dict)  # page -> (exhibit no, source page)
    recording: Recorded = field(default_factory=Recorded)  # the piece being laid out, by its own pages
    span: slice = field(
        default_factory=lambda: slice(None)
    )  # the run of entries or exhibits that piece holds (pdf.Piece)
    tick: Callable[[], None] = lambda: None  # called once per page drawn (progress, cancel)
    cache: dict[str, Any] = field(default_factory=dict)
    photos: Any = None  # a photos.PhotoPrefetcher while the body is laid out
    production: Plan | None = None  # its number and Bates numbering (productions.py)
    legend: str = ""  # the footer legend on every page (declaration.check_legend), "" = none

    def bates(self, page: int) -> str:
        if self.production is not None:
            return self.production.bates(page)
        return f"{self.selection.bates_prefix}{page:0{DEFAULT_DIGITS}d}"

    def page_of(self, key: str) -> int:
        return self.pages.get(key, 0)

    def bates_of(self, key: str) -> str:
        return self.bates(self.page_of(key))

    def record(self, key: str, canv: Any) -> None:
        self.recording.pages[key] = canv.getPageNumber()

    def place(self, recorded: Recorded, offset: int) -> None:
        """A laid-out piece's records, moved to where the piece lands (``offset`` pages before it)."""
        for key, page in recorded.pages.items():
            self.pages[key] = page + offset
        self.outline.update(recorded.outline)
        for where, (page, *box) in recorded.links.items():
            self.links[where] = (page + offset, *box)  # type: ignore[assignment]
        for page, held in recorded.placeholders.items():
            self.placeholders[page + offset] = held

    def forget_places(self) -> None:
        self.pages.clear()
        self.outline.clear()
        self.links.clear()
        self.placeholders.clear()


class AnchoredHeading(Para):
    """A heading that records its page and its PDF outline (bookmark) entry."""

    def __init__(
        self, text: str, style: Any, layout: Layout, key: str, outline: str | None = None, level: int = 0
    ) -> None:
        super().__init__(text, style)
        self._layout, self._key, self._outline, self._level = layout, key, outline, level

    def mark(self) -> None:
        """Record where it landed (also in a measuring pass, which draws nothing)."""
        self._layout.record(self._key, self.canv)
        if self._outline:
            self._layout.recording.outline[self._key] = (self._outline, self._level)

    def draw(self) -> None:
        self.mark()
        super().draw()


class LinkedParagraph(Para):
    """A table cell that becomes a link to ``target`` (a contents line, a pin cite)."""

    def __init__(self, text: str, style: Any, layout: Layout, where: str, target: str) -> None:
        super().__init__(text, style)
        self._layout, self._where, self._target = layout, where, target

    def draw(self) -> None:
        canv = self.canv
        x0, y0 = canv.absolutePosition(0, 0)
        x1, y1 = canv.absolutePosition(self.width, self.height)
        self._layout.recording.links[(self._where, self._target)] = (canv.getPageNumber(), x0, y0, x1, y1)
        super().draw()


class Marker(Flowable):
    """An invisible mark that records the page it lands on (e.g. an exhibit's end)."""

    def __init__(self, layout: Layout, key: str) -> None:
        super().__init__()
        self._layout, self._key = layout, key

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        self._layout.record(self._key, self.canv)


class PlaceholderPage(Flowable):
    """Holds a page for one page of an appended PDF; pikepdf swaps it in later."""

    def __init__(self, layout: Layout, exhibit: int, source_page: int) -> None:
        super().__init__()
        self._layout, self._exhibit, self._source_page = layout, exhibit, source_page

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return (aw, 1)  # one point: an empty page would be merged into the next

    def draw(self) -> None:
        self._layout.recording.placeholders[self.canv.getPageNumber()] = (self._exhibit, self._source_page)


class FactList(Flowable):
    """Label / value lines, values wrapped in a column: what a two-column table
    shows, at a fraction of a reportlab Table's layout cost (one per entry).
    Splits between facts, or inside a value too long for one page."""

    def __init__(self, facts: list[tuple[str, Paragraph]], label_width: float, font: str, size: float) -> None:
        super().__init__()
        self._facts, self._label_width, self._font, self._size = facts, label_width, font, size
        self._heights: list[float] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._heights = [value.wrap(aw - self._label_width, ah)[1] + 2 for _label, value in self._facts]
        self.width, self.height = aw, sum(self._heights)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self.wrap(aw, ah)
        used = 0.0
        for index, height in enumerate(self._heights):
            if used + height > ah:
                label, value = self._facts[index]
                parts = value.split(aw - self._label_width, ah - used - 2)
                head, tail = self._facts[:index], self._facts[index + 1 :]
                if len(parts) == 2:
                    head, tail = [*head, (label, parts[0])], [("", parts[1]), *tail]
                else:
                    tail = [(label, value), *tail]
                if not head:
                    return []
                return [self._like(head), self._like(tail)]
            used += height
        return [self]

    def _like(self, facts: list[tuple[str, Paragraph]]) -> FactList:
        return FactList(facts, self._label_width, self._font, self._size)

    def draw(self) -> None:
        canv = self.canv
        y = self.height
        canv.setFont(self._font, self._size)
        for (label, value), height in zip(self._facts, self._heights, strict=True):
            y -= height
            value.drawOn(canv, self._label_width, y + 1)
            canv.drawString(0, y + height - self._size - 1, label)


class ExhibitImage(Flowable):
    """A photo scaled to the frame, EXIF orientation honoured. Its size comes from
    the file's header; the pixels come from ``photos.PhotoPrefetcher``, which
    decodes and downscales each photo once, in worker threads, while reportlab
    lays out the entries."""

    def __init__(self, layout: Layout, exhibit: Exhibit, max_height: float) -> None:
        super().__init__()
        self._layout, self._exhibit, self._max_height = layout, exhibit, max_height

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        from app.dossier.photos import fit

        self.width, self.height = fit(self._exhibit.image_size or (1, 1), aw, self._max_height)
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        try:
            data = self._layout.photos.jpeg(self._exhibit, self.width, self.height)
        except Exception as error:  # a damaged file whose header looked fine: say so, on the page
            self._exhibit.reason = f"the image could not be decoded ({type(error).__name__})"
            canv.setFont(SANS, 10)
            canv.drawString(12, self.height - 24, f"This image could not be decoded ({type(error).__name__}).")
            canv.drawString(12, self.height - 40, f"The original file is in the bundle at {self._exhibit.native_path}.")
        else:
            key = f"{self._exhibit.attachment.sha256}:{self.width:.1f}x{self.height:.1f}"
            canv.drawImage(jpeg_reader(data, key), 0, 0, self.width, self.height)
        canv.setStrokeColorRGB(0.6, 0.6, 0.6)
        canv.rect(0, 0, self.width, self.height)


def jpeg_reader(data: bytes, key: str) -> Any:
    """An ImageReader that passes a JPEG through untouched. reportlab names an
    image by hashing its decoded pixels (``getRGBData``), which would decode every
    photo a second time; the original's SHA-256 and the drawn size name it just
    as uniquely (the same photo at the same size is stored once)."""
    from reportlab.lib.utils import ImageReader

    class JpegReader(ImageReader):  # type: ignore[misc]
        def getRGBData(self) -> bytes:
            return key.encode()

    reader = JpegReader(io.BytesIO(data))
    reader._dataA = None
    assert reader.jpeg_fh() is not None  # the JPEG bytes go into the PDF as they are
    return reader
