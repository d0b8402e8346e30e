"""What ``bench_speech_line.py`` found, per run, and its Markdown tables."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from audiosocket_asterisk import FRAME_S
from bench_calendar import percentile
from machine_load import CpuUse

from consult_line.lifespan import RECOGNIZER_THREADS
from speech.listening import Outcome
from speech.model import SpeechModel


@dataclass(frozen=True)
class Variant:
    talking: bool  # the caller's channel sends silence frames; else none around the answer
    end_silence_s: float

    @property
    def channel(self) -> str:
        return "talking" if self.talking else "quiet"


@dataclass(frozen=True)
class Answer:
    word: str
    outcome: Outcome
    said: str | None  # the phrase matched, as the route matches it
    played: dict[str, Any]  # audiosocket_asterisk.Played, or its error
    outcome_at: float  # Pending.outcome returned

    def after_speech_ms(self, moment: float | None) -> float | None:
        end = self.played.get("speech_end")
        return None if moment is None or end is None else (moment - end) * 1000


@dataclass
class Watch:
    """The service process while a run goes on: RSS and open listenings, every 20 ms."""

    rss_mb: list[float] = field(default_factory=list)
    listenings: list[int] = field(default_factory=list)


@dataclass
class RunResult:
    variant: Variant
    answers: list[Answer]
    watch: Watch
    cpu: CpuUse  # the service process, then Asterisk's
    recognizers_cpu_s: float
    wall_s: float


def spread(values: Sequence[float | None]) -> str:
    known = [value for value in values if value is not None]
    if len(known) < 2:
        return "— | — | —"
    return f"{percentile(known, 0.5):.0f} | {percentile(known, 0.95):.0f} | {max(known):.0f}"


def latency_rows(result: RunResult) -> list[str]:
    variant = result.variant
    where = f"{variant.channel} | {variant.end_silence_s:g}"
    answers = result.answers
    intervals = (
        ("end of speech → hang-up frame at Asterisk", [a.played.get("hangup") for a in answers]),
        ("end of speech → outcome in the route", [a.outcome_at for a in answers]),
    )
    rows = []
    for name, moments in intervals:
        after = [a.after_speech_ms(m) for a, m in zip(answers, moments, strict=True)]
        rows.append(f"| {name} | {where} | {spread(after)} |")
    return rows


def outcome_row(result: RunResult) -> str:
    answers = result.answers
    right = sum(a.said == a.word for a in answers)
    others = Counter(
        a.outcome.kind.value if a.said is None else "wrong word"
        for a in answers
        if a.said != a.word
    )
    other = ", ".join(f"{kind} {count}" for kind, count in sorted(others.items())) or "—"
    listening = sorted(result.watch.listenings)
    late = max((a.played.get("late_max_ms", 0.0) for a in answers), default=0.0)
    return (
        f"| {result.variant.channel} | {result.variant.end_silence_s:g} | {len(answers)} | "
        f"{right} | {other} | {statistics.median(listening):.0f} / {listening[-1]} | "
        f"{late:.1f} |"
    )


def resource_row(result: RunResult) -> str:
    audio_s = sum(a.played.get("frames", 0) for a in result.answers) * FRAME_S
    service_s, asterisk_s = result.cpu.processes
    return (
        f"| {result.variant.channel} | {result.variant.end_silence_s:g} | {result.wall_s:.0f} | "
        f"{audio_s:.0f} | {service_s:.1f} | {result.recognizers_cpu_s:.1f} | "
        f"{service_s / audio_s:.3f} | {result.recognizers_cpu_s / audio_s:.3f} | "
        f"{max(result.watch.rss_mb):.0f} | {asterisk_s:.1f} | {result.cpu.others:.1f} | "
        f"{result.cpu.load[0]:.2f} → {result.cpu.load[1]:.2f} |"
    )


def report(model: SpeechModel, rss: tuple[float, float], results: Sequence[RunResult]) -> None:
    before, after = rss
    print(f"\n| measure | value |\n|---|---|\n| model load | {model.load_seconds or 0:.2f} s |")
    print(f"| service RSS before / after the model | {before:.0f} / {after:.0f} MB |")
    print(f"| recognizer threads (RECOGNIZER_THREADS) | {RECOGNIZER_THREADS} |\n")
    print("| interval | channel | end silence, s | p50, ms | p95, ms | max, ms |")
    print("|---|---|---:|---:|---:|---:|")
    for result in results:
        print("\n".join(latency_rows(result)))
    print()
    print(
        "| channel | end silence, s | answers | heard right | otherwise | "
        "listenings at once, median / max | frame late at most, ms |"
    )
    print("|---|---:|---:|---:|---|---:|---:|")
    for result in results:
        print(outcome_row(result))
    print()
    print(
        "| channel | end silence, s | run, s | audio received, s | service CPU, s | "
        "recognizers CPU, s | service CPU per s of audio | recognizers CPU per s of audio | "
        "service RSS peak, MB | Asterisk CPU, s | other processes CPU, s | load average |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for result in results:
        print(resource_row(result))
