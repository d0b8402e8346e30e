"""W5: obscenity, insults and threats in a written message, found for a person to review.

A message found here is only suspected: a person confirms it before the notice that such
conduct is unacceptable goes out, so the check leans towards the likely cases and keeps the
reviewer's queue short. It reads the words as written and also as the writer disguised them:
Latin or digit look-alikes inside a Russian word («идиoт», «д0лб»), letters spaced out
(«д.е.б.и.л», «х у й»), hidden by asterisks («х*й», «бл**ь»), drawn out («дууурак»), ё for е.

What it leaves alone: a word that only contains a root's letters («застрахуйте», «себе»,
«употреблять»); an insult or threat a citizen reports («сосед назвал меня идиотом», «кричал,
что убью»); a word that names an animal or a thing unless it is said to someone («козлы для
пилки» but «вы козлы»). Obscenity is flagged even when quoted: the message carries it.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import snowballstemmer

from models.rules import abuse_lexicon as lexicon


class AbuseCategory(StrEnum):
    OBSCENITY = "obscenity"
    INSULT = "insult"
    THREAT = "threat"


@dataclass(frozen=True)
class AbusiveWord:
    text: str  # as written in the message
    category: AbuseCategory


@dataclass(frozen=True)
class AbuseFinding:
    words: tuple[AbusiveWord, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.words)

    @property
    def categories(self) -> frozenset[AbuseCategory]:
        return frozenset(word.category for word in self.words)

    def listed(self, limit: int = 255) -> str:
        """The words for the message's record, cut to `limit` characters at a word boundary."""
        listed = ""
        for word in self.words:
            longer = f"{listed}, {word.text}" if listed else word.text
            if len(longer) > limit:
                break
            listed = longer
        return listed


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    forms: tuple[str, ...]  # the word read plainly, then without drawn-out letters
    masked: bool  # letters hidden by asterisks


_WORD = re.compile(r"[\w@*]+")
# Three or more single letters apart: «д.е.б.и.л», «х у й», «д-у-р-а-к».
_SPACED = re.compile(r"(?<![\w@*])[\w@](?:[ \t.\-_*]{1,3}[\w@](?![\w@*])){2,}")
_SEPARATORS = re.compile(r"[ \t.\-_*]")
_CYRILLIC = re.compile(r"[а-яё]")
_DRAWN_OUT = re.compile(r"(\w)\1+")
_LOOK_ALIKES = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "k": "к",
        "m": "м",
        "n": "п",
        "o": "о",
        "p": "р",
        "r": "г",
        "t": "т",
        "u": "и",
        "x": "х",
        "y": "у",
        "0": "о",
        "3": "з",
        "4": "ч",
        "6": "б",
        "@": "а",
        "ё": "е",
    }
)
_VOWELS = frozenset("аеиоуыэюя")
_MAX_PREFIXES = 2
_REPORT_REACH = 6  # words back from an insult or threat to a «назвал», «кричал»
_ADDRESS_REACH = 3  # words either side of a weak insult to a «вы», «ваши чиновники»
_OBJECT_REACH = 3  # words either side of «прибью» to a «вас», «ваш офис»

_RU = snowballstemmer.stemmer("russian")
_ROOTS = tuple(re.compile(root) for root in lexicon.OBSCENE_ROOTS)
_WHOLE_WORDS = tuple(re.compile(word) for word in lexicon.OBSCENE_WORDS)
_THREAT_PHRASES = tuple(re.compile(rf"\b{phrase}\b") for phrase in lexicon.THREAT_PHRASES)


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    return str(_RU.stemWord(word))


_STRONG_STEMS = frozenset(_stem(word) for word in lexicon.STRONG_INSULTS)
_WEAK_STEMS = frozenset(_stem(word) for word in lexicon.WEAK_INSULTS)
_THREAT_VERBS = frozenset(lexicon.THREAT_VERBS)
_THREAT_VERBS_WITH_OBJECT = frozenset(lexicon.THREAT_VERBS_WITH_OBJECT)


def find_abuse(text: str) -> AbuseFinding:
    tokens = _tokens(text)
    found: list[tuple[int, AbusiveWord]] = []
    for index, token in enumerate(tokens):
        category = _category(tokens, index)
        if category is not None:
            found.append((token.start, AbusiveWord(text[token.start : token.end], category)))
    for start, end in _threat_phrases(tokens):
        found.append((start, AbusiveWord(text[start:end], AbuseCategory.THREAT)))
    return AbuseFinding(_unique(word for _, word in sorted(found, key=lambda item: item[0])))


def _tokens(text: str) -> list[_Token]:
    lowered = text.lower()
    tokens = [
        _token(match.start(), match.end(), match.group()) for match in _WORD.finditer(lowered)
    ]
    for match in _SPACED.finditer(lowered):
        joined = _SEPARATORS.sub("", match.group())
        tokens.append(_token(match.start(), match.end(), joined))
    tokens.sort(key=lambda token: (token.start, -token.end))
    return tokens


