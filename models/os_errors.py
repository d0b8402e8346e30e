"""Why a file or a port could not be opened, read or written, in Russian, from the errno.

The operating system's own text (``strerror``) follows the process locale, usually English on a
server; this table gives the administrator the reason in the language of the rest of the line.
"""

from __future__ import annotations

import errno
import socket

REASONS: dict[int, str] = {
    errno.ENOENT: "нет такого файла или папки",
    errno.EISDIR: "это папка, а не файл",
    errno.ENOTDIR: "часть пути — не папка",
    errno.EACCES: "нет прав доступа",
    errno.EPERM: "операция не разрешена",
    errno.EROFS: "файловая система доступна только для чтения",
    errno.ENOSPC: "нет места на диске",
    errno.EDQUOT: "превышена дисковая квота",
    errno.EFBIG: "файл слишком большой",
    errno.ENAMETOOLONG: "слишком длинное имя",
    errno.ELOOP: "замкнутая цепочка символических ссылок",
    errno.EMFILE: "открыто слишком много файлов",
    errno.ENFILE: "открыто слишком много файлов",
    errno.EIO: "ошибка ввода-вывода устройства",
    errno.EBUSY: "файл или устройство занято",
    errno.EADDRINUSE: "адрес уже занят другой программой",
    errno.EADDRNOTAVAIL: "у этой машины нет такого адреса",
    errno.ECONNREFUSED: "соединение отклонено",
    errno.ENETUNREACH: "сеть недоступна",
    errno.EHOSTUNREACH: "узел недоступен",
}


def os_error_reason(exc: OSError) -> str:
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    name = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno is not None else ""
    return f"системная ошибка {name}".rstrip()


def listen_error(host: str, port: int) -> OSError | None:
    """Why a server could not listen on ``host:port`` now (tried and let go at once), or None;
    ``::`` takes IPv4 too, as the servers bind it where the system can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    every = host == "::" and socket.has_dualstack_ipv6()
    try:
        socket.create_server((host, port), family=family, dualstack_ipv6=every).close()
    except OSError as exc:  # socket.gaierror included
        return exc
    return None


def listen_error_reason(exc: OSError, host: str) -> str:
    """Why a server could not listen on ``host``, in Russian: a name that does not resolve,
    or the OS's reason (port taken, no permission)."""
    if isinstance(exc, socket.gaierror):
        return f"адрес {host} не найден"
    return os_error_reason(exc)
