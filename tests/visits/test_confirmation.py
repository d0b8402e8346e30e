"""The confirmation a visitor is told or sent (V5, V6, V11, V12)."""

from __future__ import annotations

from datetime import UTC, datetime

from models.tables import Interpreter, Language, ReceptionPoint, VisitBooking, VisitChannel
from tests.visits.samples import MSK
from visits.confirmation import confirmation_text

POINT = ReceptionPoint(
    id=1,
    code="ministry",
    name_ru="Министерство промышленности и торговли Республики Дагестан",
    name_en="Ministry of Industry and Trade of the Republic of Dagestan",
    address_ru="г. Махачкала, ул. Примерная, 1",
    address_en="Makhachkala, Primernaya St., 1",
    room_ru="кабинет 101",
    room_en="room 101",
    directions_ru="Остановка «Площадь», вход с пандусом.",
    directions_en="Bus stop “Ploshchad”, ramp at the entrance.",
    updated_at=datetime(2026, 11, 20, tzinfo=UTC),
)


def booking(**change: object) -> VisitBooking:
    values: dict[str, object] = {
        "id": 17,
        "employee_id": 1,
        "point_id": 1,
        "starts_at": datetime(2026, 12, 8, 7, 30, tzinfo=UTC),  # 10:30 in Moscow
        "ends_at": datetime(2026, 12, 8, 8, 0, tzinfo=UTC),
        "phone_e164": "+79123456789",
        "channel": VisitChannel.WEB,
        "booked_at": datetime(2026, 12, 1, tzinfo=UTC),
    }
    return VisitBooking.model_validate(values | change)


def text(row: VisitBooking, link: str | None = "https://l.example/public/visits/cancel/t") -> str:
    return confirmation_text(
        booking=row, point=POINT, employee_name="Исмаилов Арсен Камилович", cancel_link=link, tz=MSK
    )


def test_russian_confirmation_says_when_whom_where_how_and_how_to_cancel() -> None:  # V5, V6
    said = text(booking())
    for part in (
        "8 декабря 2026 г. (вторник), 10:30–11:00",
        "Исмаилов Арсен Камилович",
        "г. Махачкала, ул. Примерная, 1, кабинет 101",
        "Как добраться: Остановка «Площадь», вход с пандусом.",
        "+7 (8722) 67-80-91",
        "https://l.example/public/visits/cancel/t",
        "Номер записи: 17",
    ):
        assert part in said
    assert "переводчик" not in said


def test_interpreter_request_is_repeated() -> None:  # V12
    assert "тифлосурдопереводчик" in text(booking(interpreter=Interpreter.TACTILE))
    english = text(booking(interpreter=Interpreter.SIGN_LANGUAGE, language=Language.EN))
    assert "sign-language interpreter" in english


def test_english_booking_gets_the_english_text() -> None:  # V11
    said = text(booking(language=Language.EN), link=None)
    assert "Tuesday, 8 December 2026, 10:30–11:00" in said
    assert "Makhachkala, Primernaya St., 1, room 101" in said
    assert "ramp at the entrance" in said
    assert "https://minpromdag.ru" in said
    assert "Министерство" not in said
