"""Previews rendered from memory: images, PDF pages and e-mails. Nothing touches the disk.

These functions take the attachment's bytes (already read from the vault) and return
QImages or text; QImage is safe to build on a worker thread, QPixmap is not, so the
GUI turns images into pixmaps when they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QDataStream, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from app.errors import UnsupportedFile
from app.pdf_engine import LOCK as PDFIUM_LOCK  # PDFium is not thread-safe: one call at a time

THUMB_SIZE = 96
EMAIL_TYPES = ("message/rfc822",)


def kind_of(media_type: str, name: str = "") -> str:
    """'image', 'pdf', 'email' or 'other': which preview applies."""
    lower = name.lower()
    if media_type.startswith("image/"):
        return "image"
    if media_type == "application/pdf" or lower.endswith(".pdf"):
        return "pdf"
    if media_type in EMAIL_TYPES or lower.endswith(".eml"):
        return "email"
    return "other"


def image_from_bytes(data: bytes, *, max_side: int | None = None) -> QImage:
    """Decode an image with its EXIF orientation applied; Qt's allocation limit refuses bombs."""
    # The bytes reach Qt through a device Qt made, not a QBuffer made in Python: every virtual
    # call on a Python-made device (each read of each plugin probe) takes the GIL, and Qt
    # probes the image plugins under one process-wide mutex. PySide lets the GIL go only in
    # ``read()``, so a preview's read() probed holding the mutex and waiting for the GIL while
    # a thumbnail's size() held the GIL and waited for the mutex: the whole process stopped
    # (a preview opened while the detail pane decoded thumbnails). Qt's own buffer needs no GIL.
    stream = QDataStream(QByteArray(data))  # it owns a read-only QBuffer on a copy of the bytes
    reader = QImageReader(stream.device())
    reader.setAutoTransform(True)
    reader.setDecideFormatFromContent(True)
    if max_side:
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > max_side * 2:
            # decode at a reduced size where the format allows it (JPEG does): faster thumbnails
            reader.setScaledSize(size.scaled(QSize(max_side * 2, max_side * 2), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull() and _is_heif(data):
        image = heif_image(data, max_side=max_side)
    if image.isNull():
        raise UnsupportedFile(f"The image cannot be shown ({reader.errorString()}).")
    if max_side and max(image.width(), image.height()) > max_side:
        image = image.scaled(
            max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


def _is_heif(data: bytes) -> bool:
    from app.ingest.images import image_format

    return image_format(data[:16]) == "HEIF"


def heif_image(data: bytes, *, max_side: int | None = None) -> QImage:
    """An iPhone photo (HEIC/HEIF), which Qt has no reader for: decoded by Pillow + pi-heif in
    memory, upright, under the same pixel limit as ingest."""
    from PIL import ImageOps

    from app.ingest.images import _open

    image = _open(data, "The photo")  # refuses bombs before decoding, like ingest
    if max_side:
        image.thumbnail((max_side * 2, max_side * 2))
    upright = ImageOps.exif_transpose(image).convert("RGBA")
    raw = upright.tobytes()
    return QImage(raw, upright.width, upright.height, upright.width * 4, QImage.Format.Format_RGBA8888).copy()


def pdf_page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise UnsupportedFile(f"The PDF cannot be shown ({error}).") from None
        try:
            return len(document)
        finally:
            document.close()


def pdf_pages(data: bytes, *, first: int = 0, count: int = 1, width: int = 900) -> list[QImage]:
    """Render pages ``first``..``first+count-1`` to QImages about ``width`` pixels wide."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise UnsupportedFile(f"The PDF cannot be shown ({error}).") from None
        try:
            images = []
            for number in range(first, min(first + count, len(document))):
                page = document[number]
                scale = width / max(page.get_width(), 1.0)
                bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), rev_byteorder=True)
                images.append(_bitmap_to_image(bitmap))
                bitmap.close()  # here, under the lock, not in a finalizer on some other thread
                page.close()
            return images
        finally:
            document.close()


def _bitmap_to_image(bitmap: object) -> QImage:
    formats = {
        "RGB": QImage.Format.Format_RGB888,
        "RGBA": QImage.Format.Format_RGBA8888,
        "RGBX": QImage.Format.Format_RGBX8888,
        "BGR": QImage.Format.Format_BGR888,
        "L": QImage.Format.Format_Grayscale8,
    }
    mode = bitmap.mode  # type: ignore[attr-defined]
    if mode not in formats:
        raise UnsupportedFile(f"The PDF page came back in an unexpected pixel format ({mode}).")
    raw = bytes(bitmap.buffer)  # type: ignore[attr-defined]
    image = QImage(raw, bitmap.width, bitmap.height, bitmap.stride, formats[mode])  # type: ignore[attr-defined]
    return image.copy()  # detach from the Python bytes before they go away


@dataclass(frozen=True)
class EmailPreview:
    headers: list[tuple[str, str]]
    body: str


def email_preview(data: bytes) -> EmailPreview:
    """Headers and a readable body; HTML becomes plain text, so nothing remote is ever loaded."""
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(data)
    headers = [(name, str(message[name])) for name in ("From", "To", "Cc", "Date", "Subject") if message[name]]
    part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if part is not None:
        try:
            body = part.get_content()
        except (LookupError, ValueError):
            body = part.get_payload(decode=True).decode("utf-8", "replace")  # type: ignore[union-attr]
        if part.get_content_type() == "text/html":
            body = html_to_text(body)
    return EmailPreview(headers, body.strip())


def html_to_text(html: str) -> str:
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self._skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("script", "style", "head"):
                self._skip += 1
            elif tag in ("br", "p", "div", "tr", "li"):
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "head") and self._skip:
                self._skip -= 1

        def handle_data(self, data: str) -> None:
            if not self._skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def thumbnail(data: bytes, media_type: str, name: str = "") -> QImage | None:
    """A small image for the attachment strip, or None when the kind has no picture."""
    kind = kind_of(media_type, name)
    if kind == "image":
        return image_from_bytes(data, max_side=THUMB_SIZE)
    if kind == "pdf":
        pages = pdf_pages(data, count=1, width=THUMB_SIZE * 2)
        if pages:
            return pages[0].scaled(
                THUMB_SIZE, THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
    return None
