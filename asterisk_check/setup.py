"""Loads the Asterisk configuration folder the checks read (the only file I/O besides sounds).

Each file the checks need becomes a :class:`Loaded`: the parsed file, or the reason it is not
there (absent, unreadable, refused by Asterisk's rules). Only a folder that cannot be read at
all, or holds none of the files, is an error (:class:`EtcFolderError`, exit code 2): then the
``--etc`` given is wrong, and no single check could say anything useful.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from asterisk_check.config_reader import ConfigFile, ConfigReadError, read_config

MANAGER: Final = "manager.conf"
QUEUES: Final = "queues.conf"
EXTENSIONS: Final = "extensions.conf"
CDR: Final = "cdr.conf"
MODULES: Final = "modules.conf"
LOGGER: Final = "logger.conf"
ASTERISK: Final = "asterisk.conf"
EXTCONFIG: Final = "extconfig.conf"
CHECKED_FILES: Final = (MANAGER, QUEUES, EXTENSIONS, CDR, MODULES, LOGGER)
OPTIONAL_FILES: Final = (ASTERISK, EXTCONFIG)

# Asterisk's compiled-in defaults (asterisk.conf [directories]), as Debian and the sources set them.
DEFAULT_LOG_DIR: Final = Path("/var/log/asterisk")
DEFAULT_DATA_DIR: Final = Path("/var/lib/asterisk")


class EtcFolderError(Exception):
    """The folder given as ``--etc`` cannot be read at all; the message is Russian."""


@dataclass(frozen=True, slots=True)
class Loaded:
    name: str
    config: ConfigFile | None
    problem: str = ""  # why config is None (Russian)
    missing: bool = False  # the file does not exist (rather than unreadable or refused)


@dataclass(frozen=True, slots=True)
class Directories:
    """asterisk.conf: ``[directories] astlogdir``, ``astdatadir``, ``[options] languageprefix``."""

    log_dir: Path = DEFAULT_LOG_DIR
    data_dir: Path = DEFAULT_DATA_DIR
    language_prefix: bool = True
    # False: asterisk.conf does not name the folder, so it is Asterisk's compiled-in default,
    # which depends on how it was built (packages: /var/...; ./configure --prefix=/opt/x:
    # /opt/x/var/...). The defaults above are then a guess, and a path that differs is a doubt.
    log_dir_given: bool = False
    data_dir_given: bool = False

    @property
    def sounds_dir(self) -> Path:
        return self.data_dir / "sounds"


@dataclass(frozen=True, slots=True)
class AsteriskSetup:
    etc_dir: Path
    files: Mapping[str, Loaded]
    directories: Directories

    def file(self, name: str) -> Loaded:
        return self.files[name]


def load_setup(etc_dir: Path) -> AsteriskSetup:
    """Reads every file the checks use from *etc_dir*."""
    try:
        present = {p.name for p in etc_dir.iterdir()}
    except FileNotFoundError:
        raise EtcFolderError(
            f"Каталог настроек Asterisk {etc_dir} не найден: укажите его через --etc."
        ) from None
    except NotADirectoryError:
        raise EtcFolderError(
            f"{etc_dir} — не каталог: укажите каталог настроек Asterisk через --etc."
        ) from None
    except PermissionError:
        raise EtcFolderError(
            f"Нет прав на чтение каталога {etc_dir}: запустите проверку от пользователя, "
            "которому Asterisk разрешает читать свои настройки (asterisk или root)."
        ) from None
    if not present & set(CHECKED_FILES):
        raise EtcFolderError(
            f"В {etc_dir} нет ни одного из файлов {', '.join(CHECKED_FILES)}: это не каталог "
            "настроек Asterisk; укажите нужный через --etc."
        )
    files = {name: _load(etc_dir, name) for name in (*CHECKED_FILES, *OPTIONAL_FILES)}
    return AsteriskSetup(etc_dir, files, directories_of(files[ASTERISK].config))


def _load(etc_dir: Path, name: str) -> Loaded:
    path = etc_dir / name
    try:
        config = read_config(path, etc_dir)
    except FileNotFoundError:
        return Loaded(name, None, f"файла {path} нет", missing=True)
    except PermissionError:
        return Loaded(name, None, f"нет прав на чтение {path}")
    except OSError as exc:
        return Loaded(name, None, f"не удалось прочитать {path}: {exc.strerror}")
    except ConfigReadError as exc:
        return Loaded(name, None, f"Asterisk не загрузит этот файл: {exc}")
    return Loaded(name, config)


def directories_of(asterisk_conf: ConfigFile | None) -> Directories:
    if asterisk_conf is None:
        return Directories()
    log_dir = asterisk_conf.get("directories", "astlogdir")
    data_dir = asterisk_conf.get("directories", "astdatadir")
    prefix = asterisk_conf.get("options", "languageprefix")
    return Directories(
        log_dir=Path(log_dir) if log_dir else DEFAULT_LOG_DIR,
        data_dir=Path(data_dir) if data_dir else DEFAULT_DATA_DIR,
        language_prefix=prefix is None or is_true(prefix),
        log_dir_given=bool(log_dir),
        data_dir_given=bool(data_dir),
    )


_TRUE: Final = frozenset({"yes", "true", "y", "t", "1", "on"})
_FALSE: Final = frozenset({"no", "false", "n", "f", "0", "off"})


def is_true(value: str | None) -> bool:
    """``ast_true``."""
    return value is not None and value.strip().lower() in _TRUE


def is_false(value: str | None) -> bool:
    """``ast_false``."""
    return value is not None and value.strip().lower() in _FALSE
