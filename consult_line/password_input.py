"""A new password for ``consult-line user``: never from the command line (other users of the
machine see it in the process list, the shell keeps it in its history).

In a terminal it is asked twice without echo (getpass); otherwise the first line of standard
input is the password (``printf '%s\\n' "$PASSWORD" | consult-line user passwd LOGIN``).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import TextIO


class PasswordInputError(ValueError):
    """No usable password was given; the message is the Russian sentence shown."""


def read_new_password(stdin: TextIO, ask: Callable[[str], str] = getpass.getpass) -> str:
    if stdin.isatty():
        first = ask("Новый пароль: ")
        if first != ask("Повторите пароль: "):
            raise PasswordInputError("пароли не совпадают, ничего не изменено")
        return first
    line = stdin.readline()
    if not line:
        raise PasswordInputError(
            "пароль не получен: передайте его первой строкой стандартного ввода "
            "или запустите команду в терминале"
        )
    return line.rstrip("\r\n")
