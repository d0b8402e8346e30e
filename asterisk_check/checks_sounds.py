"""Sound files: every prompt in every language, and Asterisk's own digits and dates (V11).

Prompts are ``consult-line/<lang>/<id>`` (``ivr/prompts.py``, plus any the dialplan plays).
SAY DIGITS reads back the callback number; SAY DATETIME says the next working day and the
opening time in the formats of ``ivr/flows/menus.py``; the time is always the opening time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from asterisk_check.config_reader import ConfigFile
from asterisk_check.facts import Facts
from asterisk_check.results import Fix, Result, fail, ok, plural
from asterisk_check.setup import Directories, Loaded
from asterisk_check.sounds import (
    SoundFolder,
    lookup_order,
    say_digits_files,
    say_format_files,
    with_language,
)
from ivr.flows.menus import DATE_FORMATS, TIME_FORMATS
from ivr.prompts import PROMPT_DIR, PROMPTS, VOICE_PROMPTS
from models.tables import Language

GROUP: Final = "Звуки"
SHOWN: Final = 12  # missing names listed before "и ещё N"
_PLAYED: Final = re.compile(
    rf"{PROMPT_DIR}/(?P<lang>\$\{{CHANNEL\(language\)\}}|[a-z]{{2}})/(?P<id>[A-Za-z0-9_-]+)"
)


def check_sounds(
    sounds: SoundFolder, extensions: Loaded, facts: Facts, directories: Directories
) -> list[Result]:
    if not sounds.exists:
        return [
            fail(
                GROUP,
                f"каталог звуков {sounds.root} есть",
                "каталога нет: укажите каталог звуков Asterisk (astdatadir/sounds)",
                Fix("запустить проверку с ключом", ("--sounds <каталог звуков Asterisk>",)),
            )
        ]
    played = dialplan_prompts(extensions.config)
    # The prompts of spoken answers are needed only with speech on.
    skipped = VOICE_PROMPTS if facts.settings.speech_model_dir is None else frozenset()
    results = [_prompts(sounds, language, played, skipped) for language in Language]
    opening = facts.settings.opening_time
    for language in Language:
        names = [
            *say_digits_files(),
            *say_format_files(DATE_FORMATS[language], hour=opening.hour, minute=opening.minute),
            *say_format_files(TIME_FORMATS[language], hour=opening.hour, minute=opening.minute),
        ]
        results.append(_digits(sounds, language, list(dict.fromkeys(names)), directories))
    return results


def dialplan_prompts(config: ConfigFile | None) -> set[tuple[str | None, str]]:
    """(language or None for the channel's, id) of every prompt the dialplan plays."""
    if config is None:
        return set()
    found: set[tuple[str | None, str]] = set()
    for section in config.sections:
        for setting in section.settings:
            for match in _PLAYED.finditer(setting.value):
                language = None if match["lang"].startswith("$") else match["lang"]
                found.add((language, match["id"]))
    return found


def _prompts(
    sounds: SoundFolder,
    language: Language,
    played: set[tuple[str | None, str]],
    skipped: frozenset[str],
) -> Result:
    lang = language.value
    ids = sorted({*PROMPTS, *(i for where, i in played if where in {None, lang})} - skipped)
    missing = [
        i
        for i in ids
        if not any(sounds.has(n) for n in lookup_order(f"{PROMPT_DIR}/{lang}/{i}", lang))
    ]
    title = f"подсказки линии ({lang}): {PROMPT_DIR}/{lang}/<id>"
    if not missing:
        return ok(GROUP, title, f"{len(ids)} из {len(ids)}")
    return fail(
        GROUP,
        title,
        f"нет {len(missing)} из {len(ids)}: {_listed(missing)}",
        Fix(
            "сделать заглушки (espeak-ng и sox; студийные записи — по текстам ivr/prompts.py) "
            "и скопировать",
            ("make prompts", f"cp -r asterisk/sounds/{PROMPT_DIR} {sounds.root}/"),
        ),
    )


def _digits(
    sounds: SoundFolder, language: Language, names: list[str], directories: Directories
) -> Result:
    lang = language.value
    prefix = directories.language_prefix

    def found(name: str) -> bool:
        if language is Language.EN:
            return any(sounds.has(n) for n in lookup_order(name, lang, language_prefix=prefix))
        # Anywhere else Asterisk would find the English recording.
        return sounds.has(with_language(name, lang, language_prefix=prefix))

    missing = [n for n in names if not found(n)]
    title = f"звуки Asterisk для чисел и дат ({lang}): SAY DIGITS, SAY DATETIME"
    if not missing:
        return ok(GROUP, title, plural(len(names), "файл", "файла", "файлов"))
    consequence = "прозвучат по-английски или пропадут" if lang != "en" else "пропадут"
    folder = sounds.root / with_language("digits", lang, language_prefix=prefix)
    return fail(
        GROUP,
        title,
        f"нет {len(missing)} из {len(names)}: {_listed(missing)} — числа и даты {consequence}",
        Fix(
            f"установить звуки Asterisk core-sounds-{lang} (asterisk-core-sounds-{lang}-*) в",
            (f"{folder}/",),
        ),
    )


def _listed(names: Iterable[str]) -> str:
    names = list(names)
    shown = ", ".join(names[:SHOWN])
    return shown if len(names) <= SHOWN else f"{shown} и ещё {len(names) - SHOWN}"
