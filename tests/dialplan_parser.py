"""Asterisk ``.conf`` files for tests: a strict parser, a dialplan model and a tiny interpreter.

pyst2's ``asterisk.config`` (0.5.1) runs on Python 3.11 but cannot read our files: it rejects
``#include`` lines and template sections (``[201](operator-endpoint)``), does not know ``\\;``
escapes or ``;-- --;`` block comments, never closes the file it reads (a ``ResourceWarning``,
an error under this suite's ``filterwarnings = error``), and knows nothing of dialplan syntax.
So this module reads the files the way Asterisk's config loader does, for what our files use:

* :func:`load_config` - sections (with template options), ``key = value`` / ``key => value``
  settings, ``#include`` expanded in place; every error names the file and line.
* :class:`Dialplan` - contexts, extensions and their priorities from ``exten =>``/``same =>``
  (numbers, ``n``, ``(labels)``), Asterisk extension patterns, ``include =>``.
* :class:`Walker` - runs a call through the dialplan with the outcomes of AGI, Queue and Dial
  given by the test, evaluating ``${...}`` and ``$[...]`` like Asterisk for the applications and
  functions our dialplan uses (and failing loudly on any other).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# --------------------------------------------------------------------------------------------
# Config files


@dataclass(frozen=True)
class Location:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class ConfigError(Exception):
    """A file Asterisk would misread; the message starts with ``path:line:``."""

    def __init__(self, where: Location, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    arrow: bool  # written "=>" rather than "="
    where: Location


@dataclass
class Section:
    name: str
    options: tuple[str, ...]  # "[x](!,base)" -> ("!", "base")
    where: Location
    settings: list[Setting] = field(default_factory=list)

    @property
    def is_template(self) -> bool:
        return "!" in self.options

    @property
    def templates(self) -> tuple[str, ...]:
        return tuple(o for o in self.options if o not in {"!", "+"})

    def get_all(self, key: str) -> list[str]:
        return [s.value for s in self.settings if s.key.lower() == key.lower()]

    def get(self, key: str) -> str | None:
        values = self.get_all(key)
        return values[-1] if values else None


@dataclass
class ConfigFile:
    path: Path
    sections: list[Section]
    included: list[Path]  # files pulled in by #include, in order

    def named(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]

    def effective(self, section: Section) -> dict[str, list[str]]:
        """Settings of *section* with those inherited from its templates (templates first)."""
        merged: dict[str, list[str]] = {}
        for template in section.templates:
            candidates = [s for s in self.sections if s.name == template and s.is_template]
            if not candidates:
                raise ConfigError(section.where, f"template [{template}] is not defined")
            for key, values in self.effective(candidates[-1]).items():
                merged.setdefault(key, []).extend(values)
        for setting in section.settings:
            merged.setdefault(setting.key.lower(), []).append(setting.value)
        return merged


_SECTION = re.compile(r"^\[(?P<name>[^\[\]]+)\](?:\((?P<options>[^()]*)\))?$")
_SETTING = re.compile(r"^(?P<key>[A-Za-z0-9_.+/-]+)\s*(?P<op>=>|=)\s*(?P<value>.*)$")
_INCLUDE = re.compile(
    r'^#(?P<kind>include|tryinclude)\s+(?:"(?P<q>[^"]+)"|<(?P<a>[^>]+)>|(?P<b>\S+))$'
)


def _strip_comment(text: str, in_block: int) -> tuple[str, int]:
    """The code part of one line and the block-comment depth after it (``\\;`` is a literal)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if in_block:
            if text.startswith("--;", i):
                in_block -= 1
                i += 3
            elif text.startswith(";--", i):
                in_block += 1
                i += 3
            else:
                i += 1
            continue
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == ";":
            out.append(";")
            i += 2
        elif text.startswith(";--", i):
            in_block += 1
            i += 3
        elif ch == ";":
            break
        else:
            out.append(ch)
            i += 1
    return "".join(out).strip(), in_block


