"""The pure rules of information mailings (M1–M4): addresses, consent states, the expiry of a
request, how often a confirmation letter may go, retries and the pace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.rules.mailing_consent import (
    CONFIRMATION_LIFETIME,
    CONFIRMATION_RESEND,
    AddressProblem,
    ConsentState,
    confirmation_open,
    may_send_confirmation,
    normalize_address,
    receives_mailings,
)
from models.rules.mailing_delivery import (
    MAX_ATTEMPTS,
    STALE_CLAIM,
    DeliveryState,
    after_failure,
    pause_between,
    stale_claim,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Ivanov@Example.RU ", "Ivanov@example.ru"),  # the local part's case kept
        ("a.b+news@mail.example.org", "a.b+news@mail.example.org"),
        ("", AddressProblem.EMPTY),
        ("   ", AddressProblem.EMPTY),
        ("ivanov", AddressProblem.MALFORMED),
        ("ivanov@localhost", AddressProblem.MALFORMED),
        ("Иван <ivanov@example.ru>", AddressProblem.MALFORMED),  # one bare address only
        ("a@b.ru, c@d.ru", AddressProblem.MALFORMED),
        ("ivanov@example..ru", AddressProblem.MALFORMED),
        ("ivanov@example.ru\r\nBcc: x@y.ru", AddressProblem.MALFORMED),  # no header injection
        ("a" * 250 + "@example.ru", AddressProblem.TOO_LONG),
    ],
)
def test_an_address_is_normalised_or_refused(typed: str, stored: str) -> None:  # M3
    assert normalize_address(typed) == stored


@pytest.mark.parametrize(
    ("age", "still_open"),
    [
        (timedelta(0), True),
        (CONFIRMATION_LIFETIME - timedelta(seconds=1), True),
        (CONFIRMATION_LIFETIME, False),
        (timedelta(days=30), False),
    ],
)
def test_a_pending_request_expires(age: timedelta, still_open: bool) -> None:  # M1
    assert confirmation_open(NOW - age, NOW) is still_open


@pytest.mark.parametrize(
    ("state", "last_sent", "sends"),
    [
        (None, None, True),  # a new address
        (ConsentState.PENDING, None, True),  # the last letter did not go
        (ConsentState.PENDING, NOW - timedelta(minutes=5), False),  # a flood of requests
        (ConsentState.PENDING, NOW - CONFIRMATION_RESEND + timedelta(seconds=1), False),
        (ConsentState.PENDING, NOW - CONFIRMATION_RESEND, True),
        (ConsentState.WITHDRAWN, NOW - timedelta(days=90), True),  # subscribes again
        (ConsentState.WITHDRAWN, NOW - timedelta(hours=1), False),
        (ConsentState.CONFIRMED, None, False),  # subscribed already: nothing to confirm
        (ConsentState.CONFIRMED, NOW - timedelta(days=90), False),
    ],
)
def test_a_confirmation_letter_goes_at_most_once_per_period(
    state: ConsentState | None, last_sent: datetime | None, sends: bool
) -> None:  # M1, M3
    assert may_send_confirmation(state, last_sent, NOW) is sends


@pytest.mark.parametrize(
    ("state", "mailed"),
    [
        (ConsentState.PENDING, False),  # M1: not confirmed yet
        (ConsentState.CONFIRMED, True),
        (ConsentState.WITHDRAWN, False),  # M2
    ],
)
def test_only_a_confirmed_consent_is_mailed(state: ConsentState, mailed: bool) -> None:  # M1, M2
    assert receives_mailings(state) is mailed


@pytest.mark.parametrize(
    ("attempts", "permanent", "state", "wait"),
    [
        (1, False, DeliveryState.QUEUED, timedelta(minutes=5)),
        (2, False, DeliveryState.QUEUED, timedelta(minutes=30)),
        (MAX_ATTEMPTS, False, DeliveryState.FAILED, None),
        (1, True, DeliveryState.FAILED, None),  # the server refused the address itself
    ],
)
def test_a_failed_letter_is_tried_again_within_limits(
    attempts: int, permanent: bool, state: DeliveryState, wait: timedelta | None
) -> None:
    outcome = after_failure(attempts, permanent, NOW)
    assert outcome.state is state
    assert outcome.next_attempt_at == (NOW + wait if wait else None)


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (timedelta(seconds=30), False),
        (STALE_CLAIM - timedelta(seconds=1), False),
        (STALE_CLAIM, True),
    ],
)
def test_a_claim_left_by_a_stop_is_stale_only_when_no_send_can_own_it(
    age: timedelta, stale: bool
) -> None:
    assert stale_claim(NOW - age, NOW) is stale


@pytest.mark.parametrize(
    ("per_minute", "pause"),
    [(1, timedelta(minutes=1)), (30, timedelta(seconds=2)), (600, timedelta(milliseconds=100))],
)
def test_the_pace_spreads_a_minute_s_letters_evenly(per_minute: int, pause: timedelta) -> None:
    assert pause_between(per_minute) == pause
