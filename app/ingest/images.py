"""Photos and screenshots: JPEG, PNG, WebP, TIFF, HEIC/HEIF (Pillow + pi-heif).

The EXIF capture time (with its own offset when the camera wrote one) becomes the
entry's time; camera and GPS go into the attachment's metadata. Two thumbnails
(256 and 1600 px, upright per the EXIF orientation) are made in memory and stored
encrypted beside the original. Images larger than MAX_PIXELS are refused before
any pixel is decoded (a decompression bomb is a few KB that would take GBs), and
a truncated file is not decoded (it is kept as a plain file) rather than shown with a grey half.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

from app.errors import UnsupportedFile
from app.ingest.parsed import ParsedItem, Part, Source
from app.records.attachments import safe_display_name
from app.records.models import EntryFields
from app.records.times import in_range, local_zone

MAX_FILE_BYTES = 300 * 1024 * 1024
# Twice Pillow's own MAX_IMAGE_PIXELS, where Pillow itself raises: a 150 MP panorama is
# real, a 50 000 x 50 000 image that compresses to a few KB is a bomb.
MAX_PIXELS = 178_956_970
THUMB_SIZES = {"thumb1600": 1600, "thumb256": 256}

_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis", b"avif")

# EXIF tag numbers (Pillow's ExifTags names them; numbers keep this table plain).
_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_ORIENTATION = 0x0112
_DATETIME_ORIGINAL, _OFFSET_ORIGINAL, _OFFSET = 0x9003, 0x9011, 0x9010


def image_format(head: bytes) -> str | None:
    """The image format from a file's first bytes, whatever its name says."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def _open(data: bytes, name: str) -> Any:
    from PIL import Image, UnidentifiedImageError

    _register_heif()
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; the size
        # check below is the one that decides, with a reason that names the numbers.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise UnsupportedFile(
                f"{name}: image dimensions are absurdly large (a possible decompression bomb), so it is not decoded."
            ) from None
        except UnidentifiedImageError:
            raise UnsupportedFile(f"{name}: is not an image Casefile can read, or it is damaged.") from None
        except (OSError, ValueError, SyntaxError) as error:
            raise UnsupportedFile(f"{name}: is a damaged image ({error}).") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UnsupportedFile(
            f"{name}: {width} x {height} pixels ({width * height // 1_000_000} MP) is over the "
            f"{MAX_PIXELS // 1_000_000} MP limit (a possible decompression bomb), so it is not decoded."
        )
    return image


def _register_heif() -> None:
    import pi_heif

    pi_heif.register_heif_opener()


def parse_image(source: Source) -> list[ParsedItem]:
    data = source.read_all(MAX_FILE_BYTES, "an image")
    image = _open(data, source.name)
    exif = image.getexif()
    metadata: dict[str, Any] = {"format": image.format, "width": image.width, "height": image.height}
    orientation = exif.get(_ORIENTATION, 1)
    # with the size, what the dossier needs to lay the photo out without reading the original again
    metadata["orientation"] = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
    metadata.update(_camera(exif))
    occurred, time_source = _capture_time(exif, source.mtime)
    metadata["time_source"] = time_source
    thumbs = make_thumbnails(image, source.name)
    fields = EntryFields(kind="photo", occurred_at=occurred, title=f"Photo: {safe_display_name(source.name)}"[:1000])
    part = Part(name=source.name, source=source, metadata=metadata, derivatives=thumbs)
    notes = [] if time_source.startswith("EXIF") and time_source.endswith("with its offset") else [time_source]
    return [ParsedItem(fields=fields, parts=[part], notes=notes)]


