"""Who may talk to FastAGI (``ivr.agi.sources``): addresses compared as addresses."""

from __future__ import annotations

import pytest

from ivr.agi.sources import admits, beyond_loopback, open_door_problem, parse_sources

ASTERISK = parse_sources(["10.0.0.5", "192.0.2.0/28", "2001:db8::7"])


@pytest.mark.parametrize(
    "peer",
    [
        "10.0.0.5",
        "::ffff:10.0.0.5",  # an IPv4 peer on a dual-stack socket
        "192.0.2.14",
        "::ffff:192.0.2.1",
        "2001:db8:0:0:0:0:0:7",
        "2001:0db8::0007",
    ],
)
def test_a_listed_source_is_admitted_however_the_socket_writes_it(peer: str) -> None:
    assert admits(ASTERISK, peer)


@pytest.mark.parametrize(
    "peer", ["10.0.0.6", "::ffff:10.0.0.6", "192.0.2.16", "2001:db8::8", "127.0.0.1", "", "x"]
)
def test_anything_else_is_refused(peer: str) -> None:
    assert not admits(ASTERISK, peer)


def test_a_source_written_ipv6_style_is_its_ipv4_address() -> None:
    assert parse_sources(["::ffff:10.0.0.5", "::ffff:10.0.1.0/120"]) == parse_sources(
        ["10.0.0.5", "10.0.1.0/24"]
    )


def test_a_source_that_is_no_address_is_named() -> None:
    with pytest.raises(ValueError, match=r"'asterisk\.local' не является IP-адресом"):
        parse_sources(["10.0.0.5", "asterisk.local"])


@pytest.mark.parametrize(
    ("host", "beyond"),
    [
        ("127.0.0.1", False),
        ("127.0.0.53", False),
        ("::1", False),
        ("[::1]", False),
        ("localhost", False),
        ("0.0.0.0", True),  # noqa: S104
        ("::", True),
        ("", True),
        ("10.0.0.2", True),
        ("pbx.example", True),  # a name may resolve to anything
    ],
)
def test_what_listens_beyond_loopback(host: str, beyond: bool) -> None:
    assert beyond_loopback(host) is beyond
    problem = open_door_problem(host, ())
    assert (problem is not None) is beyond
    assert open_door_problem(host, ASTERISK) is None
