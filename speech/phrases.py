"""What a caller may say, as words: the spelling a grammar is built from and the text a
recognizer returned, mapped back to one of the allowed phrases. Pure functions, no model."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Anything that is not a letter or a digit separates words: recognizers return bare words,
# prompts and menus may carry punctuation («Да!», «частично-удовлетворён»).
_SEPARATORS = re.compile(r"[\W_]+")


def spoken_words(phrase: str) -> list[str]:
    """The phrase as a recognizer spells it: lower case, words without punctuation. ``ё``
    stays ``ё`` here (a model's vocabulary may spell it either way)."""
    return _SEPARATORS.sub(" ", phrase.lower()).split()


def normalise(text: str) -> str:
    """For comparing: lower case, single spaces, no punctuation, ``ё`` read as ``е``."""
    return " ".join(spoken_words(text)).replace("ё", "е")


def match_phrase(text: str, phrases: Sequence[str]) -> str | None:
    """The allowed phrase the caller said, as given in ``phrases``; None when the text is
    empty, is some other phrase, or mixes phrases («да нет»).

    Case and ``ё``/``е`` do not matter. A phrase said more than once in a row («да да»)
    counts as that phrase. Phrases equal after normalising: the first one wins.
    """
    said = normalise(text).split()
    if not said:
        return None
    for phrase in phrases:
        words = normalise(phrase).split()
        if words and len(said) % len(words) == 0 and said == words * (len(said) // len(words)):
            return phrase
    return None
