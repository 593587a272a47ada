"""Voice memos and call recordings import as entries with duration, codec and recording time."""

from __future__ import annotations

from pathlib import Path

from app.ingest.importer import import_path
from tests.helpers.audio import amr, mp3, opus, video_mp4, wav


def _state(vault) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    with vault.db.read() as conn:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("entries", "attachments", "events")
        )


def test_audio_files_become_entries_with_duration_codec_and_recording_time(vault, tmp_path: Path) -> None:
    client_id = vault.clients.add("Gerald Whitmore").id
    builders = {"memo.wav": wav, "call.mp3": mp3, "PTT-20260313-WA0002.opus": opus, "voicemail.amr": amr}
    expected = {"memo.wav": 2.0, "call.mp3": 3.0, "PTT-20260313-WA0002.opus": 4.0, "voicemail.amr": 1.0}
    for name, build in builders.items():
        build(tmp_path / name)
        result = import_path(vault, client_id, tmp_path / name)
        assert result.status == "imported", result.line()
        entry = vault.entries.get(result.entry_ids[0])
        audio = vault.attachments.for_entry(entry.id)[0].metadata["audio"]
        assert abs(audio["duration_s"] - expected[name]) < 0.15, (name, audio)
        assert audio["codec"] and entry.title.startswith(f"Recording: {name}")
        if name == "call.mp3":
            assert entry.occurred_at.isoformat() == "2026-03-13T09:41:00+00:00"  # the ID3 recording date
            assert audio["recording_time_source"] == "container metadata"
        else:
            assert "dated by the file's time" in " ".join(result.notes)
    assert vault.verify().ok


def test_audio_that_is_video_or_garbage_is_kept_as_a_plain_file_with_the_reason(vault, tmp_path: Path) -> None:
    """Evidence is never refused (SPEC 5): it is stored as a native, the one-line reason beside it."""
    client_id = vault.clients.add("Gerald Whitmore").id
    video_mp4(tmp_path / "memo.m4a")
    (tmp_path / "broken.mp3").write_bytes(b"this is not audio at all" * 100)
    reasons = {"memo.m4a": "is a video, not an audio recording", "broken.mp3": "not a playable audio file"}
    for name, words in reasons.items():
        result = import_path(vault, client_id, tmp_path / name)
        assert result.status == "imported" and any(words in n for n in result.notes), result.line()
        entry = vault.entries.get(result.entry_ids[0])
        assert entry.kind == "document" and words in entry.fields.body
        assert "audio" not in vault.attachments.for_entry(entry.id)[0].metadata  # no invented duration
    assert vault.verify().ok
