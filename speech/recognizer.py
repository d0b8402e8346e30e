"""One call's recognition on the shared model: audio in, what the caller said out.

Two kinds, both fed telephony audio (8 kHz, signed 16-bit little-endian, mono; Asterisk's
``slin``) and finished when the listener decides the caller has stopped:

* :func:`grammar_recognition` — the caller answers from a list of phrases (a menu, yes / no,
  the survey). The recognizer may only hear those phrases (plus the model's unknown word);
  what it is unsure of comes back as ``text=""`` and the caller is asked again.
* :func:`free_recognition` — the caller's own words (their question), as text.

Confidence: vosk gives each word a confidence from 0 to 1 (its posterior in the decoding
lattice, ``SetWords(True)``); an utterance's confidence is its *weakest* word's, because one
doubtful word is enough to doubt the answer. None when nothing was heard.

A :class:`Recognition` belongs to one call and one thread at a time; ``feed`` and ``finish``
block for the decoding (run them in a worker thread). The model is shared by all calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from speech.listening import Heard, Word
from speech.model import UNKNOWN_WORD_SPELLINGS, LoadedModel
from speech.phrases import spoken_words

SAMPLE_RATE_HZ = 8000
BYTES_PER_SAMPLE = 2
# What recognizers put for speech outside their vocabulary, in any model we may be given.
UNKNOWN_WORDS = frozenset({*UNKNOWN_WORD_SPELLINGS, "<unk>"})


class RecognizerError(RuntimeError):
    """vosk failed on the audio (a damaged model shows this way): the caller keeps to the
    keypad, the administrator reads the reason in the log."""


class RecognitionClosedError(RuntimeError):
    """Audio fed after :meth:`Recognition.finish`."""


class UnknownWordsError(ValueError):
    """A phrase of the list has words the model does not know: it could never be heard."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(words)
        super().__init__(
            f"в словаре модели распознавания нет слов: {', '.join(self.words)}; "
            "ответы с ними голосом не распознать"
        )


Verdict = Callable[[tuple[Word, ...]], Heard]


