"""Asterisk ``.conf`` files read the way Asterisk's loader (``main/config.c``) reads them.

The ``key = value`` / ``key => value`` lines are parsed by pyst2's :class:`asterisk.config.Item`.
pyst2's ``Config`` itself cannot read a real installation: it knows no ``#include``, rejects
template sections (``[201](operator-endpoint)``), takes ``\\;`` for a comment, knows no
``;-- --;`` block comments and never closes the file. So the file handling is done here:

* the file is read as UTF-8 (a BOM skipped, undecodable bytes replaced) and closed;
* ``;`` starts a comment, ``\\;`` is a literal semicolon, ``;-- ... --;`` comments nest and may
  span lines;
* ``#include`` / ``#tryinclude`` (``"name"``, ``<name>`` or bare; glob patterns allowed) are
  relative to the etc folder and expanded in place. The included file starts in the current
  section; the including file goes on in its own section afterwards, as ``config.c`` does. A
  missing ``#include`` is recorded in :attr:`ConfigFile.missing_includes` (Asterisk would then
  refuse the whole file), so that the check that needs the file can say so;
* ``[name](!)`` is a template; ``[name](a,b)`` starts with copies of the settings of the first
  sections named ``a`` and ``b`` (``ast_category_inherit``); ``[name](+)`` adds to the existing
  section; ``key += value`` appends to the last value of ``key``.

What Asterisk rejects for the whole file (a header without ``]``, an unknown base section, a
setting before any section, an ``#include`` loop) raises :class:`ConfigReadError` naming the
file and line. A line without ``=`` is skipped, as Asterisk does (with a warning).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from asterisk.config import Item, ParseError

# A literal ";" (from "\;") hidden from pyst2's Line, which splits at every ";".
_SEMICOLON: Final = "\ue000"
_GLOB_CHARS: Final = frozenset("*?[")
_DIRECTIVE: Final = re.compile(r"#(\S*)\s*(.*)")


@dataclass(frozen=True, slots=True)
class Where:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.name}:{self.line}"


class ConfigReadError(Exception):
    """A file Asterisk would refuse to load; the message starts with ``file:line:``."""

    def __init__(self, where: Where, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    value: str
    where: Where
    arrow: bool = False  # written "=>"
    inherited: bool = False  # copied from a base section


@dataclass(slots=True)
class Section:
    name: str
    where: Where
    template: bool = False
    bases: tuple[str, ...] = ()
    settings: list[Setting] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        """Every value of *key*, in order (case-insensitive, as Asterisk compares names)."""
        wanted = key.casefold()
        return [s.value for s in self.settings if s.key.casefold() == wanted]

    def get(self, key: str) -> str | None:
        """The effective value: the last one (``ast_variable_retrieve``)."""
        values = self.values(key)
        return values[-1] if values else None

    def setting(self, key: str) -> Setting | None:
        wanted = key.casefold()
        found = [s for s in self.settings if s.key.casefold() == wanted]
        return found[-1] if found else None


@dataclass(frozen=True, slots=True)
class Include:
    name: str  # as written, without quotes
    where: Where
    files: tuple[Path, ...]  # what it expanded to; () = not found
    optional: bool  # #tryinclude


@dataclass(slots=True)
class ConfigFile:
    path: Path
    sections: list[Section] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # lines Asterisk ignores, "file:line: text"

    @property
    def missing_includes(self) -> list[Include]:
        return [i for i in self.includes if not i.files and not i.optional]

    def section(self, name: str) -> Section | None:
        """The first non-template section called *name* (``ast_category_get``)."""
        return next(iter(self.sections_named(name)), None)

    def section_or_empty(self, name: str) -> Section:
        """:meth:`section`, or an empty one (Asterisk's defaults apply) if there is none."""
        return self.section(name) or Section(name, Where(self.path, 0))

    def sections_named(self, name: str) -> list[Section]:
        wanted = name.casefold()
        return [s for s in self.sections if s.name.casefold() == wanted and not s.template]

    def get(self, section: str, key: str) -> str | None:
        found = self.section(section)
        return found.get(key) if found is not None else None


def read_config(path: Path, etc_dir: Path | None = None) -> ConfigFile:
    """Parse *path*; ``#include`` names are relative to *etc_dir* (default: the file's folder).

    Raises OSError if *path* itself cannot be read, ConfigReadError for what Asterisk rejects.
    """
    config = ConfigFile(path)
    _Loader(config, etc_dir if etc_dir is not None else path.parent).load(path, ())
    return config


class _Loader:
    def __init__(self, config: ConfigFile, etc_dir: Path) -> None:
        self.config = config
        self.etc_dir = etc_dir
        self.current: Section | None = None  # cfg->current: where an included file starts

    def load(self, path: Path, stack: tuple[Path, ...]) -> None:
        section = self.current
        for where, code in _code_lines(path):
            if code.startswith("["):
                section = self._header(code, where)
            elif code.startswith("#"):
                self._directive(code, where, (*stack, path.resolve()))
            elif section is None:
                raise ConfigReadError(where, f"настройка до первой [секции]: {code!r}")
            else:
                self._setting(section, code, where)

    def _header(self, code: str, where: Where) -> Section:
        close = code.find("]")
        if close < 0:
            raise ConfigReadError(where, f"нет закрывающей «]» в заголовке {code!r}")
        name = code[1:close]
        rest = code[close + 1 :]
        options: list[str] = []
        if rest.startswith("("):
            end = rest.find(")")
            if end < 0:
                raise ConfigReadError(where, f"нет закрывающей «)» в заголовке {code!r}")
            options = rest[1:end].split(",")
        section = Section(name, where)
        target = section
        for option in options:
            if option == "!":
                section.template = True
            elif option.startswith("+"):
                existing = self.config.section(name)
                if existing is None:
                    raise ConfigReadError(where, f"[{name}](+): секции [{name}] ещё нет")
                target = existing
            else:
                base = self._first_named(option)
                if base is None:
                    raise ConfigReadError(where, f"[{name}]({option}): нет секции [{option}]")
                section.bases += (option,)
                section.settings.extend(
                    Setting(s.key, s.value, s.where, s.arrow, inherited=True) for s in base.settings
                )
        if target is not section:
            target.template |= section.template
            target.settings.extend(section.settings)
        else:
            self.config.sections.append(section)
        self.current = target
        return target

    def _first_named(self, name: str) -> Section | None:
        wanted = name.casefold()
        return next((s for s in self.config.sections if s.name.casefold() == wanted), None)

    def _directive(self, code: str, where: Where, stack: tuple[Path, ...]) -> None:
        match = _DIRECTIVE.match(code)
        word, argument = (match[1].lower(), match[2].strip()) if match else ("", "")
        if word not in {"include", "tryinclude"} or not argument:
            # #exec needs execincludes in asterisk.conf and runs a program: not followed here.
            self.config.skipped.append(f"{where}: {code}")
            return
        name = _dequote(argument)
        files = self._resolve(name)
        self.config.includes.append(Include(name, where, files, optional=word == "tryinclude"))
        for file in files:
            if file.resolve() in stack:
                raise ConfigReadError(where, f"#include {name!r} включает сам себя")
            self.load(file, stack)

    def _resolve(self, name: str) -> tuple[Path, ...]:
        pattern = Path(name) if name.startswith("/") else self.etc_dir / name
        if _GLOB_CHARS & set(name):
            anchor = Path(pattern.anchor)
            matches = anchor.glob(str(pattern.relative_to(anchor)))
            return tuple(sorted(p for p in matches if p.is_file()))
        return (pattern,) if pattern.is_file() else ()

    def _setting(self, section: Section, code: str, where: Where) -> None:
        try:
            item = Item(code.replace(";", _SEMICOLON), where.line)
        except ParseError:
            self.config.skipped.append(f"{where}: нет «=»: {code}")
            return
        name = str(item.name).strip()
        value = str(item.value).strip().replace(_SEMICOLON, ";")
        arrow = item.style == ">"
        if name.endswith("+"):
            name = name[:-1].strip()
            previous = section.setting(name)
            if previous is not None:
                index = len(section.settings) - 1 - section.settings[::-1].index(previous)
                joined = f"{previous.value}{value}".strip()
                section.settings[index] = Setting(previous.key, joined, where, previous.arrow)
                return
        if not name:
            self.config.skipped.append(f"{where}: нет имени настройки: {code}")
            return
        section.settings.append(Setting(name, value, where, arrow))


def _dequote(text: str) -> str:
    if len(text) >= 2 and (text[0], text[-1]) in {('"', '"'), ("<", ">")}:
        return text[1:-1]
    return text


def _code_lines(path: Path) -> Iterator[tuple[Where, str]]:
    """Non-empty code of each line of *path*, comments removed."""
    with path.open(encoding="utf-8", errors="replace") as file:
        text = file.read()
    depth = 0
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        code, depth = strip_comments(raw, depth)
        if code:
            yield Where(path, number), code


def strip_comments(line: str, depth: int) -> tuple[str, int]:
    """The code of one line and the block-comment depth after it (``main/config.c``)."""
    out: list[str] = []
    mark = 0  # a "--;" must not reuse the dashes of the ";--" that opened the comment
    i = 0
    while i < len(line):
        if line[i] != ";":
            if not depth:
                out.append(line[i])
            i += 1
        elif i > 0 and line[i - 1] == "\\":
            if not depth:
                out[-1] = ";"  # "\\;" is a literal semicolon
            i += 1
        elif line.startswith(";--", i) and not line.startswith(";---", i):
            depth += 1
            i += 3
            mark = i
        elif depth and i >= mark + 2 and line[i - 2 : i] == "--":
            depth -= 1
            i += 1
            mark = i
        elif depth:
            i += 1
        else:
            break
    return "".join(out).strip(), depth