def _lines(
    path: Path, search: tuple[Path, ...], seen: tuple[Path, ...], included: list[Path]
) -> Iterator[tuple[Location, str]]:
    """Code lines of *path* with ``#include`` expanded in place, as Asterisk does."""
    if path.resolve() in seen:
        raise ConfigError(Location(path, 0), "#include loop")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(Location(path, 0), f"not UTF-8: {exc}") from exc
    in_block = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        where = Location(path, number)
        code, in_block = _strip_comment(raw, in_block)
        if not code:
            continue
        if code.startswith("#"):
            match = _INCLUDE.match(code)
            if match is None:
                raise ConfigError(where, f"unsupported directive {code!r}")
            name = match["q"] or match["a"] or match["b"]
            target = _find_include(name, path, search)
            if target is None:
                if match["kind"] == "tryinclude":
                    continue
                raise ConfigError(
                    where, f"#include {name!r}: no such file next to it or in {search}"
                )
            included.append(target)
            yield from _lines(target, search, (*seen, path.resolve()), included)
            continue
        yield where, code
    if in_block:
        raise ConfigError(Location(path, len(text.splitlines())), "unterminated ;-- block comment")


def _find_include(name: str, including: Path, search: tuple[Path, ...]) -> Path | None:
    candidate = Path(name)
    if candidate.is_absolute():
        return candidate if candidate.is_file() else None
    for directory in (including.parent, *search):
        if (directory / candidate).is_file():
            return directory / candidate
    return None


def load_config(path: Path, search: tuple[Path, ...] = ()) -> ConfigFile:
    """Parse *path*; ``#include`` names are looked up next to the including file, then in
    *search* (Asterisk looks in its config directory, where a deployer copies both files)."""
    sections: list[Section] = []
    included: list[Path] = []
    current: Section | None = None
    for where, code in _lines(path, search, (), included):
        if code.startswith("["):
            match = _SECTION.match(code)
            if match is None:
                raise ConfigError(where, f"malformed section header {code!r}")
            options = tuple(o.strip() for o in (match["options"] or "").split(",") if o.strip())
            current = Section(match["name"].strip(), options, where)
            sections.append(current)
            continue
        match = _SETTING.match(code)
        if match is None:
            raise ConfigError(where, f"not a comment, [section], #include or key = value: {code!r}")
        if current is None:
            raise ConfigError(where, f"setting {match['key']!r} before any [section]")
        current.settings.append(
            Setting(match["key"], match["value"].strip(), match["op"] == "=>", where)
        )
    return ConfigFile(path, sections, included)


# --------------------------------------------------------------------------------------------
# Argument splitting and substitution helpers (main/app.c, main/pbx_variables.c)


def split_args(data: str, delim: str = ",") -> list[str]:
    """``__ast_app_separate_args`` without removing quotes: *delim* outside (), [] and "..."."""
    args: list[str] = []
    paren = bracket = 0
    quote = False
    start = 0
    i = 0
    while i < len(data):
        ch = data[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            paren += 1
        elif ch == ")" and paren:
            paren -= 1
        elif ch == "[":
            bracket += 1
        elif ch == "]" and bracket:
            bracket -= 1
        elif ch == '"' and delim != '"':
            quote = not quote
        elif ch == delim and not paren and not bracket and not quote:
            args.append(data[start:i])
            start = i + 1
        i += 1
    args.append(data[start:])
    return args


def check_balanced(text: str, where: Location) -> None:
    """``${`` needs ``}``, ``$[`` needs ``]``, parentheses pair up. Quotes are not special:
    Asterisk substitutes ``${...}`` inside them, and our quoted strings hold no brackets."""
    closing = {"(": ")", "${": "}", "$[": "]", "{": "}", "[": "]"}
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if text.startswith("${", i) or text.startswith("$[", i):
            stack.append(text[i : i + 2])
            i += 2
            continue
        if ch in "([{":
            stack.append(ch)
        elif ch in ")]}":
            if not stack or closing[stack[-1]] != ch:
                raise ConfigError(where, f"unbalanced {ch!r} at column {i + 1} in {text!r}")
            stack.pop()
        i += 1
    if stack:
        raise ConfigError(where, f"unclosed {stack[-1]!r} in {text!r}")


def _matching(text: str, start: int, open_: str, close: str) -> int:
    """Index of the bracket closing the one opened just before *start*."""
    depth = 1
    i = start
    while i < len(text):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"no closing {close!r} in {text!r}")


# --------------------------------------------------------------------------------------------
# Extension patterns (main/pbx.c)


