"""The console's menu: which pages a signed-in user is offered, by role.

One explicit table; a page is listed for the roles its route allows (the routes' own rules
still decide: the menu only leaves out what would be refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from models.tables import Role


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a page: where it goes and its words."""

    href: str
    label: str


@dataclass(frozen=True, slots=True)
class _Entry:
    link: Link
    roles: frozenset[Role]


def _entry(href: str, label: str, *roles: Role) -> _Entry:
    return _Entry(Link(href, label), frozenset(roles))


MENU: Final[tuple[_Entry, ...]] = (
    _entry("/callbacks", "Мои обратные звонки", Role.OPERATOR),
    _entry("/messages", "Обращения", Role.OPERATOR, Role.EXPERT, Role.SUPERVISOR, Role.ADMIN),
    _entry("/visits", "Личный приём", Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN),
    _entry("/wallboard", "Табло", Role.SUPERVISOR, Role.ADMIN),
    _entry("/reports/missed", "Отчёты", Role.SUPERVISOR, Role.ADMIN),
    _entry("/clients", "Клиенты", Role.SUPERVISOR, Role.ADMIN),
    _entry("/mailings", "Рассылки", Role.SUPERVISOR, Role.ADMIN),
    _entry("/kb/review", "База знаний", Role.SUPERVISOR, Role.KB_EDITOR, Role.ADMIN),
    _entry("/docs", "Документация API", Role.ADMIN),
)


# The reports, listed on every report's page (the menu opens the first).
REPORT_LINKS: Final[tuple[Link, ...]] = (
    Link("/reports/missed", "Пропущенные звонки"),
    Link("/reports/callbacks", "Обратные звонки"),
    Link("/reports/transfers", "Переводы"),
    Link("/reports/survey", "Опрос"),
    Link("/reports/operators", "Операторы"),
)


def menu_for(roles: frozenset[Role]) -> list[Link]:
    """The home page first (the workspace for operators), then every page the roles may open."""
    home = Link("/", "Рабочее место" if Role.OPERATOR in roles else "Главная")
    return [home, *(entry.link for entry in MENU if not entry.roles.isdisjoint(roles))]
