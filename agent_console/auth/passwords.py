"""Password hashing (argon2id) and what a new password must be.

:data:`PRODUCTION` uses RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes:
about 0.2 s on two cores). A hash records its own parameters, so checking a password costs what
its hash was made with; a hash made with other parameters is replaced at the next sign-in.

At most ``parallel`` hashes are computed at once (the others wait their turn): a burst of
sign-in attempts costs time, not 64 MiB of memory per web worker thread.
"""

from __future__ import annotations

import threading
from functools import cached_property

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PASSWORD_MIN = 10
PASSWORD_MAX = 256


class Passwords:
    def __init__(
        self, parameters: Parameters = profiles.RFC_9106_LOW_MEMORY, *, parallel: int = 2
    ) -> None:
        self._hasher = PasswordHasher.from_parameters(parameters)
        self._turns = threading.BoundedSemaphore(parallel)

    def hash(self, password: str) -> str:
        with self._turns:
            return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            with self._turns:
                return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def verify_nothing(self, password: str) -> None:
        """Spends the time of one check, for a login that has no account: its answer must not
        come faster than a wrong password's."""
        self.verify(self._decoy, password)

    @cached_property
    def _decoy(self) -> str:
        return self.hash("decoy: no account has this password")


PRODUCTION = Passwords()


def password_problem(password: str, *, login: str = "") -> str | None:
    """Why ``password`` cannot be used (Russian), None when it can."""
    if len(password) < PASSWORD_MIN:
        return f"пароль короче {PASSWORD_MIN} знаков"
    if len(password) > PASSWORD_MAX:
        return f"пароль длиннее {PASSWORD_MAX} знаков"
    if password != password.strip():
        return "пароль начинается или кончается пробелом"
    if login and login.lower() in password.lower():
        return "пароль содержит логин"
    if len(set(password)) < 4:
        return "в пароле меньше четырёх разных знаков"
    return None
