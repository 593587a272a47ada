"""Voice memos and call recordings: .m4a .mp3 .wav .ogg/.opus .amr .aac.

mutagen reads the container's metadata (duration, codec, channels, sample rate, the
recording date tag) without decoding audio; AMR, which mutagen does not read, is
measured by walking its frame headers. An iPhone voice memo's recording time is the
MP4 movie header's creation time (seconds since 1904, UTC); other files use their
date tag when it has a time, else the file's time (said so in the result line).

A file named like audio that holds video (an MP4 with a video track), or that no
reader can parse, is refused with one line; nothing is stored.
"""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.errors import UnsupportedFile
from app.ingest.parsed import ParsedItem, Part, Source, clean_title
from app.records.models import EntryFields

AUDIO_SUFFIXES = {".m4a", ".mp3", ".wav", ".ogg", ".opus", ".oga", ".amr", ".aac"}
MAX_HEADER_SCAN = 8 * 1024 * 1024  # where an MP4's moov box is looked for, when it is at the front
_MP4_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)
_AMR_NB_SIZES = [12, 13, 15, 17, 19, 20, 26, 31, 5, 0, 0, 0, 0, 0, 0, 0]
_AMR_WB_SIZES = [17, 23, 32, 36, 40, 46, 50, 58, 60, 5, 0, 0, 0, 0, 0, 0]


def is_audio(source: Source, head: bytes) -> bool:
    suffix = Path(source.name).suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        return True
    if head.startswith((b"#!AMR", b"ID3")) or (head[:4] == b"RIFF" and head[8:12] == b"WAVE"):
        return True
    if head.startswith(b"OggS") and (b"OpusHead" in head[:200] or b"\x01vorbis" in head[:200]):
        return True
    return head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"M4B")


def _amr(source: Source) -> dict[str, Any]:
    with source.opener() as stream:
        magic = stream.read(9)
        wide = magic.startswith(b"#!AMR-WB\n")
        if not (wide or magic.startswith(b"#!AMR\n")):
            raise UnsupportedFile(f"{source.name}: is not an AMR recording (no AMR header).")
        stream.seek(9 if wide else 6)
        sizes = _AMR_WB_SIZES if wide else _AMR_NB_SIZES
        frames = 0
        data = stream.read()  # AMR is ~1.5 kB/s: a 2-hour call is ~11 MB
    i = 0
    while i < len(data):
        mode = (data[i] >> 3) & 0x0F
        i += 1 + sizes[mode]
        frames += 1
    return {
        "duration_s": round(frames * 0.02, 2),
        "codec": "AMR-WB" if wide else "AMR-NB",
        "channels": 1,
        "sample_rate": 16000 if wide else 8000,
    }


def _mp4_boxes(source: Source) -> tuple[datetime | None, bool]:
    """The movie header's creation time and whether a video track is declared."""
    with source.opener() as stream:
        head = stream.read(MAX_HEADER_SCAN)
    video = b"vide" in _handler_types(head)
    created = None
    at = head.find(b"mvhd")
    if at != -1 and at + 16 <= len(head):
        version = head[at + 4]
        raw = head[at + 8 : at + 16] if version == 1 else head[at + 8 : at + 12]
        if len(raw) in (4, 8):
            seconds = int.from_bytes(raw, "big")
            if seconds > 0:
                created = _MP4_EPOCH + timedelta(seconds=seconds)
                if not datetime(2000, 1, 1, tzinfo=UTC) < created < datetime.now(UTC) + timedelta(days=2):
                    created = None  # zero or nonsense: many tools leave it unset
    return created, video


def _handler_types(head: bytes) -> set[bytes]:
    types: set[bytes] = set()
    start = 0
    while (at := head.find(b"hdlr", start)) != -1 and len(types) < 16:
        types.add(head[at + 12 : at + 16])  # size, 'hdlr', version+flags, pre_defined, handler_type
        start = at + 4
    return types


def _tag_time(tags: Any) -> datetime | None:
    """A date tag with a time in it (ID3 TDRC, MP4 ©day, Vorbis DATE), as an aware time."""
    if not tags:
        return None
    for key in ("TDRC", "TDOR", "\xa9day", "date", "DATE", "creation_time"):
        try:
            value = tags.get(key)
        except (ValueError, KeyError, TypeError):
            value = None
        if not value:
            continue
        text = str(value[0] if isinstance(value, list) else getattr(value, "text", [value])[0])
        if "T" not in text and " " not in text.strip():
            continue  # a year or a day alone does not date a recording
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "T"))
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def audio_metadata(source: Source) -> tuple[dict[str, Any], datetime | None]:
    head = source.head(64)
    if head.startswith(b"#!AMR"):
        return _amr(source), None
    created: datetime | None = None
    if head[4:8] == b"ftyp":
        created, video = _mp4_boxes(source)
        if video:
            raise UnsupportedFile(
                f"{source.name}: is a video, not an audio recording; import it as a file under another name."
            )
    import mutagen

    try:
        with source.opener() as stream:
            data = stream if source.path is not None else io.BytesIO(stream.read())
            parsed = mutagen.File(data)
    except mutagen.MutagenError:
        parsed = None
    except (struct.error, ValueError, EOFError, IndexError):
        parsed = None
    if parsed is None or getattr(parsed, "info", None) is None or not getattr(parsed.info, "length", 0):
        raise UnsupportedFile(f"{source.name}: is not a playable audio file (no audio stream could be read).")
    info = parsed.info
    codec = getattr(info, "codec", "") or type(parsed).__name__.replace("File", "")
    if type(parsed).__name__ == "MP3":
        codec = f"MPEG layer {getattr(info, 'layer', 3)}"
    if getattr(info, "codec_description", ""):
        codec = info.codec_description
    metadata = {
        "duration_s": round(float(info.length), 2),
        "codec": str(codec),
        "channels": getattr(info, "channels", None),
        "sample_rate": getattr(info, "sample_rate", None),
        "bitrate": getattr(info, "bitrate", None),
        "container": type(parsed).__name__,
    }
    return {k: v for k, v in metadata.items() if v not in (None, "", 0)}, created or _tag_time(parsed.tags)


def duration_text(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def parse_audio(source: Source, kind: str = "note") -> list[ParsedItem]:
    metadata, recorded = audio_metadata(source)
    notes = []
    if recorded is not None:
        metadata["recording_time"] = recorded.isoformat()
        metadata["recording_time_source"] = "container metadata"
        occurred = recorded
    else:
        occurred = source.mtime
        notes.append("dated by the file's time (no recording time in the file)")
    duration = float(metadata["duration_s"])
    title = clean_title(f"Recording: {source.name} ({duration_text(duration)})", "Recording")
    fields = EntryFields(
        kind=kind,
        occurred_at=occurred,
        title=title,
        body=f"Audio recording, {duration_text(duration)}, {metadata.get('codec', 'unknown codec')}.",
        duration_min=max(1, round(duration / 60)) if kind == "call" else None,
        tags=("recording",),
    )
    part = Part(name=source.name, source=source, metadata={"audio": metadata})
    return [ParsedItem(fields=fields, parts=[part], notes=notes)]
