"""Recognition on the test model with synthesized speech: answers from a list, free speech,
silence; and the rules that turn vosk's words into an answer (unknown words, low confidence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speech.listening import Heard, Word
from speech.model import LoadedModel
from speech.phrases import match_phrase
from speech.recognizer import (
    SAMPLE_RATE_HZ,
    Recognition,
    RecognitionClosedError,
    RecognizerError,
    UnknownWordsError,
    free_recognition,
    free_verdict,
    grammar_json,
    grammar_recognition,
    grammar_verdict,
    words_of,
)
from tests.speech.korean_model import (
    ANSWERS,
    NO,
    QUESTION,
    YES,
    YES_NO,
    korean_model,
    read_pcm,
    silence,
)

FRAME = 320  # 20 ms of slin, as AudioSocket sends it
MIN_CONFIDENCE = 0.7


@pytest.fixture
def model() -> LoadedModel:
    return korean_model()


def _fed(pcm: bytes, chunk: int, recognition: Recognition) -> Heard:
    for start in range(0, len(pcm), chunk):
        recognition.feed(pcm[start : start + chunk])
    return recognition.finish()


def _times(word: Word) -> tuple[float, float]:
    """A recognized word's start and end (vosk gives both for every word)."""
    assert word.start_s is not None
    assert word.end_s is not None
    return word.start_s, word.end_s


def _word(word: str, conf: float = 1.0, start: float = 0.0, end: float = 0.5) -> Word:
    return Word(text=word, confidence=conf, start_s=start, end_s=end)


def test_recordings_cover_both_answers_in_several_voices() -> None:
    assert [word for _path, word in ANSWERS].count(YES) == 3
    assert [word for _path, word in ANSWERS].count(NO) == 3


@pytest.mark.parametrize(("recording", "said"), ANSWERS, ids=[p.name for p, _ in ANSWERS])
def test_yes_or_no_is_recognized_from_a_two_phrase_list(
    model: LoadedModel, recording: Path, said: str
) -> None:
    recognition = grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE)
    heard = _fed(read_pcm(recording), FRAME, recognition)
    assert heard.text == said
    assert heard.confidence is not None
    assert heard.confidence >= MIN_CONFIDENCE
    assert [word.text for word in heard.words] == [said]
    assert match_phrase(heard.text, YES_NO) == said


def test_audio_split_mid_sample_is_recognized_the_same(model: LoadedModel) -> None:
    # Chunks of odd length: the half sample is kept for the next chunk, never dropped.
    pcm = read_pcm(ANSWERS[-1][0])
    whole = _fed(pcm, FRAME, grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE))
    odd = _fed(pcm, 333, grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE))
    assert odd == whole


def test_silence_is_no_answer(model: LoadedModel) -> None:
    recognition = grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE)
    heard = _fed(silence(3.0), FRAME, recognition)
    assert heard == Heard(text="", confidence=None, words=())
    assert match_phrase(heard.text, YES_NO) is None


def test_no_audio_at_all_is_no_answer(model: LoadedModel) -> None:
    recognition = grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE)
    recognition.feed(b"")
    assert recognition.finish() == Heard(text="", confidence=None, words=())


def test_two_answers_after_a_pause_are_both_heard_and_match_no_phrase(
    model: LoadedModel,
) -> None:
    # vosk closes the first utterance itself during the pause; its word is kept.
    yes, no = read_pcm(ANSWERS[0][0]), read_pcm(ANSWERS[-1][0])
    recognition = grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE)
    heard = _fed(yes + silence(2.0) + no, FRAME, recognition)
    assert [word.text for word in heard.words] == [ANSWERS[0][1], ANSWERS[-1][1]]
    (_, first_end), (second_start, second_end) = (_times(word) for word in heard.words)
    assert first_end <= second_start  # times count from the start of the recognition
    assert second_end <= (len(yes) + len(no)) / 2 / SAMPLE_RATE_HZ + 2.0
    assert match_phrase(heard.text, YES_NO) is None  # the caller is asked again


def test_free_speech_gives_text_with_word_times(model: LoadedModel) -> None:
    pcm = read_pcm(QUESTION)
    heard = _fed(pcm, FRAME, free_recognition(model))
    assert heard.text.strip()
    assert heard.words
    assert heard.confidence == min(word.confidence or 0.0 for word in heard.words)
    duration = len(pcm) / 2 / SAMPLE_RATE_HZ
    assert all(0 <= start <= end <= duration for start, end in map(_times, heard.words))


def test_free_speech_of_silence_is_empty(model: LoadedModel) -> None:
    assert _fed(silence(2.0), FRAME, free_recognition(model)).text == ""


