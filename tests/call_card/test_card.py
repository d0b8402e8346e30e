"""The call card (G3, C10, C11, C14, K7): one call as the operator sees it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine

from call_card.agencies import record_out_of_remit
from call_card.card import CallCard, call_card
from call_card.history import HistoryKind
from call_card.refusals import Refusal, RefusalKind
from call_card.spoken_question import KbMatch
from call_card.wrapups import WrapupState
from models.db import session_scope
from models.line_store import LineStore
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import CallbackStatus
from models.rules.transfers import TransferOutcome
from models.settings import Settings
from models.tables import CallTransfer, Language, TransferKind
from models.topics import Topic
from scripts_kb.search import SearchIndex
from scripts_kb.store import load_documents
from tests.call_card.samples import (
    CALLER,
    NOW,
    add_call,
    add_client,
    add_person,
    add_task,
    window,
)


def _card(
    engine: Engine,
    calendar: ProductionCalendar,
    linkedid: str,
    operator: int,
    *,
    kb_index: SearchIndex | None = None,
    **options: int,
) -> CallCard | Refusal:
    with session_scope(engine) as session:
        return call_card(
            session,
            linkedid=linkedid,
            operator_id=operator,
            calendar=calendar,
            now=NOW,
            kb_index=kb_index,
            **options,
        )


def _kb_index(engine: Engine) -> SearchIndex:
    with session_scope(engine) as session:
        return SearchIndex(load_documents(session))


def _transfer(engine: Engine, call_id: int, seq: int, to: int, outcome: TransferOutcome) -> None:
    with session_scope(engine) as session:
        session.add(
            CallTransfer(
                call_id=call_id,
                seq=seq,
                kind=TransferKind.ATTENDED,
                outcome=outcome,
                to_employee_id=to,
                to_extension="301",
                at=NOW - timedelta(minutes=2),
            )
        )


def test_card_of_a_call_in_progress(engine: Engine, calendar: ProductionCalendar) -> None:
    operator = add_person(engine, "201", "Алиева Патимат")
    expert = add_person(engine, "301", "Эксперт Лицензий")
    client = add_client(engine, CALLER, "Магомед Алиевич", Language.EN)
    earlier = add_call(
        engine, "earlier", operator_id=operator, ended=True, arrived_at=NOW - timedelta(days=2)
    )
    call_id = add_call(
        engine,
        "call-1",
        operator_id=operator,
        client_id=client,
        topic=Topic.MESSAGES,
        language=Language.EN,
    )
    _transfer(engine, call_id, 1, expert, TransferOutcome.COMPLETED)
    overdue = add_task(engine, promised_on=date(2026, 12, 2), windows=[window(2, 10, 12)])
    add_task(engine, phone="+79280000000", client_id=client, owner_id=operator)
    add_task(engine, phone="+79281111111", status=CallbackStatus.DONE, client_id=client)
    with session_scope(engine) as session:
        record_out_of_remit(
            session, linkedid="call-1", operator_id=operator, agency_id="agency-fns", now=NOW
        )
    card = _card(engine, calendar, "call-1", operator)
    assert isinstance(card, CallCard), card
    assert (card.caller_display, card.caller_id_name, card.client_name) == (
        "+7 928 123-45-67",
        "CID NAME",
        "Магомед Алиевич",
    )
    assert (card.language_label, card.topic_label, card.ivr_path) == (
        "английский",
        "Обращения и их статус",
        "language:1>topic:1",
    )
    assert (card.answered_by, card.viewer_answered, card.ended) == ("Алиева Патимат", True, False)
    # C10: one transfer made, one left
    assert (card.transfers.done, card.transfers.left, card.transfers.allowed) == (1, 1, True)
    assert [(line.to_name, line.outcome_label) for line in card.transfers.lines] == [
        ("Эксперт Лицензий", "Состоялся")
    ]
    # G3: the history holds the earlier call, and the callback tasks of the client and number
    kinds = [(entry.kind, entry.ref_id) for entry in card.history]
    assert (HistoryKind.CALL, earlier) in kinds
    assert (HistoryKind.CALL, call_id) not in kinds
    assert len([kind for kind, _ in kinds if kind is HistoryKind.CALLBACK]) == 3
    # C11: open tasks only, the overdue one first
    first, second = card.open_callbacks
    assert (first.task_id, first.overdue, first.windows) == (overdue, True, (window(2, 10, 12),))
    assert (second.overdue, second.owner_name) == (False, "Алиева Патимат")
    # C14, K7
    assert [referral.agency_entry_id for referral in card.referrals] == ["agency-fns"]
    assert (card.wrapup, card.wrapup_exists) == (WrapupState.NOT_DUE, False)


def test_card_of_an_ended_call_owes_a_wrapup_and_offers_no_transfer(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    colleague = add_person(engine, "202", "Коллега Два")
    add_call(engine, "call-1", operator_id=operator, ended=True)
    card = _card(engine, calendar, "call-1", colleague)
    assert isinstance(card, CallCard)
    assert (card.ended, card.viewer_answered, card.wrapup) == (True, False, WrapupState.OWED)
    assert not card.transfers.allowed
    assert card.transfers.reason == "Звонок уже завершён: переводить некого."


def test_card_counts_transfers_against_the_lines_cap(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    # C10: two completed transfers leave none, and the card says why in words
    operator = add_person(engine, "201", "Оператор Один")
    expert = add_person(engine, "301", "Эксперт")
    call_id = add_call(engine, "call-1", operator_id=operator)
    _transfer(engine, call_id, 1, expert, TransferOutcome.COMPLETED)
    _transfer(engine, call_id, 2, expert, TransferOutcome.FAILED)
    _transfer(engine, call_id, 3, expert, TransferOutcome.COMPLETED)
    card = _card(engine, calendar, "call-1", operator)
    assert isinstance(card, CallCard)
    assert (card.transfers.done, card.transfers.left, card.transfers.allowed) == (2, 0, False)
    assert card.transfers.reason is not None
    assert "обратный звонок" in card.transfers.reason
    raised = _card(engine, calendar, "call-1", operator, transfer_cap=3)
    assert isinstance(raised, CallCard)
    assert (raised.transfers.left, raised.transfers.allowed) == (1, True)


def test_card_of_a_hidden_number(engine: Engine, calendar: ProductionCalendar) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "hidden", operator_id=operator, caller_e164=None, language=None, topic=None)
    add_call(engine, "other-hidden", caller_e164=None, ended=True)
    card = _card(engine, calendar, "hidden", operator)
    assert isinstance(card, CallCard)
    assert (card.caller_display, card.client_id, card.history, card.open_callbacks) == (
        "",
        None,
        (),
        (),
    )
    assert (card.language, card.language_label, card.topic_label) == (
        None,
        "не выбран",
        "тема не выбрана",
    )


def test_unknown_call_or_employee_gives_not_found(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    assert _card(engine, calendar, "1700000000.404", operator) == Refusal(
        RefusalKind.NOT_FOUND, "Звонок '1700000000.404' не найден."
    )
    unknown = _card(engine, calendar, "call-1", 424242)
    assert unknown == Refusal(
        RefusalKind.NOT_FOUND, "Сотрудник с кодом 424242 не найден в справочнике."
    )


def test_card_shows_what_the_caller_said_with_the_entries_it_finds(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    # C8, K7: the question the voice menu recognized, as the IVR stored it, and the KB entries
    # it finds (the card's sections: the agencies directory); a confidence of 0.41 is told.
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator, topic=Topic.GENERAL)
    said = "у меня вопрос по налогам налоговая инспекция"
    LineStore(engine, Settings()).save_spoken_question("call-1", said, 0.41, NOW)
    card = _card(engine, calendar, "call-1", operator, kb_index=_kb_index(engine))
    assert isinstance(card, CallCard)
    spoken = card.spoken_question
    assert spoken is not None
    assert (spoken.text, spoken.confidence, spoken.uncertain, spoken.hint) == (
        said,
        0.41,
        True,
        "распознано неуверенно (уверенность 41\u00a0%)",
    )
    assert spoken.kb_matches[0] == KbMatch(
        "agency-fns",
        "ФНС России (налоговая) — Управление ФНС России по Республике Дагестан",
        "другое ведомство",
    )


def test_card_of_a_call_where_nothing_was_said_has_no_spoken_question(
    engine: Engine, calendar: ProductionCalendar
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    add_call(engine, "call-2", operator_id=operator)
    LineStore(engine, Settings()).save_spoken_question("call-2", "   ", 0.9, NOW)
    index = _kb_index(engine)
    for linkedid in ("call-1", "call-2"):
        card = _card(engine, calendar, linkedid, operator, kb_index=index)
        assert isinstance(card, CallCard)
        assert card.spoken_question is None, linkedid
