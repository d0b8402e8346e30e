"""``consult-line check-asterisk``: the Asterisk side of a deployment against the contract.

Reads the configuration folder (``--etc``), the sounds folder (``--sounds``), the staff
directory from the database, and prints one line per check with the fix under each failure.
Exit codes as ``check-config``: 0 everything passed (warnings allowed), 1 a check failed or
could not run (e.g. the database is unreachable), 2 the folder cannot be read at all.
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Mapping

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from asterisk_check.checks import exit_code, run_checks, summary
from asterisk_check.facts import AmiRoute, Facts, parse_address
from asterisk_check.report import render
from asterisk_check.setup import EtcFolderError, load_setup
from asterisk_check.sounds import SoundFolder
from consult_line.wiring import Services
from models.host_time import host_zone
from models.os_errors import os_error_reason
from models.tables import Employee


def run(services: Services, args: argparse.Namespace) -> int:
    try:
        setup = load_setup(args.etc.absolute())
    except EtcFolderError as exc:
        print(exc, file=sys.stderr)
        return 2
    settings = services.settings
    sounds = SoundFolder((args.sounds or setup.directories.sounds_dir).absolute())
    directory, directory_problem = read_directory(services.engine)
    routes, route_problem = ami_routes(settings.ami_host, settings.ami_port)
    facts = Facts(
        settings=settings,
        now=services.clock(),
        etc_dir=setup.etc_dir,
        directory=directory,
        directory_problem=directory_problem,
        ami_routes=routes,
        ami_route_problem=route_problem,
        host_zone=host_zone(),
    )
    results = run_checks(setup, sounds, facts)
    print(f"Проверка Asterisk: настройки {setup.etc_dir}, звуки {sounds.root}")
    if args.sounds is None and not setup.directories.data_dir_given:
        print(
            "  (каталог звуков принят по умолчанию: в asterisk.conf нет [directories] "
            "astdatadir; у Asterisk, собранного с другим --prefix, укажите его через --sounds)"
        )
    for line in render(results):
        print(line)
    print()
    print(summary(results))
    return exit_code(results)


def read_directory(engine: Engine) -> tuple[Mapping[str, bool] | None, str]:
    """Device -> whether an active employee has it; None and the reason if the database fails."""
    try:
        with Session(engine) as session:
            rows = session.exec(select(Employee.device, Employee.active)).all()
    except SQLAlchemyError as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        return None, f"база данных недоступна ({reason})"
    devices: dict[str, bool] = {}
    for device, active in rows:
        devices[device] = devices.get(device, False) or active
    return devices, ""


def ami_routes(host: str, port: int) -> tuple[tuple[AmiRoute, ...], str]:
    """Every address ``host`` resolves to, in the order a client tries them, each with the
    local address a connection leaves from (the kernel's choice; a UDP "connect" sends
    nothing)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return (), f"CONSULT_LINE_AMI_HOST={host}: адрес не найден"
    routes: dict[AmiRoute, None] = {}
    problem = ""
    for family, _, _, _, address in found:
        target = parse_address(str(address[0]))
        if target is None:
            continue
        if target.is_loopback:
            routes[AmiRoute(target, target)] = None
            continue
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((str(target), port))
                source = parse_address(str(probe.getsockname()[0]))
        except OSError as exc:
            problem = f"нет маршрута к {target} (CONSULT_LINE_AMI_HOST): {os_error_reason(exc)}"
            continue
        if source is not None:
            routes[AmiRoute(target, source)] = None
    return tuple(routes), problem if not routes else ""