def test_finish_twice_gives_the_same_result_and_feeding_after_is_refused(
    model: LoadedModel,
) -> None:
    recognition = grammar_recognition(model, YES_NO, min_confidence=MIN_CONFIDENCE)
    recognition.feed(read_pcm(ANSWERS[0][0]))
    first = recognition.finish()
    assert recognition.finish() is first
    with pytest.raises(RecognitionClosedError):
        recognition.feed(silence(0.02))


def test_a_phrase_the_model_cannot_know_is_refused_before_the_call(model: LoadedModel) -> None:
    with pytest.raises(UnknownWordsError) as refused:
        grammar_recognition(model, (YES, "zzzq"), min_confidence=MIN_CONFIDENCE)
    assert refused.value.words == ("zzzq",)
    assert "zzzq" in str(refused.value)


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_min_confidence_outside_zero_to_one_is_refused(model: LoadedModel, bad: float) -> None:
    with pytest.raises(ValueError, match="min_confidence"):
        grammar_recognition(model, YES_NO, min_confidence=bad)


def test_the_grammar_of_the_test_model_ends_with_its_unknown_word(model: LoadedModel) -> None:
    assert json.loads(grammar_json(YES_NO, model.knows, model.unknown_word)) == [YES, NO, "<UNK>"]


# Grammars: a vocabulary stands for the model (its word lookup).
RU = frozenset({"да", "нет", "удовлетворен", "не", "частично", "[unk]"})


@pytest.mark.parametrize(
    ("phrases", "unknown_word", "expected"),
    [
        (("да", "нет"), "[unk]", ["да", "нет", "[unk]"]),
        (("да", "нет"), None, ["да", "нет"]),  # a model without an unknown word
        (("Да!", "да", " нет "), None, ["да", "нет"]),  # spelled as the model, once each
        # C15: the model spells «удовлетворен», the prompt «удовлетворён»
        (
            ("удовлетворён", "частично удовлетворён", "не удовлетворён"),
            "[unk]",
            ["удовлетворен", "частично удовлетворен", "не удовлетворен", "[unk]"],
        ),
    ],
)
def test_grammar_json(
    phrases: tuple[str, ...], unknown_word: str | None, expected: list[str]
) -> None:
    assert json.loads(grammar_json(phrases, RU.__contains__, unknown_word)) == expected


def test_grammar_keeps_yo_when_the_model_spells_it_so() -> None:
    vocabulary = {"удовлетворён"}
    assert json.loads(grammar_json(("удовлетворён",), vocabulary.__contains__, None)) == [
        "удовлетворён"
    ]


def test_grammar_with_words_the_model_lacks_names_each_once() -> None:
    with pytest.raises(UnknownWordsError) as refused:
        grammar_json(("да", "ага", "ага ага", "угу"), RU.__contains__, "[unk]")
    assert refused.value.words == ("ага", "угу")


@pytest.mark.parametrize("phrases", [(), ("",), ("!", "?")])
def test_grammar_without_a_word_is_refused(phrases: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="at least one phrase"):
        grammar_json(phrases, RU.__contains__, "[unk]")


@pytest.mark.parametrize(
    ("words", "text", "confidence"),
    [
        ((_word("да"),), "да", 1.0),
        ((_word("да", 0.7),), "да", 0.7),  # at the threshold: taken
        ((_word("да", 0.69),), "", 0.69),  # under it: asked again
        ((_word("частично", 0.95), _word("удовлетворен", 0.5)), "", 0.5),  # the weakest word
        ((_word("[unk]"),), "", 1.0),
        ((_word("да"), _word("<UNK>")), "", 1.0),
        ((_word("<unk>"),), "", 1.0),
        ((), "", None),
    ],
)
def test_grammar_verdict(words: tuple[Word, ...], text: str, confidence: float | None) -> None:
    assert grammar_verdict(words, 0.7) == Heard(text=text, confidence=confidence, words=words)


def test_free_verdict_leaves_unknown_words_out_of_the_text() -> None:
    words = (_word("у", 0.9), _word("[unk]", 0.4), _word("меня", 0.8), _word("вопрос"))
    assert free_verdict(words) == Heard(text="у меня вопрос", confidence=0.4, words=words)


def test_free_verdict_accepts_doubtful_words() -> None:
    words = (_word("налог", 0.2),)
    assert free_verdict(words).text == "налог"


def test_words_of_a_vosk_result() -> None:
    result = '{"result": [{"conf": 0.5, "end": 1.2, "start": 0.3, "word": "да"}], "text": "да"}'
    assert words_of(result) == (Word(text="да", confidence=0.5, start_s=0.3, end_s=1.2),)
    assert words_of('{"text": ""}') == ()


@pytest.mark.parametrize(
    "result", ["not json", '{"result": [{"word": "да"}]}', '{"result": [{"conf": "x"}]}']
)
def test_a_garbled_vosk_result_is_a_recognizer_error(result: str) -> None:
    with pytest.raises(RecognizerError, match="vosk"):
        words_of(result)