def pattern_regex(exten: str) -> re.Pattern[str]:
    """A compiled regex for an extension name: literal, or ``_`` pattern (X Z N [..] . !)."""
    if not exten.startswith("_"):
        return re.compile(re.escape(exten.replace("-", "")) + r"\Z")
    out: list[str] = []
    body = exten[1:]
    i = 0
    while i < len(body):
        ch = body[i]
        upper = ch.upper()
        if upper == "X":
            out.append("[0-9]")
        elif upper == "Z":
            out.append("[1-9]")
        elif upper == "N":
            out.append("[2-9]")
        elif ch == ".":
            out.append(".+")
        elif ch == "!":
            out.append(".*")
        elif ch == "[":
            end = body.index("]", i)
            members = body[i + 1 : end]
            out.append("[" + members.replace("\\", "\\\\").replace("^", "\\^") + "]")
            i = end
        elif ch == "-":
            pass
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


def exten_matches(exten: str, dialed: str) -> bool:
    return pattern_regex(exten).match(dialed) is not None


# --------------------------------------------------------------------------------------------
# Dialplan model


@dataclass(frozen=True)
class Step:
    context: str
    exten: str
    priority: int
    label: str | None
    app: str  # as written, e.g. "GotoIf"
    data: str  # the argument string inside the parentheses
    where: Location

    @property
    def app_lower(self) -> str:
        return self.app.lower()

    def __str__(self) -> str:
        label = f"({self.label})" if self.label else ""
        return f"{self.where}: {self.exten},{self.priority}{label},{self.app}({self.data})"


@dataclass
class Extension:
    name: str
    steps: dict[int, Step] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)

    def ordered(self) -> list[Step]:
        return [self.steps[p] for p in sorted(self.steps)]


@dataclass
class Context:
    name: str
    where: Location
    extensions: dict[str, Extension] = field(default_factory=dict)
    includes: list[str] = field(default_factory=list)

    def matching(self, dialed: str) -> list[Extension]:
        """Extensions that match *dialed*, exact names first (Asterisk prefers them)."""
        exact = [e for n, e in self.extensions.items() if not n.startswith("_") and n == dialed]
        patterns = [
            e for n, e in self.extensions.items() if n.startswith("_") and exten_matches(n, dialed)
        ]
        return exact + patterns


_PRIORITY = re.compile(r"^(?P<prio>\d+|n(?:\+\d+)?|s(?:\+\d+)?|hint)(?:\((?P<label>[^()]*)\))?$")
_APP = re.compile(r"^(?P<app>[A-Za-z][A-Za-z0-9_]*)\s*(?:\((?P<data>.*)\))?$", re.DOTALL)
_EXTEN_NAME = re.compile(r"^(?:_[A-Za-z0-9*#+\-.!\[\]]+|[A-Za-z0-9*#+\-]+)(?:/[^,]+)?$")
NON_DIALPLAN_SECTIONS = frozenset({"general", "globals"})


