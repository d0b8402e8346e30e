"""Filling a script's placeholders (C5, C11, V11): names, dates and windows as spoken."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from call_card.script_text import (
    Slot,
    fill,
    placeholders,
    spoken_date,
    spoken_name,
    spoken_windows,
)
from models.tables import Language
from tests.call_card.samples import MSK, window

GREETING = (
    "«Меня зовут {operator_name}. Здравствуйте!»\nЕсли представился: «{caller_name}, слушаю Вас»."
)


def test_operator_and_caller_names_are_filled_in() -> None:
    # C5: personalised with the operator's name and the caller's, if known
    text = fill(GREETING, {Slot.OPERATOR_NAME: "Патимат", Slot.CALLER_NAME: "Магомед"}, Language.RU)
    assert text == "«Меня зовут Патимат. Здравствуйте!»\nЕсли представился: «Магомед, слушаю Вас»."


@pytest.mark.parametrize("caller", ["", "   "])
def test_without_a_caller_name_the_address_is_dropped_and_the_sentence_capitalised(
    caller: str,
) -> None:
    text = fill(
        "«{caller_name}, я могу Вам ещё чем-нибудь помочь?»",
        {Slot.CALLER_NAME: caller},
        Language.RU,
    )
    assert text == "«Я могу Вам ещё чем-нибудь помочь?»"


def test_unknown_values_are_shown_as_blanks_in_the_scripts_language() -> None:
    body = "{agency}; {department}; {promised_date}; {window}; {operator_name}"
    assert fill(body, {}, Language.RU) == (
        "[ведомство]; [отдел]; [дата ответа]; [время звонка]; [имя оператора]"
    )
    assert fill(body, {}, Language.EN) == (
        "[agency]; [department]; [answer date]; [call-back time]; [operator's name]"
    )


def test_a_caller_name_mid_sentence_becomes_a_blank_not_a_gap() -> None:
    assert fill("Спросите: {caller_name}?", {}, Language.RU) == "Спросите: [имя звонящего]?"


def test_values_are_inserted_literally_and_unknown_braces_are_left_alone() -> None:
    text = fill(
        "{caller_name}, {unknown} {agency}",
        {Slot.CALLER_NAME: "{agency} \\1 ${x}", Slot.AGENCY: "ФНС"},
        Language.RU,
    )
    assert text == "{agency} \\1 ${x}, {unknown} ФНС"


def test_placeholders_lists_every_braced_word() -> None:
    assert placeholders("{a} {operator_name} {b_c}") == {"a", "operator_name", "b_c"}


@pytest.mark.parametrize(
    ("full_name", "spoken"),
    [
        ("Магомедова Патимат Гасановна", "Патимат"),
        ("Алиев Руслан", "Руслан"),
        ("Патимат", "Патимат"),
        ("  Гаджиев   Али  ", "Али"),
        ("Абдул Гамид оглы Мамедов", "Абдул Гамид оглы Мамедов"),
    ],
)
def test_operator_introduces_themselves_by_the_given_name(full_name: str, spoken: str) -> None:
    assert spoken_name(full_name) == spoken


def test_dates_are_spoken_in_the_calls_language() -> None:
    assert spoken_date(date(2026, 12, 8), Language.RU) == "8 декабря 2026 г."
    assert spoken_date(date(2026, 12, 8), Language.EN) == "8 December 2026"


def test_windows_are_read_in_local_time_naming_a_day_other_than_the_promised_one() -> None:
    # C11: the read-back names the agreed windows
    windows = [window(9, 14, 16), window(8, 10, 12)]
    assert spoken_windows(windows, date(2026, 12, 8), MSK, Language.RU) == (
        "с 10:00 до 12:00 или 9 декабря с 14:00 до 16:00"
    )
    assert spoken_windows(windows, date(2026, 12, 8), MSK, Language.EN) == (
        "between 10:00 and 12:00 or on 9 December between 14:00 and 16:00 Moscow time"
    )


def test_windows_in_another_zone_are_read_in_that_zone() -> None:
    samara = ZoneInfo("Europe/Samara")  # an hour ahead of Moscow
    assert spoken_windows([window(8, 10, 12)], date(2026, 12, 8), samara, Language.EN) == (
        "between 11:00 and 13:00 local time"
    )
