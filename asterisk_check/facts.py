"""What the checks know besides the Asterisk files: settings, the directory, the AMI route."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from asterisk_check.results import Fix, Result, fail
from asterisk_check.setup import Loaded
from models.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class AmiRoute:
    """An address of ``CONSULT_LINE_AMI_HOST``, and the address the service connects from."""

    target: IPAddress
    source: IPAddress


@dataclass(frozen=True, slots=True)
class Facts:
    settings: Settings
    now: datetime  # aware; zone offsets are compared at this moment
    etc_dir: Path
    directory: Mapping[str, bool] | None  # device -> an active employee has it; None: no database
    directory_problem: str = ""
    ami_routes: tuple[AmiRoute, ...] = ()  # every address CONSULT_LINE_AMI_HOST resolves to
    ami_route_problem: str = ""  # why there is none
    # This machine's clock zone as Asterisk reads it (/etc/localtime): usegmtime = no writes it.
    host_zone: tzinfo = UTC


def file_problem(
    loaded: Loaded, group: str, etc_dir: Path, *, includes: bool = True
) -> Result | None:
    """A failure if the file cannot be used at all (absent, unreadable, refused, or - with
    *includes* - an ``#include`` of it is missing, which makes Asterisk refuse it)."""
    title = f"{loaded.name} прочитан"
    if loaded.config is None:
        fixes = (
            (Fix("скопировать образец", (f"cp asterisk/etc/{loaded.name} {etc_dir}/",)),)
            if loaded.missing
            else ()
        )
        return fail(group, title, loaded.problem, *fixes)
    missing = loaded.config.missing_includes if includes else []
    if missing:
        names = ", ".join(f"{i.name} ({i.where})" for i in missing)
        return fail(
            group,
            title,
            f"нет файлов из #include: {names}; Asterisk не загрузит {loaded.name} целиком",
            Fix(f"положить недостающие файлы в {etc_dir}/", tuple(i.name for i in missing)),
        )
    return None


def same_host(first: str, second: str) -> bool:
    """Two host names or addresses name the same host (``localhost`` is ``127.0.0.1``)."""
    a, b = (_LOCALHOST.get(x.strip().lower(), x.strip().lower()) for x in (first, second))
    parsed_a, parsed_b = parse_address(a), parse_address(b)
    if parsed_a is not None and parsed_b is not None:
        return parsed_a == parsed_b
    return a == b


_LOCALHOST = {"localhost": "127.0.0.1"}


def parse_address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