class Dialplan:
    """The contexts of an ``extensions.conf`` (after ``#include``), checked as Asterisk's
    ``pbx_config`` loads them: priorities, labels, ``same =>`` continuity, applications."""

    def __init__(self, config: ConfigFile) -> None:
        self.config = config
        self.contexts: dict[str, Context] = {}
        self.globals: dict[str, str] = {}
        self.general: dict[str, str] = {}
        for section in config.sections:
            if section.name in NON_DIALPLAN_SECTIONS:
                target = self.globals if section.name == "globals" else self.general
                for setting in section.settings:
                    target[setting.key] = setting.value
                continue
            if section.name in self.contexts:
                raise ConfigError(section.where, f"context [{section.name}] defined twice")
            self.contexts[section.name] = self._context(section)

    def _context(self, section: Section) -> Context:
        context = Context(section.name, section.where)
        last: tuple[Extension, int] | None = None
        for setting in section.settings:
            key = setting.key.lower()
            where = setting.where
            if not setting.arrow and key in {"exten", "same", "include"}:
                raise ConfigError(where, f"write {key} =>, not {key} =")
            if key == "include":
                context.includes.append(setting.value.strip())
                continue
            if key == "exten":
                parts = split_args(setting.value)
                if len(parts) < 3:
                    raise ConfigError(where, f"exten => needs name,priority,app: {setting.value!r}")
                name = parts[0].strip()
                if not _EXTEN_NAME.match(name):
                    raise ConfigError(where, f"invalid extension name {name!r}")
                extension = context.extensions.setdefault(name, Extension(name))
                prio_text, rest = parts[1].strip(), ",".join(parts[2:])
                previous = max(extension.steps) if extension.steps else None
            elif key == "same":
                if last is None:
                    raise ConfigError(where, "same => with no exten => before it in this context")
                parts = split_args(setting.value)
                if len(parts) < 2:
                    raise ConfigError(where, f"same => needs priority,app: {setting.value!r}")
                extension, previous = last[0], last[1]
                prio_text, rest = parts[0].strip(), ",".join(parts[1:])
            else:
                raise ConfigError(
                    where, f"[{section.name}] is a dialplan context: {setting.key!r} is not allowed"
                )
            match = _PRIORITY.match(prio_text)
            if match is None:
                raise ConfigError(where, f"invalid priority {prio_text!r}")
            prio_word, label = match["prio"], match["label"]
            if prio_word == "hint":
                continue
            if prio_word.isdigit():
                priority = int(prio_word)
            elif prio_word.startswith("n"):
                if previous is None:
                    raise ConfigError(
                        where, f"priority n with no earlier priority in {extension.name}"
                    )
                priority = previous + 1 + int(prio_word[2:] or 0)
            else:  # s, s+N: same as the previous priority
                if previous is None:
                    raise ConfigError(
                        where, f"priority s with no earlier priority in {extension.name}"
                    )
                priority = previous + int(prio_word[2:] or 0)
            if priority < 1:
                raise ConfigError(where, "priorities start at 1")
            if not extension.steps and priority != 1:
                raise ConfigError(where, f"extension {extension.name} does not start at priority 1")
            if priority in extension.steps:
                raise ConfigError(
                    where,
                    f"{extension.name} priority {priority} already used at "
                    f"{extension.steps[priority].where}",
                )
            if label:
                if label in extension.labels:
                    raise ConfigError(where, f"label {label!r} used twice in {extension.name}")
                extension.labels[label] = priority
            app_match = _APP.match(rest.strip())
            if app_match is None:
                raise ConfigError(where, f"not an application call: {rest.strip()!r}")
            data = app_match["data"] or ""
            check_balanced(data, where)
            extension.steps[priority] = Step(
                section.name, extension.name, priority, label, app_match["app"], data, where
            )
            last = (extension, priority)
        return context

    def steps(self) -> Iterator[Step]:
        for context in self.contexts.values():
            for extension in context.extensions.values():
                yield from extension.ordered()

    def extensions_for(self, context: str, dialed: str) -> list[Extension]:
        """Matching extensions in *context* and the contexts it includes, in search order."""
        found: list[Extension] = []
        todo = [context]
        seen: set[str] = set()
        while todo:
            name = todo.pop(0)
            if name in seen or name not in self.contexts:
                continue
            seen.add(name)
            found.extend(self.contexts[name].matching(dialed))
            todo.extend(self.contexts[name].includes)
        return found

    def target_problem(self, step: Step, target: str) -> str | None:
        """Why ``Goto``-style *target* ([[context,]exten,]priority|label) cannot be reached
        from *step*, or None. A ``${...}`` extension is checked against every extension."""
        parts = [p.strip() for p in split_args(target)]
        if len(parts) > 3 or not all(parts):
            return f"malformed target {target!r}"
        priority = re.sub(r"\(.*\)$", "", parts[-1])  # Gosub arguments
        context = parts[0] if len(parts) == 3 else step.context
        exten = parts[-2] if len(parts) >= 2 else step.exten
        if "${" in context or "${" in priority:
            return f"target {target!r} has a computed context or priority: cannot be checked"
        if context not in self.contexts:
            return f"target {target!r}: no context [{context}]"
        if "${" in exten:
            candidates = [
                e for c in self._included(context) for e in self.contexts[c].extensions.values()
            ]
        elif len(parts) == 1:
            candidates = [self.contexts[step.context].extensions[step.exten]]
        else:
            candidates = self.extensions_for(context, exten)
            if not candidates:
                return f"target {target!r}: no extension matches {exten!r} in [{context}]"
        for extension in candidates:
            if priority.isdigit() and int(priority) in extension.steps:
                return None
            if priority in extension.labels:
                return None
        return f"target {target!r}: no priority or label {priority!r} in [{context}] {exten!r}"

    def _included(self, context: str) -> list[str]:
        names = [context]
        for name in names:
            names.extend(i for i in self.contexts[name].includes if i not in names)
        return [n for n in names if n in self.contexts]