def make_thumbnails(image: Any, name: str) -> dict[str, bytes]:
    """Upright JPEG thumbnails, largest first (each made from the one before).

    The image is loaded and shrunk in place: the caller should not use it afterwards.
    """
    from PIL import Image, ImageOps

    largest = THUMB_SIZES["thumb1600"]
    scale = largest / max(image.size)
    if image.format == "JPEG" and scale < 1:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale, as long as the result still
        # covers the largest thumbnail: a 12 MP photo decodes about three times faster.
        image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise UnsupportedFile(f"{name}: the image is truncated or damaged ({error}).") from None
    # Shrink first, in place (EXIF stays with the image): a 150 MP PNG then costs its
    # decoded size once, not again for each rotation and colour conversion.
    image.getexif()
    image.thumbnail((largest, largest), Image.Resampling.BILINEAR)
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "L"):
        if "A" in upright.getbands() or upright.mode == "P":
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            upright = flat
        else:
            upright = upright.convert("RGB")
    out: dict[str, bytes] = {}
    current = upright if upright is not image else upright.copy()
    for kind, size in THUMB_SIZES.items():
        current.thumbnail((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        current.save(buffer, "JPEG", quality=85 if size > 256 else 80)
        out[kind] = buffer.getvalue()
    return out


def _camera(exif: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for tag, key in ((_MAKE, "camera_make"), (_MODEL, "camera_model")):
        value = exif.get(tag)
        if isinstance(value, str) and value.strip("\x00 "):
            found[key] = value.strip("\x00 ")
    gps = _gps(exif)
    if gps:
        found["gps"] = gps
    return found


def _gps(exif: Any) -> dict[str, float] | None:
    from PIL import ExifTags

    try:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, ValueError, TypeError):
        return None
    try:
        lat = _degrees(info[2], info.get(1, "N"), "S")
        lon = _degrees(info[4], info.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    result = {"latitude": round(lat, 7), "longitude": round(lon, 7)}
    altitude = info.get(6)
    if altitude is not None:
        with contextlib.suppress(TypeError, ValueError, ZeroDivisionError):
            result["altitude_m"] = round(float(altitude) * (-1 if info.get(5) == b"\x01" else 1), 1)
    return result


def _degrees(dms: Any, ref: Any, negative: str) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    ref_text = ref.decode() if isinstance(ref, bytes) else str(ref)
    return -value if ref_text.strip().upper() == negative else value


def _capture_time(exif: Any, fallback: datetime) -> tuple[datetime, str]:
    from PIL import ExifTags

    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except (KeyError, ValueError, TypeError):
        sub = {}
    bad: list[str] = []
    for tag, offset_tag, label in (
        (_DATETIME_ORIGINAL, _OFFSET_ORIGINAL, "EXIF DateTimeOriginal"),
        (_DATETIME, _OFFSET, "EXIF DateTime"),
    ):
        text = sub.get(tag) or exif.get(tag)
        moment = _exif_datetime(text)
        if moment is None:
            continue
        raw_offset = sub.get(offset_tag)
        offset = _exif_offset(raw_offset)
        ignored = ""
        if offset is None and isinstance(raw_offset, str) and raw_offset.strip("\x00 "):
            ignored = f"; its impossible offset {raw_offset.strip(chr(0) + ' ')[:20]!r} was ignored"
        if offset is not None:
            aware = moment.replace(tzinfo=offset)
            how = f"{label} with its offset"
        else:
            zone, _name = local_zone()
            aware = moment.replace(tzinfo=zone)
            how = f"{label} without an offset; read in this computer's time zone{ignored}"
        if not in_range(aware):
            bad.append(f"{label} {text.strip(chr(0) + ' ')[:19]!r} is out of range and was ignored")
            continue
        return aware, "; ".join([how, *bad])
    return fallback, "; ".join([*bad, "no usable EXIF capture time; the file's time was used"])


def _exif_datetime(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _exif_offset(text: Any) -> timezone | None:
    if not isinstance(text, str) or len(text.strip("\x00 ")) < 6:
        return None
    text = text.strip("\x00 ")
    try:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if text[0] not in "+-" or hours > 14 or minutes > 59:  # "+24:00", "99:99": no place on Earth
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
