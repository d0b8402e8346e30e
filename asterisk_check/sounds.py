"""Sound files: where Asterisk looks for a name, and which files its SAY commands play.

Lookup (``main/file.c``, ``fileexists_core``): for ``digits/5`` on a ``ru`` channel Asterisk
tries ``ru/digits/5``, then ``digits/5``, then the default language ``en/digits/5`` (with
``languageprefix = no`` in asterisk.conf: ``digits/ru/5``, ``digits/5``, ``digits/en/5``), each
with the extension of any format it can play. So a missing Russian file is not silence but an
English word in a Russian sentence: for ``ru`` only the Russian location counts.

SAY DIGITS plays ``digits/0`` ... ``digits/9`` (``ast_get_digit_str``). SAY DATETIME with a
format (``ast_say_date_with_format_en``, which ``ru`` falls back to) plays, per letter: ``A``
``digits/day-<0..6>``, ``B`` ``digits/mon-<0..11>``, ``d`` the ordinal day (``digits/h-1`` ...
``digits/h-19``, ``digits/h-20``, ``digits/h-30``, ``digits/20`` + ``digits/h-N``, ...),
``k``/``H``/``I`` the hour (``digits/N``, ``digits/oh``), ``M`` the minutes (``digits/oclock``,
``digits/oh`` + ``digits/N``, or the number), ``p`` ``digits/a-m`` / ``digits/p-m``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

# File extensions of the formats Asterisk 22 can play (formats/*.c ".exts"), case-sensitive.
PLAYABLE_EXTENSIONS: Final = frozenset(
    {
        "wav", "WAV", "wav49", "wav16", "gsm", "ulaw", "ul", "mu", "ulw", "pcm", "alaw", "al",
        "alw", "sln", "slin", "raw", "sln12", "sln16", "sln24", "sln32", "sln44", "sln48",
        "sln96", "sln192", "g722", "g729", "g723", "g723sf", "g726-16", "g726-24", "g726-32",
        "g726-40", "g719", "ilbc", "ogg", "opus", "siren7", "siren14", "spx", "spx16", "spx32",
        "vox", "au",
    }
)  # fmt: skip
DEFAULT_LANGUAGE: Final = "en"


class SoundFolder:
    """Asterisk's sounds directory; each folder is listed once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._listings: dict[Path, frozenset[str]] = {}

    @property
    def exists(self) -> bool:
        return self.root.is_dir()

    def has(self, name: str) -> bool:
        """Whether ``<root>/<name>.<ext>`` exists for a playable extension."""
        path = self.root / name
        listing = self._listing(path.parent)
        return any(f"{path.name}.{ext}" in listing for ext in PLAYABLE_EXTENSIONS)

    def _listing(self, folder: Path) -> frozenset[str]:
        if folder not in self._listings:
            try:
                self._listings[folder] = frozenset(os.listdir(folder))
            except OSError:
                self._listings[folder] = frozenset()
        return self._listings[folder]


def with_language(name: str, language: str | None, *, language_prefix: bool) -> str:
    """The path ``fileexists_test`` tries for *name* in *language* (None: no language)."""
    if language is None:
        return name
    if language_prefix:
        return f"{language}/{name}"
    folder, _, base = name.rpartition("/")
    return f"{folder}/{language}/{base}" if folder else f"{language}/{base}"


def lookup_order(name: str, language: str, *, language_prefix: bool = True) -> tuple[str, ...]:
    """Every path Asterisk tries for *name* on a channel in *language*, in order."""
    tried = [with_language(name, language, language_prefix=language_prefix)]
    tried.append(name)
    if language != DEFAULT_LANGUAGE:
        tried.append(with_language(name, DEFAULT_LANGUAGE, language_prefix=language_prefix))
    return tuple(tried)


def say_digits_files() -> tuple[str, ...]:
    return tuple(f"digits/{d}" for d in range(10))


def say_format_files(fmt: str, *, hour: int, minute: int) -> tuple[str, ...]:
    """Files SAY DATETIME plays for *fmt* on any date at ``hour:minute``, in first-use order.

    Raises ValueError for a format letter this table does not know.
    """
    files: dict[str, None] = {}
    i = 0
    while i < len(fmt):
        letter = fmt[i]
        if letter == "'":
            end = fmt.find("'", i + 1)
            end = len(fmt) if end < 0 else end
            files[fmt[i + 1 : end]] = None
            i = end + 1
            continue
        for name in _letter_files(letter, hour, minute):
            files[name] = None
        i += 1
    return tuple(files)


def _letter_files(letter: str, hour: int, minute: int) -> Iterator[str]:
    if letter in "Aa":
        yield from (f"digits/day-{n}" for n in range(7))
    elif letter in "Bbh":
        yield from (f"digits/mon-{n}" for n in range(12))
    elif letter in "de":
        for day in range(1, 32):
            yield from _enumeration(day)
    elif letter in "Il":
        yield f"digits/{12 if hour == 0 else hour - 12 if hour > 12 else hour}"
    elif letter in "kH":
        if hour == 0 or (letter == "H" and hour < 10):
            yield "digits/oh"
        if hour > 20:
            yield "digits/20"
        if hour:
            yield f"digits/{hour - 20 if hour > 20 else hour}"
    elif letter in "MN":
        if minute == 0:
            yield "digits/oclock" if letter == "M" else "digits/hundred"
        elif minute < 10:
            yield from ("digits/oh", f"digits/{minute}")
        else:
            yield from _number(minute)
    elif letter in "Pp":
        yield "digits/p-m" if hour > 11 else "digits/a-m"
    elif letter != " ":
        raise ValueError(f"SAY DATETIME format letter {letter!r} is not in this table")


def _enumeration(number: int) -> Iterable[str]:
    """``ast_say_enumeration_full_en`` for 1..99."""
    if number < 20:
        return [f"digits/h-{number}"]
    tens, units = divmod(number, 10)
    if not units:
        return [f"digits/h-{tens * 10}"]
    return [f"digits/{tens * 10}", *_enumeration(units)]


def _number(number: int) -> Iterable[str]:
    """``ast_say_number_full_en`` / ``_ru`` (no gender option) for 1..99."""
    if number < 20:
        return [f"digits/{number}"]
    tens, units = divmod(number, 10)
    return [f"digits/{tens * 10}", *(_number(units) if units else [])]
