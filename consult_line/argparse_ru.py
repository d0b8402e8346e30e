"""argparse in Russian: its help headings and error messages, an error on one line.

argparse builds every text it shows with ``gettext`` through its module-level ``_`` and
``ngettext``. While a ``RussianArgumentParser`` is built, parses or formats help, those two
names point at the Russian catalogue below and are put back afterwards, so other users of
argparse in the same process are unaffected. A message missing from the catalogue (a newer
Python may add one) is shown as argparse wrote it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

# argparse's own messages (Python 3.11), those a user can see.
MESSAGES: dict[str, str] = {
    "usage: ": "использование: ",
    "positional arguments": "позиционные аргументы",
    "options": "параметры",
    "optional arguments": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "unrecognized arguments: %s": "лишние аргументы: %s",
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "one of the arguments %s is required": "нужен один из аргументов: %s",
    "not allowed with argument %s": "нельзя указывать вместе с %s",
    "ignored explicit argument %r": "значение %r здесь не предусмотрено",
    "expected one argument": "нужно значение",
    "expected at most one argument": "допускается не больше одного значения",
    "expected at least one argument": "нужно хотя бы одно значение",
    "ambiguous option: %(option)s could match %(matches)s": (
        "неоднозначный параметр %(option)s: подходят %(matches)s"
    ),
    "unexpected option string: %s": "неожиданный параметр: %s",
    "invalid %(type)s value: %(value)r": "недопустимое значение %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "недопустимое значение %(value)r, возможные: %(choices)s"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "неизвестная команда %(parser_name)r, возможные: %(choices)s"
    ),
    "can't open '%(filename)s': %(error)s": "не удалось открыть «%(filename)s»: %(error)s",
}
# ngettext messages by their singular form; the count is written as a number after a colon,
# which reads correctly in Russian for any count.
PLURAL_MESSAGES: dict[str, str] = {
    "expected %s argument": "нужно значений: %s",
}


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    if singular in PLURAL_MESSAGES:
        return PLURAL_MESSAGES[singular]
    return singular if count == 1 else plural


@contextmanager
def russian_messages() -> Iterator[None]:
    """argparse speaks Russian inside the block (re-entrant; not for concurrent threads)."""
    names = vars(argparse)
    saved = names["_"], names["ngettext"]
    names["_"], names["ngettext"] = translate, translate_plural
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved


class RussianArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose texts are Russian; a usage error is one line and exit code 2.

    Sub-commands added with ``add_subparsers`` are of the same class.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with russian_messages():
            super().__init__(*args, **kwargs)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        with russian_messages():  # "unrecognized arguments" is reported here
            return super().parse_args(args, namespace)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with russian_messages():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with russian_messages():
            return super().format_usage()

    def format_help(self) -> str:
        with russian_messages():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block: what is wrong and where to look."""
        self.exit(2, f"{self.prog}: {message} (справка: {self.prog} --help)\n")
