"""Audio files built in the test: WAV (stdlib wave), MP3 frames with an ID3 date, Ogg
Opus pages (mutagen writes the pages and their CRCs), AMR frames, and an MP4 that is
really a video."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path


def wav(path: Path, seconds: float = 2.0, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(int(seconds * rate))
        )
        out.writeframes(frames)


def mp3(path: Path, seconds: float = 3.0, recorded: str | None = "2026-03-13T09:41:00") -> None:
    """MPEG-1 layer III frames, 128 kb/s 44.1 kHz (silence), with an ID3 recording date."""
    header = b"\xff\xfb\x90\x64"  # sync, MPEG-1 L3, 128 kb/s, 44.1 kHz, no padding
    frame = header + b"\x00" * (417 - 4)
    count = int(seconds * 44100 / 1152)
    path.write_bytes(frame * count)
    if recorded:
        from mutagen.id3 import ID3, TDRC

        tags = ID3()
        tags.add(TDRC(encoding=3, text=[recorded]))
        tags.save(str(path))


def opus(path: Path, seconds: float = 4.0) -> None:
    """An Ogg Opus voice note (WhatsApp's format): header pages and one audio page."""
    from mutagen.ogg import OggPage

    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 4) + b"test" + struct.pack("<I", 0)
    pages = []
    for seq, (packet, granule, first) in enumerate([(head, 0, True), (tags, 0, False), (b"\xfc" * 40, 0, False)]):
        page = OggPage()
        page.serial = 1234
        page.sequence = seq
        page.first = first
        page.packets = [packet]
        page.position = granule if seq < 2 else int(312 + seconds * 48000)
        page.last = seq == 2
        pages.append(page.write())
    path.write_bytes(b"".join(pages))


def amr(path: Path, seconds: float = 1.0) -> None:
    frame = bytes([0x3C]) + b"\x00" * 31  # mode 7 (12.2 kb/s): 1 + 31 bytes per 20 ms
    path.write_bytes(b"#!AMR\n" + frame * int(seconds / 0.02))


def video_mp4(path: Path) -> None:
    """An MP4 with a video track, named as if it were a voice memo."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    hdlr = box(b"hdlr", b"\x00" * 4 + b"\x00" * 4 + b"vide" + b"\x00" * 12 + b"VideoHandler\x00")
    mvhd = box(b"mvhd", b"\x00" * 4 + b"\x00" * 96)
    moov = box(b"moov", mvhd + box(b"trak", box(b"mdia", hdlr)))
    path.write_bytes(
        box(b"ftyp", b"M4A \x00\x00\x00\x00M4A isom") + moov + box(b"mdat", io.BytesIO(b"\x00" * 64).read())
    )
