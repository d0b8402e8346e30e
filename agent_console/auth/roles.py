"""The roles as people read them, and the set of every role."""

from __future__ import annotations

from collections.abc import Iterable

from models.tables import Role

EVERYONE: tuple[Role, ...] = tuple(Role)  # any signed-in user: every account has a role
SUPERVISORS: tuple[Role, ...] = (Role.SUPERVISOR, Role.ADMIN)  # the line's figures, everyone's

ROLE_TITLES: dict[Role, str] = {
    Role.OPERATOR: "оператор",
    Role.EXPERT: "эксперт",
    Role.SUPERVISOR: "руководитель",
    Role.KB_EDITOR: "редактор базы знаний",
    Role.ADMIN: "администратор",
}


def role_titles(roles: Iterable[Role]) -> list[str]:
    """Titles in the order of :class:`Role`."""
    chosen = set(roles)
    return [ROLE_TITLES[role] for role in Role if role in chosen]
