"""Offline transcription candidate: pocketsphinx (its English model ships in the wheel).

    pip install pocketsphinx; apt-get install espeak-ng; python bench/bench_transcribe.py

Speech is synthesised here with espeak-ng from known sentences (the kind a voice memo
about a client holds), resampled to 16 kHz, and decoded. Printed: word error rate
(word-level Levenshtein / words of the truth) and real-time factor (decode time /
audio length), against the baseline of reading and resampling the same audio.
This measures the candidate; Casefile does not ship transcription (see performance.md).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

SENTENCES = [
    "the client called again about the cracked tiles and asked for a refund",
    "he said he would call his lawyer if we did not come on thursday",
    "I explained that the invoice was due two weeks ago",
    "she was angry and hung up after ten minutes",
    "we agreed to send a written quote by friday morning",
]


def word_errors(hyp: list[str], ref: list[str]) -> int:
    previous = list(range(len(ref) + 1))
    for i, h in enumerate(hyp, 1):
        current = [i]
        for j, r in enumerate(ref, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (h != r)))
        previous = current
    return previous[-1]


def resample_16k(frames: bytes, rate: int) -> bytes:
    import array

    samples = array.array("h", frames)
    step = rate / 16000
    out = array.array("h", (samples[int(i * step)] for i in range(int(len(samples) / step))))
    return out.tobytes()


def main() -> None:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    from pocketsphinx import Decoder

    start = time.perf_counter()
    decoder = Decoder(samprate=16000)
    load = time.perf_counter() - start
    errors = words = 0
    audio_s = decode_s = prep_s = 0.0
    with tempfile.TemporaryDirectory(prefix="casefile-bench-asr-") as tmp:
        for index, sentence in enumerate(SENTENCES):
            path = Path(tmp) / f"s{index}.wav"
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), sentence], check=True)
            t0 = time.perf_counter()
            with wave.open(str(path)) as w:
                rate, frames = w.getframerate(), w.readframes(w.getnframes())
            pcm = resample_16k(frames, rate)
            prep_s += time.perf_counter() - t0
            audio_s += len(pcm) / 2 / 16000
            t0 = time.perf_counter()
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            decode_s += time.perf_counter() - t0
            hyp = decoder.hyp().hypstr.split() if decoder.hyp() else []
            err = word_errors(hyp, sentence.split())
            errors += err
            words += len(sentence.split())
            print(f"  WER {err / len(sentence.split()):5.0%}  {' '.join(hyp)!r}")
    print(
        f"pocketsphinx: WER {errors / words:.0%} over {words} words; real-time factor {decode_s / audio_s:.2f} "
        f"({decode_s:.1f} s for {audio_s:.1f} s of speech; model load {load:.1f} s); "
        f"reading + resampling alone {prep_s / audio_s:.3f}x real time"
    )


if __name__ == "__main__":
    sys.exit(main())
