"""``consult-line seed-demo``: a month of realistic calls, callbacks and surveys to look at, and
an account for each role of the demo staff (logins and passwords printed once)."""

from __future__ import annotations

import argparse
import sys

from agent_console.auth.passwords import PRODUCTION
from agent_console.auth.roles import ROLE_TITLES
from consult_line.actor import cli_actor
from consult_line.demo import NoOperatorsError, seed_demo
from consult_line.demo.users import DEMO_ACCOUNTS, DemoAccount, create_demo_accounts
from consult_line.wiring import Services
from models.db import session_scope


def run(services: Services, args: argparse.Namespace) -> int:
    calendar = services.calendar()
    try:
        with session_scope(services.engine) as session:
            summary = seed_demo(
                session=session,
                calendar=calendar,
                now=services.clock(),
                days=args.days,
                seed=args.seed,
                training=services.settings.training_line,
            )
            accounts = create_demo_accounts(
                session=session, passwords=PRODUCTION, now=services.clock(), actor=cli_actor()
            )
    except NoOperatorsError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 1
    print("\n".join([*summary.lines(), *account_lines(accounts)]))
    return 0


def account_lines(accounts: list[DemoAccount]) -> list[str]:
    if not accounts:
        logins = ", ".join(login for login, _number, _role in DEMO_ACCOUNTS)
        return [
            f"Демонстрационные учётные записи не созданы: они уже есть ({logins}) или в "
            "справочнике нет демонстрационных сотрудников. Новый пароль: "
            "consult-line user passwd ЛОГИН."
        ]
    width = max(len(account.login) for account in accounts)
    lines = ["Учётные записи для входа в консоль (пароли показаны один раз):"]
    lines += [
        f"  {account.login.ljust(width)}  пароль: {account.password}  "
        f"({ROLE_TITLES[account.role]}, {account.full_name})"
        for account in accounts
    ]
    return lines