class Recognition:
    """One call's recognizer: :meth:`feed` audio as it comes, then :meth:`finish` once."""

    def __init__(self, recognizer: Any, verdict: Verdict) -> None:
        self._recognizer = recognizer
        self._verdict = verdict
        self._words: list[Word] = []
        self._carry = b""  # half a sample left by a chunk of odd length
        self._result: Heard | None = None

    def feed(self, pcm: bytes) -> None:
        """Decodes ``pcm`` (any length; a sample split across two chunks is joined)."""
        if self._result is not None:
            raise RecognitionClosedError("распознавание уже завершено")
        data = self._carry + bytes(pcm)
        whole = len(data) - len(data) % BYTES_PER_SAMPLE
        self._carry = data[whole:]
        if whole and self._call(self._recognizer.AcceptWaveform, data[:whole]):
            # vosk closed an utterance on its own (a pause): keep its words, go on.
            self._words.extend(words_of(self._call(self._recognizer.Result)))

    def finish(self) -> Heard:
        """What was said in all the audio fed; the same result if called again."""
        if self._result is None:
            self._words.extend(words_of(self._call(self._recognizer.FinalResult)))
            self._result = self._verdict(tuple(self._words))
            self._recognizer = None  # the decoder's memory goes with it
        return self._result

    @staticmethod
    def _call(method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except Exception as exc:  # vosk raises a bare Exception
            raise RecognizerError(f"vosk: {exc}") from exc


def grammar_recognition(
    model: LoadedModel, phrases: Sequence[str], *, min_confidence: float
) -> Recognition:
    """Recognizes one of ``phrases``; :func:`speech.phrases.match_phrase` maps the text back.

    The text is "" when the recognizer heard the model's unknown word or its confidence is
    under ``min_confidence``. A model with a static graph cannot take a list: it decodes free
    speech, and the text then rarely matches a phrase (the model's status says so).
    Raises :class:`UnknownWordsError` for a phrase the model could never hear.
    """
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be within 0..1, got {min_confidence}")
    grammar = grammar_json(phrases, model.knows, model.unknown_word)
    recognizer = _vosk_recognizer(model, grammar if model.runtime_grammar else None)
    return Recognition(recognizer, lambda words: grammar_verdict(words, min_confidence))


def free_recognition(model: LoadedModel) -> Recognition:
    """Recognizes free speech (the caller's question): everything heard, unknown words left
    out of the text. Much slower than a grammar (see bench/bench_recognizer.py)."""
    return Recognition(_vosk_recognizer(model, None), free_verdict)


def _vosk_recognizer(model: LoadedModel, grammar: str | None) -> Any:
    import vosk  # loaded already by the model

    try:
        if grammar is None:
            recognizer = vosk.KaldiRecognizer(model.vosk_model, SAMPLE_RATE_HZ)
        else:
            recognizer = vosk.KaldiRecognizer(model.vosk_model, SAMPLE_RATE_HZ, grammar)
    except Exception as exc:  # vosk raises a bare Exception
        raise RecognizerError(f"vosk: {exc}") from exc
    recognizer.SetWords(True)
    return recognizer


def grammar_json(
    phrases: Sequence[str], knows: Callable[[str], bool], unknown_word: str | None
) -> str:
    """The grammar vosk takes: a JSON list of the phrases in the model's spelling, plus the
    model's unknown word when it has one (so that other speech has somewhere to go).

    A word is used as the phrase spells it, lower case, or with ``ё`` written ``е`` when
    only that spelling is in the vocabulary. Raises :class:`UnknownWordsError` for words
    the model knows in neither spelling, ValueError when no phrase has a word.
    """
    entries: list[str] = []
    unknown: list[str] = []
    for phrase in phrases:
        words = []
        for word in spoken_words(phrase):
            spelling = next((s for s in (word, word.replace("ё", "е")) if knows(s)), None)
            if spelling is None:
                unknown.append(word)
            words.append(spelling or word)
        entry = " ".join(words)
        if entry and entry not in entries:
            entries.append(entry)
    if unknown:
        raise UnknownWordsError(list(dict.fromkeys(unknown)))
    if not entries:
        raise ValueError("a grammar needs at least one phrase with a word")
    if unknown_word is not None:
        entries.append(unknown_word)
    return json.dumps(entries, ensure_ascii=False)


def words_of(result: str) -> tuple[Word, ...]:
    """The words of one vosk result (JSON with ``SetWords(True)``); () for an empty one."""
    try:
        parsed = json.loads(result)
    except json.JSONDecodeError as exc:
        raise RecognizerError(f"vosk вернул не JSON: {result[:80]!r}") from exc
    items = parsed.get("result", []) if isinstance(parsed, dict) else []
    try:
        return tuple(
            Word(
                text=str(item["word"]),
                confidence=float(item["conf"]),
                start_s=float(item["start"]),
                end_s=float(item["end"]),
            )
            for item in items
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RecognizerError(f"vosk вернул слово без полей: {exc!r}") from exc


def weakest(words: Sequence[Word]) -> float | None:
    """An utterance's confidence: its least confident word's; None without words."""
    return min((w.confidence for w in words if w.confidence is not None), default=None)


def grammar_verdict(words: tuple[Word, ...], min_confidence: float) -> Heard:
    """A list answer: its words, or "" when one is unknown or the answer is too doubtful."""
    confidence = weakest(words)
    doubtful = confidence is None or confidence < min_confidence
    if doubtful or any(word.text in UNKNOWN_WORDS for word in words):
        return Heard(text="", confidence=confidence, words=words)
    return Heard(text=" ".join(w.text for w in words), confidence=confidence, words=words)


def free_verdict(words: tuple[Word, ...]) -> Heard:
    """Free speech: the known words as text; nothing is rejected (the text is shown as heard)."""
    text = " ".join(word.text for word in words if word.text not in UNKNOWN_WORDS)
    return Heard(text=text, confidence=weakest(words), words=words)
