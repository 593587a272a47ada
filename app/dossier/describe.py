"""Exhibit metadata in words a reader uses: "Word document", not a MIME type;
"chosen in the file picker", not "picker"; no empty values, no internal keys."""

from __future__ import annotations

from pathlib import PurePath

MEDIA_TYPES = {
    "image/jpeg": "JPEG photo",
    "image/png": "PNG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "image/tiff": "TIFF image",
    "image/heic": "HEIC photo",
    "image/heif": "HEIF photo",
    "image/avif": "AVIF image",
    "image/bmp": "BMP image",
    "application/pdf": "PDF document",
    "message/rfc822": "Email message",
    "application/vnd.ms-outlook": "Outlook message",
    "application/vnd.ms-outlook-pst": "Outlook data file",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.ms-powerpoint": "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/rtf": "Rich Text document",
    "text/rtf": "Rich Text document",
    "text/plain": "Plain text file",
    "text/csv": "CSV table",
    "text/html": "Web page (HTML)",
    "text/calendar": "Calendar entry",
    "text/vcard": "Contact card",
    "application/json": "JSON data",
    "application/xml": "XML data",
    "text/xml": "XML data",
    "application/zip": "ZIP archive",
    "audio/mpeg": "MP3 audio recording",
    "audio/mp4": "M4A audio recording",
    "audio/x-m4a": "M4A audio recording",
    "audio/wav": "WAV audio recording",
    "audio/x-wav": "WAV audio recording",
    "audio/ogg": "Ogg audio recording",
    "audio/amr": "AMR voice memo",
    "video/mp4": "MP4 video",
    "video/quicktime": "QuickTime video",
}
EXTENSIONS = {
    ".jpg": "JPEG photo",
    ".jpeg": "JPEG photo",
    ".heic": "HEIC photo",
    ".pdf": "PDF document",
    ".eml": "Email message",
    ".msg": "Outlook message",
    ".pst": "Outlook data file",
    ".doc": "Word document",
    ".docx": "Word document",
    ".xls": "Excel spreadsheet",
    ".xlsx": "Excel spreadsheet",
    ".ppt": "PowerPoint presentation",
    ".pptx": "PowerPoint presentation",
    ".txt": "Plain text file",
    ".csv": "CSV table",
    ".zip": "ZIP archive",
}
SOURCES = {
    "picker": "chosen in the file picker",
    "drag": "dragged into Casefile",
    "inbox": "from the watched Inbox folder",
    "email": "attached to an imported email",
    "cli": "added from the command line",
    "import": "imported from an export or archive",
    "demo": "demonstration data",
    "imap": "downloaded from the mailbox (IMAP)",
}
# Recorded metadata keys and what a reader calls them; None: not shown (internal,
# or told elsewhere on the page: DKIM and collection records, the picture's size).
LABELS: dict[str, str | None] = {
    "exif_taken": "Taken (camera clock)",
    "taken_at": "Taken (camera clock)",
    "time_source": "Time taken from",
    "camera_make": "Camera make",
    "camera_model": "Camera model",
    "gps": "Location",
    "latitude": "latitude",
    "longitude": "longitude",
    "altitude_m": "altitude (m)",
    "format": "Format",
    "page_count": "Pages",
    "pages": "Pages",
    "author": "Author",
    "title": "Title",
    "note": "Note",
    "audio": "Recording",
    "duration_s": "duration (s)",
    "recording_time": "recorded",
    "recording_time_source": None,
    "codec": "codec",
    "lat": "latitude",
    "lon": "longitude",
    "width": None,
    "height": None,
    "orientation": None,
    "derivatives": None,
    "dkim": None,
    "collected": None,
    "mime_part": None,
    "msg_attachment": None,
    "thread": None,
    "chat_export": None,
    "stored_as_native": None,
    "unreadable": "Could not be read",
}


def media_type_name(media_type: str | None, file_name: str = "") -> str:
    """'Word document' for a .docx, 'JPEG photo' for image/jpeg; never a MIME type."""
    kind = (media_type or "").split(";")[0].strip().lower()
    if kind in MEDIA_TYPES:
        return MEDIA_TYPES[kind]
    suffix = PurePath(file_name).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    family = kind.split("/")[0]
    named = {"image": "image", "audio": "audio recording", "video": "video", "text": "text file"}.get(family)
    if named:
        return f"{suffix[1:].upper()} {named}" if suffix[1:].isalnum() else named.capitalize()
    return f"{suffix[1:].upper()} file" if suffix[1:].isalnum() and len(suffix) <= 6 else "File"


def source_name(source: str | None) -> str:
    return SOURCES.get(source or "", "added to the record")


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(
            f"{label} {_value(v)}"
            for k, v in value.items()
            if v not in (None, "", [], {}) and (label := LABELS.get(k, k.replace("_", " "))) is not None
        )
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value if v not in (None, ""))
    text = str(value)
    if len(text) == 19 and text[4] == ":" and text[7] == ":" and text[10] == " ":  # EXIF's 2026:03:06 08:59:00
        text = text[:10].replace(":", "-") + text[10:]
    return text


def metadata_text(metadata: dict[str, object], limit: int = 12) -> str:
    """What ingest extracted (EXIF time, camera, GPS), in words, on one line."""
    items = []
    for key, value in metadata.items():
        label = LABELS.get(key, key.replace("_", " ").capitalize())
        if label is None or value in (None, "", [], {}):
            continue
        shown = _value(value)
        if shown:
            items.append(f"{label}: {shown[:120]}")
        if len(items) == limit:
            break
    return " · ".join(items)