def branch_targets(step: Step) -> list[str]:
    """The jump targets a step names (both branches of the conditional ones)."""
    app = step.app_lower
    if app in {"goto", "gosub"}:
        return [step.data]
    if app in {"gotoif", "gotoiftime", "gosubif"}:
        _, _, branches = step.data.partition("?")
        if app == "gosubif":
            return [b for b in split_args(branches, ":") if b.strip()]
        return [b for b in branches.split(":", 1) if b.strip()]
    return []


# --------------------------------------------------------------------------------------------
# Expressions $[...] (main/ast_expr2.y, the subset our dialplan uses)

_TOKEN = re.compile(
    r'\s*(?:"(?P<str>[^"]*)"|(?P<op>!=|>=|<=|=|<|>|\||&|\(|\))|(?P<word>[^\s"=!<>|&()]+))'
)


def evaluate_expression(text: str) -> str:
    """Strings, numbers, ``= != < > <= >=``, ``&`` binding tighter than ``|``, parentheses."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot tokenise expression {text!r} at {pos}")
        pos = match.end()
        if match["str"] is not None:
            tokens.append(("v", match["str"]))
        elif match["op"]:
            tokens.append(("o", match["op"]))
        else:
            tokens.append(("v", match["word"]))
    result, rest = _or(tokens)
    if rest:
        raise ValueError(f"trailing tokens in expression {text!r}: {rest}")
    return result


def _truth(value: str) -> bool:
    try:
        return float(value) != 0
    except ValueError:
        return value != ""


def _or(tokens: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    left, tokens = _and(tokens)
    while tokens and tokens[0] == ("o", "|"):
        right, tokens = _and(tokens[1:])
        left = "1" if _truth(left) or _truth(right) else "0"
    return left, tokens


def _and(tokens: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    left, tokens = _compare(tokens)
    while tokens and tokens[0] == ("o", "&"):
        right, tokens = _compare(tokens[1:])
        left = "1" if _truth(left) and _truth(right) else "0"
    return left, tokens


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


def _compare(tokens: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    left, tokens = _atom(tokens)
    while tokens and tokens[0][0] == "o" and tokens[0][1] in _COMPARE:
        op = tokens[0][1]
        right, tokens = _atom(tokens[1:])
        a: object
        b: object
        try:
            a, b = float(left), float(right)
        except ValueError:
            a, b = left, right
        left = "1" if _COMPARE[op](a, b) else "0"
    return left, tokens


def _atom(tokens: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    if not tokens:
        return "", tokens
    kind, value = tokens[0]
    if (kind, value) == ("o", "("):
        inner, rest = _or(tokens[1:])
        if not rest or rest[0] != ("o", ")"):
            raise ValueError("missing ) in expression")
        return inner, rest[1:]
    if kind == "o":
        return "", tokens  # an empty operand, as after substituting an empty variable
    return value, tokens[1:]


# --------------------------------------------------------------------------------------------
# Time specs of GotoIfTime (main/pbx_timing.c)

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def timing_matches(spec: str, when: datetime) -> bool:
    """``times,weekdays,mdays,months[,timezone]`` at the aware datetime *when*. Ranges are
    inclusive at both ends, to the minute (09:00-18:00 includes 18:00-18:00:59)."""
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) not in {4, 5}:
        raise ValueError(f"GotoIfTime spec needs 4 or 5 fields: {spec!r}")
    local = when.astimezone(ZoneInfo(parts[4])) if len(parts) == 5 and parts[4] else when
    minute = local.hour * 60 + local.minute
    return (
        _in_ranges(parts[0], minute, _minutes, 1440)
        and _in_ranges(parts[1], local.weekday(), lambda v: _DAYS.index(v.lower()), 7)
        and _in_ranges(parts[2], local.day, int, 32)
        and _in_ranges(parts[3], local.month - 1, lambda v: _MONTHS.index(v.lower()), 12)
    )


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _in_ranges(field_: str, value: int, parse: Callable[[str], int], modulo: int) -> bool:
    if field_ in {"*", ""}:
        return True
    for part in field_.split("&"):
        start_text, _, end_text = part.partition("-")
        start = parse(start_text)
        end = parse(end_text) if end_text else start
        x = start
        while True:
            if x == value:
                return True
            if x == end:
                break
            x = (x + 1) % modulo
    return False


# --------------------------------------------------------------------------------------------
# A tiny interpreter for one channel


class WalkError(AssertionError):
    """The walk hit something our dialplan must not do (loop, unknown app, fell off the end)."""


@dataclass
class Event:
    app: str  # lower-case application name
    data: str  # arguments after substitution
    step: Step
    variables: dict[str, str]  # a copy of the channel variables when it ran


AgiHandler = Callable[[str, list[str], dict[str, str]], str]
"""(route, arguments, channel variables to update) -> AGISTATUS."""


@dataclass
class Walker:
    """Runs one channel from a dialplan position until it hangs up.

    The test supplies what the outside world does: ``agi`` answers each AGI() call (it may set
    channel variables, as a route does), ``queue_status`` and ``dial_status`` are consumed in
    order by Queue() and Dial(), ``now`` is the wall clock for GotoIfTime.
    """

    dialplan: Dialplan
    agi: AgiHandler
    now: datetime
    queue_status: list[str] = field(default_factory=list)
    dial_status: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    channel: dict[str, str] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    max_steps: int = 500

    def run(self, context: str, exten: str, priority: int = 1) -> list[Event]:
        self.channel.setdefault("language", "en")  # Asterisk's default until something sets it
        self.channel.setdefault("state", "Ring")
        self.channel.setdefault("linkedid", "1795867163.0")
        self.channel.setdefault("name", "PJSIP/trunk-00000000")
        stack: list[tuple[str, str, int]] = []
        position: tuple[str, str, int] | None = (context, exten, priority)
        for _ in range(self.max_steps):
            if position is None:
                return self.events
            context, exten, priority = position
            step = self._step(context, exten, priority)
            self.variables["EXTEN"] = exten
            data = self.substitute(step.data)
            self.events.append(Event(step.app_lower, data, step, dict(self.variables)))
            position = self._execute(step, data, (context, exten, priority), stack)
        raise WalkError(f"more than {self.max_steps} steps: a loop? last {self.events[-1].step}")

    def played(self) -> list[str]:
        return [f for e in self.events if e.app == "playback" for f in e.data.split("&")]

    def apps(self) -> list[str]:
        return [e.app for e in self.events]

    def agi_calls(self) -> list[tuple[str, list[str]]]:
        calls = []
        for event in self.events:
            if event.app == "agi":
                url, *args = split_args(event.data)
                calls.append((url.rsplit("/", 1)[-1], args))
        return calls

    def _step(self, context: str, exten: str, priority: int) -> Step:
        extensions = self.dialplan.extensions_for(context, exten)
        if not extensions:
            raise WalkError(f"no extension {exten!r} in [{context}]")
        exact = [e for e in extensions if e.name == exten]
        if not exact and len(extensions) > 1:
            names = [e.name for e in extensions]
            raise WalkError(f"{exten!r} matches several patterns in [{context}]: {names}")
        extension = (exact or extensions)[0]
        if priority not in extension.steps:
            last = extension.ordered()[-1]
            raise WalkError(f"fell off the end of [{context}] {extension.name} after {last}")
        return extension.steps[priority]

    def _jump(self, target: str, here: tuple[str, str, int]) -> tuple[str, str, int]:
        parts = [p.strip() for p in split_args(target)]
        priority_text = re.sub(r"\(.*\)$", "", parts[-1])
        context = parts[0] if len(parts) == 3 else here[0]
        exten = parts[-2] if len(parts) >= 2 else here[1]
        if priority_text.isdigit():
            return context, exten, int(priority_text)
        for extension in self.dialplan.extensions_for(context, exten):
            if priority_text in extension.labels:
                return context, exten, extension.labels[priority_text]
        raise WalkError(f"no label {priority_text!r} in [{context}] {exten}")

    def _execute(
        self,
        step: Step,
        data: str,
        here: tuple[str, str, int],
        stack: list[tuple[str, str, int]],
    ) -> tuple[str, str, int] | None:
        app = step.app_lower
        following = (here[0], here[1], here[2] + 1)
        if app in {"noop", "verbose", "wait"}:
            return following
        if app == "answer":
            self.channel["state"] = "Up"
            return following
        if app == "hangup":
            return None
        if app == "set":
            self._set(data)
            return following
        if app == "execif":
            condition, _, branches = data.partition("?")
            chosen = split_args(branches, ":")
            branch = chosen[0] if _truth(condition) else (chosen[1] if len(chosen) > 1 else "")
            if branch:
                match = _APP.match(branch.strip())
                if match is None or match["app"].lower() != "set":
                    raise WalkError(f"{step}: the walker only runs Set() inside ExecIf")
                self._set(match["data"] or "")
            return following
        if app == "goto":
            return self._jump(data, here)
        if app in {"gotoif", "gotoiftime"}:
            condition, _, branches = data.partition("?")
            true_branch, _, false_branch = branches.partition(":")
            taken = (
                timing_matches(condition, self.now) if app == "gotoiftime" else _truth(condition)
            )
            branch = true_branch if taken else false_branch
            return self._jump(branch, here) if branch.strip() else following
        if app == "gosub":
            stack.append(following)
            return self._jump(data, here)
        if app == "return":
            if not stack:
                raise WalkError(f"{step}: Return() without Gosub")
            return stack.pop()
        if app == "agi":
            url, *args = split_args(data)
            route = url.rsplit("/", 1)[-1]
            updates: dict[str, str] = {}
            status = self.agi(route, args, updates)
            for name, value in updates.items():
                self._assign(name, value)
            self.variables["AGISTATUS"] = status
            return None if status == "HANGUP" else following
        if app == "queue":
            if not self.queue_status:
                raise WalkError(f"{step}: Queue() called more often than the test expected")
            self.variables["QUEUESTATUS"] = self.queue_status.pop(0)
            return following
        if app == "dial":
            if not self.dial_status:
                raise WalkError(f"{step}: Dial() called more often than the test expected")
            self.variables["DIALSTATUS"] = self.dial_status.pop(0)
            return following
        if app == "playback":
            self.channel["state"] = "Up"
            return following
        raise WalkError(f"{step}: the walker does not know application {step.app}")

    def _set(self, data: str) -> None:
        name, sep, value = data.partition("=")
        if not sep:
            raise WalkError(f"Set({data}) has no '='")
        self._assign(name.strip(), value)

    def _assign(self, name: str, value: str) -> None:
        function = re.fullmatch(r"CHANNEL\((\w+)\)", name)
        if function:
            self.channel[function[1]] = value
            return
        plain = name.lstrip("_")
        # As pbx_builtin_setvar_helper does: Set(X=) stores an empty value, it does not unset.
        self.variables[plain] = value
        if name.startswith("__"):
            self.variables["__" + plain] = value  # remembers that it is inherited

    # -- ${...} and $[...] ---------------------------------------------------------------

    def substitute(self, text: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            if text.startswith("${", i):
                end = _matching(text, i + 2, "{", "}")
                out.append(self._value(self.substitute(text[i + 2 : end])))
                i = end + 1
            elif text.startswith("$[", i):
                end = _matching(text, i + 2, "[", "]")
                out.append(evaluate_expression(self.substitute(text[i + 2 : end])))
                i = end + 1
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def _value(self, name: str) -> str:
        call = re.fullmatch(r"(?P<func>[A-Z_]+)\((?P<args>.*)\)", name, re.DOTALL)
        if call is None:
            return self.variables.get(name, self.dialplan.globals.get(name, ""))
        func, args = call["func"], call["args"]
        handler = _FUNCTIONS.get(func)
        if handler is None:
            raise WalkError(f"the walker does not know function {func}()")
        return handler(self, args)


def _func_channel(walker: Walker, args: str) -> str:
    return walker.channel.get(args, "")


def _func_filter(walker: Walker, args: str) -> str:
    allowed, _, string = args.partition(",")
    return "".join(ch for ch in string if ch in allowed)


def _func_len(walker: Walker, args: str) -> str:
    return str(len(args))


def _func_if(walker: Walker, args: str) -> str:
    condition, _, branches = args.partition("?")
    true_branch, _, false_branch = branches.partition(":")
    return true_branch if _truth(condition) else false_branch


def _func_callerid(walker: Walker, args: str) -> str:
    return walker.variables.get(f"CALLERID({args})", "79281234567")


_FUNCTIONS: Mapping[str, Callable[[Walker, str], str]] = {
    "CHANNEL": _func_channel,
    "FILTER": _func_filter,
    "LEN": _func_len,
    "IF": _func_if,
    "CALLERID": _func_callerid,
}
