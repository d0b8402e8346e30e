"""Which files Asterisk's SAY commands play (main/say.c) and where it looks (main/file.c)."""

from __future__ import annotations

import pytest

from asterisk_check.sounds import lookup_order, say_format_files
from ivr.flows.menus import DATE_FORMATS, TIME_FORMATS

DAYS = [f"digits/day-{n}" for n in range(7)]
MONTHS = [f"digits/mon-{n}" for n in range(12)]
ORDINALS = [
    *(f"digits/h-{n}" for n in range(1, 20)),
    "digits/h-20",
    "digits/20",
    "digits/h-30",
    "digits/30",
]


def test_the_ivr_date_formats_need_weekdays_ordinals_and_months() -> None:
    # V11: "AdB" in Russian (понедельник, двенадцатое января), "ABd" in English.
    assert set(say_format_files("AdB", hour=9, minute=0)) == {*DAYS, *ORDINALS, *MONTHS}
    assert set(say_format_files("ABd", hour=9, minute=0)) == {*DAYS, *ORDINALS, *MONTHS}


@pytest.mark.parametrize(
    ("fmt", "hour", "minute", "files"),
    [
        ("kM", 9, 0, ("digits/9", "digits/oclock")),
        ("kM", 0, 5, ("digits/oh", "digits/oh", "digits/5")),
        ("kM", 21, 30, ("digits/20", "digits/1", "digits/30")),
        ("kM", 9, 45, ("digits/9", "digits/40", "digits/5")),
        ("IMp", 9, 0, ("digits/9", "digits/oclock", "digits/a-m")),
        ("IMp", 13, 15, ("digits/1", "digits/15", "digits/p-m")),
        ("IMp", 0, 0, ("digits/12", "digits/oclock", "digits/a-m")),
        ("'at' k", 8, 0, ("at", "digits/8")),
    ],
)
def test_times(fmt: str, hour: int, minute: int, files: tuple[str, ...]) -> None:
    assert say_format_files(fmt, hour=hour, minute=minute) == tuple(dict.fromkeys(files))


def test_every_format_the_ivr_uses_is_in_the_table() -> None:
    for fmt in (*DATE_FORMATS.values(), *TIME_FORMATS.values()):
        assert say_format_files(fmt, hour=9, minute=0)
    with pytest.raises(ValueError, match="'Y'"):
        say_format_files("ABdY", hour=9, minute=0)


def test_lookup_order_as_fileexists_core() -> None:
    assert lookup_order("digits/5", "ru") == ("ru/digits/5", "digits/5", "en/digits/5")
    assert lookup_order("digits/5", "en") == ("en/digits/5", "digits/5")
    assert lookup_order("digits/5", "ru", language_prefix=False) == (
        "digits/ru/5",
        "digits/5",
        "digits/en/5",
    )