def _token(start: int, end: int, word: str) -> _Token:
    if _CYRILLIC.search(word):
        word = word.translate(_LOOK_ALIKES)
    drawn_in = _DRAWN_OUT.sub(r"\1", word)
    forms = (word,) if drawn_in == word else (word, drawn_in)
    return _Token(start, end, forms, masked="*" in word)


def _category(tokens: Sequence[_Token], index: int) -> AbuseCategory | None:
    token = tokens[index]
    if token.masked:
        return AbuseCategory.OBSCENITY if _masks_obscenity(token.forms[0]) else None
    if any(_is_obscene(form) for form in token.forms):
        return AbuseCategory.OBSCENITY
    if _reported(tokens, index):
        return None
    if any(_is_insult(tokens, index, form) for form in token.forms):
        return AbuseCategory.INSULT
    if any(_is_threat(tokens, index, form) for form in token.forms):
        return AbuseCategory.THREAT
    return None


def _is_obscene(word: str) -> bool:
    return _obscene_after_prefixes(word, _MAX_PREFIXES) or any(
        pattern.fullmatch(word) for pattern in _WHOLE_WORDS
    )


def _obscene_after_prefixes(word: str, prefixes_left: int) -> bool:
    if any(root.match(word) for root in _ROOTS):
        return True
    if prefixes_left == 0:
        return False
    for prefix in lexicon.OBSCENE_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix):
            rest = word[len(prefix) :]
            if rest[0] in "ъь":
                rest = rest[1:]
            elif rest[0] in _VOWELS and prefix[-1] not in _VOWELS:
                continue  # «себе» is not «с-» and a root: a consonant prefix takes «ъ»
            if rest and _obscene_after_prefixes(rest, prefixes_left - 1):
                return True
    return False


def _masks_obscenity(word: str) -> bool:
    word = word.lstrip("*")  # «**в среднем**» is bold, not a mask
    letters = _CYRILLIC.findall(word)
    if len(letters) < 2 and not (letters and word[0] in lexicon.MASKED_INITIALS):
        return False
    parts = [re.escape(part) for part in re.split(r"\*+", word)]
    stars = [len(run) for run in re.findall(r"\*+", word)]
    pattern = parts[0]
    for run, part in zip(stars, parts[1:], strict=True):
        pattern += rf"[а-я]{{1,{run + 2}}}{part}"
    masked = re.compile(pattern)
    return any(masked.fullmatch(form) for form in lexicon.OBSCENE_FORMS)


def _is_insult(tokens: Sequence[_Token], index: int, word: str) -> bool:
    if word.startswith(lexicon.NOT_INSULTS):
        return False
    stem = _stem(word)
    if stem in _STRONG_STEMS:
        return True
    return stem in _WEAK_STEMS and _addressed(tokens, index)


def _is_threat(tokens: Sequence[_Token], index: int, word: str) -> bool:
    if word in _THREAT_VERBS:
        return True
    if word not in _THREAT_VERBS_WITH_OBJECT:
        return False
    return any(form in lexicon.THREAT_OBJECTS for form in _near_forms(tokens, index, _OBJECT_REACH))


def _addressed(tokens: Sequence[_Token], index: int) -> bool:
    for form in _near_forms(tokens, index, _ADDRESS_REACH):
        if form in lexicon.ADDRESS_WORDS or form.startswith(lexicon.ADDRESS_STEMS):
            return True
    return False


def _reported(tokens: Sequence[_Token], index: int) -> bool:
    before = tokens[max(0, index - _REPORT_REACH) : index]
    return any(token.forms[0].startswith(lexicon.REPORTING_STEMS) for token in before)


def _near_forms(tokens: Sequence[_Token], index: int, reach: int) -> Iterator[str]:
    for near in tokens[max(0, index - reach) : index + reach + 1]:
        if near is not tokens[index]:
            yield near.forms[0]


def _threat_phrases(tokens: Sequence[_Token]) -> Iterator[tuple[int, int]]:
    """Spans of the set threat phrases, on the plain words joined by single spaces."""
    plain: list[_Token] = []
    for token in tokens:
        if not token.masked and (not plain or token.start >= plain[-1].end):
            plain.append(token)  # a spaced-out word once, not its letters again
    joined = ""
    starts: list[int] = []
    for token in plain:
        starts.append(len(joined))
        joined += token.forms[0] + " "
    for phrase in _THREAT_PHRASES:
        for match in phrase.finditer(joined):
            first = _token_at(starts, match.start())
            last = _token_at(starts, match.end() - 1)
            if not _reported(plain, first):
                yield plain[first].start, plain[last].end


def _token_at(starts: Sequence[int], offset: int) -> int:
    index = 0
    for position, start in enumerate(starts):
        if start > offset:
            break
        index = position
    return index


def _unique(words: Iterator[AbusiveWord]) -> tuple[AbusiveWord, ...]:
    seen: set[tuple[str, AbuseCategory]] = set()
    unique: list[AbusiveWord] = []
    for word in words:
        key = (word.text.lower(), word.category)
        if key not in seen:
            seen.add(key)
            unique.append(word)
    return tuple(unique)
