"""Who may talk to the FastAGI server (``CONSULT_LINE_AGI_ALLOWED_SOURCES``).

FastAGI has no authentication: whoever reaches the port can ask for a callback client's number
or use up a caller's transfers. So the server either listens on loopback only, or admits only
the listed sources, and refuses to start otherwise (:func:`open_door_problem`).

Addresses are compared as addresses, never as text: ``::ffff:10.0.0.5`` (how a dual-stack
socket shows an IPv4 peer) is ``10.0.0.5``, ``::1`` is ``0:0:0:0:0:0:0:1``. A source may be an
address or a network (``10.0.0.0/24``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Final

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_LOOPBACK_NAMES: Final = frozenset({"localhost"})
_MAPPED: Final = ipaddress.IPv6Network("::ffff:0:0/96")


def parse_sources(items: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.5", "10.0.1.0/24"]`` → networks; ValueError (in Russian) names a bad item."""
    networks = []
    for item in items:
        try:
            network = ipaddress.ip_network(item.strip(), strict=False)
        except ValueError:
            raise ValueError(f"{item!r} не является IP-адресом или сетью (10.0.0.0/24)") from None
        networks.append(_unmapped_network(network))
    return tuple(networks)


def peer_address(host: str) -> Address | None:
    """The peer's address as the socket reports it, IPv4-mapped IPv6 as IPv4; None if it is
    not an IP address."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def admits(sources: tuple[Network, ...], host: str) -> bool:
    """Whether a peer at ``host`` may talk to the server: any peer when ``sources`` is empty
    (the server then listens on loopback only), else one inside a listed source."""
    if not sources:
        return True
    address = peer_address(host)
    return address is not None and any(address in network for network in sources)


def beyond_loopback(host: str) -> bool:
    """Whether a server bound to ``host`` can be reached from other machines: every address
    (``0.0.0.0``, ``::``, empty), a network address, or a host name other than localhost."""
    if host.strip().lower() in _LOOPBACK_NAMES:
        return False
    address = peer_address(host.strip().strip("[]"))
    return address is None or not address.is_loopback


def open_door_problem(host: str, sources: tuple[Network, ...]) -> str | None:
    """Why FastAGI must not start on ``host`` with these sources (Russian), or None."""
    if sources or not beyond_loopback(host):
        return None
    return (
        f"FastAGI слушает {host or 'все адреса'} (CONSULT_LINE_AGI_HOST), а список "
        "разрешённых адресов CONSULT_LINE_AGI_ALLOWED_SOURCES пуст: любой, кто достучится до "
        "порта, узнает номера граждан для обратного звонка. Укажите адреса Asterisk в "
        "CONSULT_LINE_AGI_ALLOWED_SOURCES или слушайте 127.0.0.1"
    )


def _unmapped_network(network: Network) -> Network:
    """``::ffff:10.0.0.0/120`` → ``10.0.0.0/24``: peers are compared in their IPv4 form."""
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(_MAPPED):
        mapped = network.network_address.ipv4_mapped
        assert mapped is not None
        return ipaddress.IPv4Network(f"{mapped}/{network.prefixlen - 96}")
    return network
