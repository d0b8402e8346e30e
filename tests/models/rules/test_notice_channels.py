"""The channels of a notice (G1–G2, W7, W11): the client's choice, the way the message came,
the extra channel; each once, with its address; a channel without an address is kept."""

from __future__ import annotations

import pytest

from models.rules.notice_channels import Contacts, NoticeRoute, Why, law_channel, notice_routes
from models.tables import Channel, MessageIntake

EMAIL, POST, PHONE, SMS, PORTAL = (
    Channel.EMAIL,
    Channel.POST,
    Channel.PHONE,
    Channel.SMS,
    Channel.PORTAL,
)
ALL = Contacts(email="ivan@mail.ru", phone="+79281234567", postal_address="367000, Махачкала")
NO_EMAIL = Contacts(phone="+79281234567", postal_address="367000, Махачкала")
ONLY_EMAIL = Contacts(email="ivan@mail.ru")
NOTHING = Contacts()


@pytest.mark.parametrize(
    ("intake", "contacts", "expected"),
    [
        (MessageIntake.EMAIL, ALL, EMAIL),  # W11: a mail is answered by e-mail
        (MessageIntake.EMAIL, NOTHING, EMAIL),  # …even when the address went missing
        (MessageIntake.WEB, ALL, EMAIL),  # the web form with an e-mail address
        (MessageIntake.WEB, NO_EMAIL, POST),  # …without one, to the postal address
        (MessageIntake.WEB, Contacts(phone="+79281234567"), None),  # …neither: the choice
        (MessageIntake.PAPER, ALL, POST),  # a letter is answered by post
        (MessageIntake.PAPER, ONLY_EMAIL, POST),
        (MessageIntake.PHONE, ALL, None),  # dictated on the phone: the chosen channel
    ],
)
def test_the_channel_the_law_fixes_is_the_way_the_message_came(
    intake: MessageIntake, contacts: Contacts, expected: Channel | None
) -> None:
    assert law_channel(intake, contacts) is expected


def _routes(
    intake: MessageIntake,
    chosen: Channel | None,
    extra: Channel | None,
    contacts: Contacts = ALL,
) -> list[tuple[Channel, str, tuple[Why, ...]]]:
    routes = notice_routes(intake=intake, contacts=contacts, chosen=chosen, extra=extra)
    return [(r.channel, r.address, r.why) for r in routes]


@pytest.mark.parametrize(
    ("intake", "chosen", "extra", "expected"),
    [
        # G1 + W11: chose e-mail, wrote on paper: both, the choice first.
        (
            MessageIntake.PAPER,
            EMAIL,
            None,
            [
                (EMAIL, "ivan@mail.ru", (Why.CHOSEN,)),
                (POST, "367000, Махачкала", (Why.LAW,)),
            ],
        ),
        # The choice is the law's channel: once, for both reasons.
        (MessageIntake.EMAIL, EMAIL, None, [(EMAIL, "ivan@mail.ru", (Why.CHOSEN, Why.LAW))]),
        # G2: the extra channel is duplicated to.
        (
            MessageIntake.EMAIL,
            EMAIL,
            SMS,
            [
                (EMAIL, "ivan@mail.ru", (Why.CHOSEN, Why.LAW)),
                (SMS, "+79281234567", (Why.EXTRA,)),
            ],
        ),
        # All three different: chosen, law, extra, in that order.
        (
            MessageIntake.WEB,
            PHONE,
            POST,
            [
                (PHONE, "+79281234567", (Why.CHOSEN,)),
                (EMAIL, "ivan@mail.ru", (Why.LAW,)),
                (POST, "367000, Махачкала", (Why.EXTRA,)),
            ],
        ),
        # An extra channel equal to the chosen one adds nothing.
        (MessageIntake.PHONE, SMS, SMS, [(SMS, "+79281234567", (Why.CHOSEN, Why.EXTRA))]),
        # Phone intake, no law channel: the chosen one alone.
        (MessageIntake.PHONE, PHONE, None, [(PHONE, "+79281234567", (Why.CHOSEN,))]),
        # The portal has no address of ours.
        (
            MessageIntake.PHONE,
            PORTAL,
            EMAIL,
            [(PORTAL, "", (Why.CHOSEN,)), (EMAIL, "ivan@mail.ru", (Why.EXTRA,))],
        ),
        # No client record (nothing chosen): the way the message came.
        (MessageIntake.PAPER, None, None, [(POST, "367000, Махачкала", (Why.LAW,))]),
        # Nothing anywhere: no channel at all.
        (MessageIntake.PHONE, None, None, []),
    ],
)
def test_routes_chosen_then_law_then_extra_each_once_with_its_address(
    intake: MessageIntake,
    chosen: Channel | None,
    extra: Channel | None,
    expected: list[tuple[Channel, str, tuple[Why, ...]]],
) -> None:
    assert _routes(intake, chosen, extra) == expected


def test_a_channel_without_an_address_is_reported_not_dropped() -> None:  # G1–G2
    routes = notice_routes(intake=MessageIntake.PAPER, contacts=ONLY_EMAIL, chosen=SMS, extra=EMAIL)
    assert [(r.channel, r.address, r.missing) for r in routes] == [
        (SMS, "", True),
        (POST, "", True),
        (EMAIL, "ivan@mail.ru", False),
    ]


@pytest.mark.parametrize(
    ("channel", "address", "missing"),
    [
        (EMAIL, "", True),
        (POST, "", True),
        (PHONE, "", True),
        (SMS, "", True),
        (PORTAL, "", False),
        (EMAIL, "a@b.ru", False),
    ],
)
def test_only_the_portal_needs_no_address(channel: Channel, address: str, missing: bool) -> None:
    assert NoticeRoute(channel, address, (Why.CHOSEN,)).missing is missing
