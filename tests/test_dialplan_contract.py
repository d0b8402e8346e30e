"""The Asterisk integration contract between ``dialplan/``, ``asterisk/etc/`` and ``ivr/``.

There is no Asterisk in CI, so the files are read the way Asterisk reads them
(:mod:`tests.dialplan_parser`), checked statically (routes, arguments, variables, AGISTATUS
checks, jump targets, contexts, prompts, sample configs), and calls are walked through the
dialplan with the outcomes of AGI, Queue and Dial that each test chooses (C2, C3, C9-C11, C13,
C15, V11).

Prompts the dialplan plays itself, as ``consult-line/${CHANNEL(language)}/<id>`` (the catalogue
``ivr.prompts.PROMPTS`` must hold each id, in every language):

    agi-failure           FastAGI down in working hours, just before the queue
    closed-hours          FastAGI down after hours (hours approximated, see dialplan/README.md)
    goodbye               after the survey, or instead of it when the survey route failed
    no-operators          nobody answered in the queue (JOINEMPTY, LEAVEEMPTY, TIMEOUT, ...)
    transfer-unavailable  to the caller: transfer refused (unknown employee), failed (no answer)
                          or the guard unreachable; the caller goes back to the queue
    callback-dial-failed  to the operator: the callback (C11) could not reach the client
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import ivr.variables
from ami.actions import OPERATOR_RING_TIMEOUT_S, OUTCOME_MARGIN_S
from ivr import route_names
from models.rules.callbacks import DIAL_RESERVATION_TTL
from tests.asterisk_captures import CAPTURES_ETC
from tests.dialplan_parser import (
    AgiHandler,
    ConfigError,
    ConfigFile,
    Dialplan,
    Step,
    Walker,
    branch_targets,
    load_config,
    split_args,
    timing_matches,
)

ROOT = Path(__file__).resolve().parents[1]
DIALPLAN_DIR = ROOT / "dialplan"
ETC_DIR = ROOT / "asterisk" / "etc"
EXTENSIONS_CONF = ETC_DIR / "extensions.conf"

DIALPLAN_PROMPTS = frozenset(
    {
        "agi-failure",
        "closed-hours",
        "goodbye",
        "no-operators",
        "transfer-unavailable",
        "callback-dial-failed",
    }
)

# Arguments of each route, from the comments in ivr/route_names.py: (required, optional).
ROUTE_ARGUMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    route_names.ENTRY: (("linkedid",), ()),
    route_names.SURVEY: (("linkedid",), ()),
    route_names.TRANSFER: (("linkedid", "extension"), ("leg",)),
    route_names.TRANSFER_FAILED: (("linkedid", "dialstatus"), ()),
    route_names.CALLBACK_DIALOUT: (("task id", "channel"), ()),
    route_names.VISIT_REMINDER: (("reminder id", "channel"), ()),
}
# What the dialplan passes for each argument: values Asterisk makes, never caller text.
ARGUMENT_EXPRESSIONS = {
    "linkedid": "${CHANNEL(linkedid)}",
    "extension": "${EXTEN}",
    "leg": "${XFER_LEG}",
    "dialstatus": "${DIALSTATUS}",
    "task id": "${CALLBACK_TASK_ID}",
    # Set by the service's Originate of a reminder call (V3, V4), never by the visitor.
    "reminder id": "${VISIT_REMINDER_ID}",
    # The channel's own Uniqueid: on a click-to-call, the Originate's ChannelId (C11).
    "channel": "${CHANNEL(uniqueid)}",
}

AGI_CHECK = '$["${LINE_AGI_DONE}"!="1" | "${LINE_AGI_FAILED}"="1"]'
CONTRACT_PREFIXES = ("LINE_", "TRANSFER_", "CALLBACK_", "SURVEY_", "VISIT_")
INBOUND = "consult-line-inbound"
LINE_DID = "78722678091"  # C2
CONTRACT_CONTEXTS = {
    INBOUND: ("s", LINE_DID),
    "consult-line-survey": ("s",),
    "consult-line-callback": ("s",),
    "consult-line-visit-reminder": ("s",),
    "consult-line-transfer": (),
}
AMI_USER = "consult-line"
AMI_READ = frozenset({"call", "agent", "system", "cdr", "dialplan", "dtmf"})
AMI_WRITE = frozenset({"call", "originate", "agent", "reporting"})

# Applications and functions the dialplan may use, and the module each needs (modules.conf).
APP_MODULES = {
    "agi": "res_agi.so",
    "queue": "app_queue.so",
    "dial": "app_dial.so",
    "playback": "app_playback.so",
    "gosub": "app_stack.so",
    "return": "app_stack.so",
    "execif": "app_exec.so",
}
BUILTIN_APPS = frozenset({"answer", "hangup", "noop", "goto", "gotoif", "gotoiftime", "set"})
FUNCTION_MODULES = {
    "CHANNEL": "func_channel.so",
    "FILTER": "func_strings.so",
    "LEN": "func_strings.so",
    "IF": "func_logic.so",
    "CALLERID": "func_callerid.so",
}

MSK = ZoneInfo("Europe/Moscow")
IN_HOURS = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)  # Tuesday
AFTER_HOURS = datetime(2026, 12, 1, 18, 0, tzinfo=MSK)  # Tuesday, 18:00 sharp: closed
WEEKEND = datetime(2026, 11, 28, 12, 0, tzinfo=MSK)  # Saturday
LINKEDID = "1795867163.0"

_VARIABLE_READ = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")
_AGI_URL = re.compile(r"^\$\{CONSULT_AGI\}/(?P<route>[a-z][a-z0-9-]*)$")
_PROMPT = re.compile(r"^consult-line/\$\{CHANNEL\(language\)\}/(?P<id>[a-z0-9][a-z0-9-]*)$")
_FUNCTION = re.compile(r"\$\{(?P<func>[A-Z_]+)\(")


# --------------------------------------------------------------------------------------------
# Loading


def _dialplan_files() -> list[Path]:
    return sorted(DIALPLAN_DIR.glob("*.conf"))


def _etc_files() -> list[Path]:
    return sorted(ETC_DIR.glob("*.conf"))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@pytest.fixture(scope="module")
def own_steps() -> list[Step]:
    """Every step written in dialplan/ (each file is #include-able on its own)."""
    steps: list[Step] = []
    for path in _dialplan_files():
        steps.extend(Dialplan(load_config(path)).steps())
    assert steps, f"no dialplan in {_rel(DIALPLAN_DIR)}"
    return steps


@pytest.fixture(scope="module")
def installed() -> Dialplan:
    """The dialplan as a deployer installs it: asterisk/etc/extensions.conf with its #include."""
    return Dialplan(load_config(EXTENSIONS_CONF, (DIALPLAN_DIR,)))


def _etc(name: str) -> ConfigFile:
    return load_config(ETC_DIR / name)


def _where(step: Step) -> str:
    return f"{_rel(step.where.path)}:{step.where.line}"


# --------------------------------------------------------------------------------------------
# The files parse


def test_the_dialplan_and_sample_configs_exist() -> None:
    assert [p.name for p in _dialplan_files()] == ["consult-line.conf"]
    names = {p.name for p in _etc_files()}
    required = {"extensions.conf", "queues.conf", "manager.conf", "logger.conf", "pjsip.conf"}
    assert required | {"features.conf", "modules.conf", "cdr.conf"} <= names


@pytest.mark.parametrize("path", _dialplan_files() + _etc_files(), ids=_rel)
def test_config_file_parses(path: Path) -> None:
    """Every line: comment, [section], #include, key = value; dialplan contexts hold only
    exten =>/same =>/include => lines with valid priorities, labels and application calls."""
    config = load_config(path, (DIALPLAN_DIR,))
    assert config.sections, f"{_rel(path)}: no sections"
    if path.parent == DIALPLAN_DIR or path.name == "extensions.conf":
        Dialplan(config)


def test_extensions_conf_includes_every_dialplan_file_and_sets_the_globals(
    installed: Dialplan,
) -> None:
    config = load_config(EXTENSIONS_CONF, (DIALPLAN_DIR,))
    assert {p.resolve() for p in config.included} == {p.resolve() for p in _dialplan_files()}
    assert installed.globals.get("CONSULT_AGI") == "agi://127.0.0.1:4573"
    assert installed.globals.get("CONSULT_TRUNK") == "trunk"


def test_dialplan_defaults_match_the_sample_globals(installed: Dialplan) -> None:
    """consult-line-defaults fills in globals a deployer left out: the same values."""
    defaults: dict[str, str] = {}
    for step in installed.contexts["consult-line-defaults"].extensions["s"].ordered():
        match = re.fullmatch(r'\$\["\$\{(\w+)\}"=""\]\?Set\(\1=(.*)\)', step.data)
        if match:
            defaults[match[1]] = match[2]
    assert defaults, "consult-line-defaults sets nothing"
    for name, value in defaults.items():
        assert installed.globals.get(name) == value, f"{name}: default {value!r} vs [globals]"
    assert set(defaults) == {k for k in installed.globals if k.startswith("CONSULT_")}


# The parser must accept real Asterisk syntax, not only ours: lines from the harness dialplan
# that ran on Asterisk 22.10.1 (tests/fixtures/asterisk/etc/extensions.conf).
REAL_DIALPLAN = r"""
[globals]
FASTAGI=agi://127.0.0.1:4573
[harness-caller]
exten => caller,1,Answer()
 same => n,Set(STEPS=${IF($["${CALLER_SCRIPT}"=""]?w2/d1/w3/d555#/w3/d9/w30:${CALLER_SCRIPT})})
 same => n(loop),Set(STEP=${CUT(STEPS,/,${I})})
 same => n,GotoIf($["${STEP:0:1}"="w"]?wait)
 same => n,Goto(loop)
 same => n(wait),Wait(${STEP:1})
 same => n,Goto(loop)
[harness-inbound]
exten => 78722678091,1,Set(CALLERID(dnid)=${EXTEN})
 same => n,Goto(ivr,1)
exten => ivr,1,NoOp(IVR entry for ${CALLERID(all)})
 same => n,AGI(${FASTAGI}/${IF($["${AGI_SCRIPT}"=""]?ivr:${AGI_SCRIPT})})
 same => n,GotoIf($["${AGISTATUS}"!="SUCCESS"]?agifail)
 same => n,Hangup()
 same => n(agifail),Playback(sorry-youre-having-problems) ; a comment after code
 same => n,Hangup()
[harness-agents]
exten => _[a-z].,1,Set(N=${TOUPPER(${EXTEN})})
 same => n,Set(MODE=${IF($["${${N}_MODE}"=""]?answer:${${N}_MODE})})
 same => n,GotoIf($[${XFER_COUNT} > 2]?busy)
 same => n(busy),Busy(5)
exten => 201,hint,PJSIP/201
;--
  a block comment
--;
exten => _20XX,1,Dial(Local/employee2@harness-agents,30,tT)
"""


def test_parser_accepts_real_asterisk_syntax(tmp_path: Path) -> None:
    path = tmp_path / "extensions.conf"
    path.write_text(REAL_DIALPLAN, encoding="utf-8")
    dialplan = Dialplan(load_config(path))
    agents = dialplan.contexts["harness-agents"]
    assert agents.matching("agent1")[0].name == "_[a-z]."
    assert agents.matching("2001")[0].name == "_20XX"
    assert agents.extensions["_[a-z]."].labels == {"busy": 4}
    step = dialplan.contexts["harness-inbound"].extensions["ivr"].steps[5]
    assert step.label == "agifail"
    assert step.data == "sorry-youre-having-problems"
    for step in dialplan.steps():
        for target in branch_targets(step):
            assert dialplan.target_problem(step, target) is None, (step, target)


def test_parser_accepts_the_harness_configuration_of_a_real_asterisk() -> None:
    for path in sorted(CAPTURES_ETC.glob("*.conf")):
        config = load_config(path)
        if path.name == "extensions.conf":
            dialplan = Dialplan(config)
            assert {"harness-inbound", "harness-transfer"} <= set(dialplan.contexts)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("exten => s,1,NoOp()\n", "before any [section]"),
        ("[c]\nexten => s,n,NoOp()\n", "priority n with no earlier priority"),
        ("[c]\nsame => n,NoOp()\n", "same => with no exten =>"),
        ("[c]\nexten => s,2,NoOp()\n", "does not start at priority 1"),
        ("[c]\nexten => s,1,NoOp()\n same => 1,NoOp()\n", "priority 1 already used"),
        ("[c]\nexten => s,1(a),NoOp()\n same => n(a),NoOp()\n", "label 'a' used twice"),
        ("[c]\nexten => s,1,Set(A=${B)\n", "unclosed '${'"),
        ("[c]\nexten => s,1,GotoIf($[1]?x\n", "not an application call"),
        ("[c]\nexten => s,x,NoOp()\n", "invalid priority"),
        ("[c]\nexten = s,1,NoOp()\n", "write exten =>"),
        ("[c]\nfoo = bar\n", "'foo' is not allowed"),
        ("[c]\nthis is not a setting\n", "not a comment, [section], #include or key = value"),
        ("[c\n", "malformed section header"),
        ('#include "missing.conf"\n', "#include 'missing.conf'"),
        ("[c]\n;-- never closed\n", "unterminated ;-- block comment"),
    ],
)
def test_parser_rejects_what_asterisk_would_misread(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.conf"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        Dialplan(load_config(path))
    assert error in str(raised.value)
    assert str(raised.value).startswith(f"{path}:")


def test_parser_keeps_escaped_semicolons_and_drops_comments(tmp_path: Path) -> None:
    path = tmp_path / "x.conf"
    path.write_text("[c]\nexten => s,1,Set(A=a\\;b) ; comment\n", encoding="utf-8")
    (step,) = Dialplan(load_config(path)).steps()
    assert step.data == "A=a;b"


# --------------------------------------------------------------------------------------------
# Routes and their arguments


def _agi_calls(steps: list[Step]) -> Iterator[tuple[Step, str, list[str]]]:
    for step in steps:
        if step.app_lower != "agi":
            continue
        url, *args = split_args(step.data)
        match = _AGI_URL.match(url.strip())
        assert match, f"{_where(step)}: AGI must call ${{CONSULT_AGI}}/<route>, got {url!r}"
        yield step, match["route"], [a.strip() for a in args]


def test_every_agi_call_names_a_route_with_its_arguments(own_steps: list[Step]) -> None:
    calls = list(_agi_calls(own_steps))
    assert calls, "the dialplan calls no FastAGI route"
    for step, route, args in calls:
        assert route in route_names.ROUTE_NAMES, (
            f"{_where(step)}: route {route!r} is not in ivr.route_names.ROUTE_NAMES"
        )
        required, optional = ROUTE_ARGUMENTS[route]
        assert len(required) <= len(args) <= len(required) + len(optional), (
            f"{_where(step)}: {route} takes {required} (+ optional {optional}), got {args}"
        )
        expected = [ARGUMENT_EXPRESSIONS[name] for name in (*required, *optional)]
        assert args == expected[: len(args)], f"{_where(step)}: {route} arguments {args}"


def test_every_route_is_called_from_the_dialplan(own_steps: list[Step]) -> None:
    called = {route for _, route, _ in _agi_calls(own_steps)}
    assert called == set(route_names.ROUTE_NAMES), (
        f"never called: {sorted(set(route_names.ROUTE_NAMES) - called)}"
    )


def _documented_arguments() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """``NAME: Final = "route"  # args: a, b[, c]  (rule ids)`` lines of ivr/route_names.py."""
    source = Path(route_names.__file__).read_text(encoding="utf-8")
    documented = {}
    for match in re.finditer(r'^\w+: Final = "([^"]+)"\s+# args: (.*)$', source, re.MULTILINE):
        text = re.sub(r"\s*\([^()]*\)\s*$", "", match[2]).strip()
        required_text, _, optional_text = text.partition("[")
        required = tuple(a.strip() for a in required_text.split(",") if a.strip())
        optional = tuple(a.strip() for a in optional_text.strip("]").split(",") if a.strip())
        documented[match[1]] = (required, optional)
    return documented


def test_route_arguments_here_are_those_documented_in_route_names() -> None:
    documented = _documented_arguments()
    assert set(documented) == set(route_names.ROUTE_NAMES)
    for route, (required, optional) in documented.items():
        assert ROUTE_ARGUMENTS[route][0] == required, f"ivr/route_names.py: {route} args"
        # An optional argument the comment does not list yet is tolerated, one it lists is not.
        assert set(optional) <= set(ROUTE_ARGUMENTS[route][1]), f"{route}: {optional}"


def test_every_route_the_dialplan_calls_has_a_handler(own_steps: list[Step]) -> None:
    if importlib.util.find_spec("ivr.routes") is None:
        pytest.skip("ivr.routes does not exist yet; ROUTE_NAMES was checked above")
    routes = importlib.import_module("ivr.routes")
    table = set(routes.ROUTES)
    called = {route for _, route, _ in _agi_calls(own_steps)}
    assert called <= table, f"no handler in ivr.routes.ROUTES for {sorted(called - table)}"
    assert set(route_names.ROUTE_NAMES) <= table


def test_the_transfer_leg_values_are_those_the_route_knows(installed: Dialplan) -> None:
    if importlib.util.find_spec("ivr.flows.transfer") is None:
        pytest.skip("ivr.flows.transfer does not exist yet")
    transfer = importlib.import_module("ivr.flows.transfer")
    guard = installed.contexts["consult-line-transfer-guard"].extensions["_X."]
    (setter,) = [s for s in guard.ordered() if s.data.startswith("XFER_LEG=")]
    assert "?caller:consult)" in setter.data
    assert (transfer.LEG_CALLER, transfer.LEG_CONSULT) == ("caller", "consult")


# --------------------------------------------------------------------------------------------
# AGISTATUS checks, variables, jumps


def test_every_agi_is_followed_by_a_check_of_the_servers_mark(installed: Dialplan) -> None:
    """FastAGI down => no mark, and Asterisk goes on with the next priority; a finished route
    marks LINE_AGI_DONE whatever AGISTATUS says (FAILURE after a missing sound file)."""
    for context in installed.contexts.values():
        for extension in context.extensions.values():
            for step in extension.ordered():
                if step.app_lower != "agi":
                    continue
                clear = (
                    f"{_where(step)}: Set(LINE_AGI_DONE=) and Set(LINE_AGI_FAILED=) must come "
                    "right before AGI()"
                )
                cleared = set()
                for back in (1, 2):
                    before = extension.steps.get(step.priority - back)
                    assert before is not None, clear
                    assert before.app_lower == "set", clear
                    cleared.add(before.data.replace(" ", ""))
                assert cleared == {"LINE_AGI_DONE=", "LINE_AGI_FAILED="}, clear
                after = extension.steps.get(step.priority + 1)
                check = f"{_where(step)}: the next priority must be GotoIf({AGI_CHECK}?fallback)"
                assert after is not None, check
                assert after.app_lower == "gotoif", check
                condition, _, branches = after.data.partition("?")
                assert condition.strip() == AGI_CHECK, f"{_where(after)}: check {AGI_CHECK}"
                assert branches.split(":")[0].strip(), f"{_where(after)}: no fallback target"


def test_every_contract_variable_the_dialplan_reads_is_declared(own_steps: list[Step]) -> None:
    declared = {
        value
        for name, value in vars(ivr.variables).items()
        if name.isupper() and isinstance(value, str)
    }
    problems = [
        f"{_where(step)}: ${{{match['name']}}} is not declared in ivr/variables.py"
        for step in own_steps
        for match in _VARIABLE_READ.finditer(step.data)
        if match["name"].startswith(CONTRACT_PREFIXES) and match["name"] not in declared
    ]
    assert not problems, "\n".join(problems)


def test_the_route_variables_the_dialplan_branches_on_are_set_by_routes(
    own_steps: list[Step],
) -> None:
    read = {m["name"] for s in own_steps for m in _VARIABLE_READ.finditer(s.data)}
    for name in (
        "LINE_ROUTE",
        "LINE_LANGUAGE",
        "LINE_QUEUE_PRIORITY",
        "LINE_AGI_DONE",
        "LINE_AGI_FAILED",
    ):
        assert name in read
        assert name in ivr.variables.SET_BY_ROUTES
    for name in ("TRANSFER_ALLOWED", "TRANSFER_DEVICE", "CALLBACK_NUMBER"):
        assert name in read
        assert name in ivr.variables.SET_BY_ROUTES


def test_line_route_is_compared_only_with_declared_values(own_steps: list[Step]) -> None:
    compared = set()
    for step in own_steps:
        for match in re.finditer(r'"\$\{LINE_ROUTE\}"\s*!?=\s*"([^"]*)"', step.data):
            assert match[1] in {ivr.variables.ROUTE_QUEUE, ivr.variables.ROUTE_HANGUP}, (
                f"{_where(step)}: LINE_ROUTE compared with {match[1]!r}"
            )
            compared.add(match[1])
    assert compared == {ivr.variables.ROUTE_QUEUE, ivr.variables.ROUTE_HANGUP}


def test_every_jump_target_exists(installed: Dialplan) -> None:
    problems = [
        f"{_where(step)}: {problem}"
        for step in installed.steps()
        for target in branch_targets(step)
        if (problem := installed.target_problem(step, target))
    ]
    assert not problems, "\n".join(problems)


def test_every_application_and_function_has_its_module_required(installed: Dialplan) -> None:
    required = set(_etc("modules.conf").named("modules")[0].get_all("require"))
    for step in installed.steps():
        app = step.app_lower
        assert app in BUILTIN_APPS or app in APP_MODULES, f"{_where(step)}: unknown app {app}"
        if app in APP_MODULES:
            assert APP_MODULES[app] in required, f"modules.conf: require = {APP_MODULES[app]}"
        for match in _FUNCTION.finditer(step.data):
            module = FUNCTION_MODULES.get(match["func"])
            assert module, f"{_where(step)}: unknown function {match['func']}()"
            assert module in required, f"modules.conf: require = {module}"


# --------------------------------------------------------------------------------------------
# Contexts of the contract


def test_the_contract_contexts_and_extensions_exist(installed: Dialplan) -> None:
    for context, extensions in CONTRACT_CONTEXTS.items():
        assert context in installed.contexts, f"no [{context}] in {_rel(DIALPLAN_DIR)}"
        for exten in extensions:
            assert exten in installed.contexts[context].extensions, f"[{context}] lacks {exten}"


@pytest.mark.parametrize("number", ["12", "201", "3001", "12345", "123456"])
def test_transfer_context_takes_internal_numbers(installed: Dialplan, number: str) -> None:
    assert installed.contexts["consult-line-transfer"].matching(number)


@pytest.mark.parametrize("number", ["1", "1234567", "12a", "*12", "20#", "+7928", "s"])
def test_transfer_context_refuses_anything_else(installed: Dialplan, number: str) -> None:
    """Asterisk itself refuses a transfer to a number no extension matches."""
    assert not installed.contexts["consult-line-transfer"].matching(number)


def test_every_context_of_the_dialplan_is_reachable(installed: Dialplan) -> None:
    entry_points = [
        (INBOUND, "s"),
        (INBOUND, LINE_DID),
        ("consult-line-transfer", "201"),
        ("consult-line-callback", "s"),
        ("consult-line-visit-reminder", "s"),
    ]
    reached: set[str] = set()
    todo = list(entry_points)
    seen: set[tuple[str, str]] = set()
    while todo:
        context, exten = todo.pop()
        if (context, exten) in seen:
            continue
        seen.add((context, exten))
        reached.add(context)
        for extension in installed.extensions_for(context, exten):
            for step in extension.ordered():
                for target in branch_targets(step):
                    parts = [p.strip() for p in split_args(target)]
                    if len(parts) >= 2:
                        next_context = parts[0] if len(parts) == 3 else context
                        next_exten = "201" if "${" in parts[-2] else parts[-2]
                        todo.append((next_context, next_exten))
    own = {c for c in installed.contexts if c.startswith("consult-line-")}
    own.discard("consult-line-operators")  # the phones' own context (pjsip.conf)
    assert own <= reached, f"unreachable contexts: {sorted(own - reached)}"


# --------------------------------------------------------------------------------------------
# Prompts


def _played(steps: list[Step]) -> Iterator[tuple[Step, str]]:
    for step in steps:
        if step.app_lower in {"playback", "background"}:
            files = split_args(step.data)[0]
            for name in files.split("&"):
                yield step, name.strip()


def test_the_dialplan_plays_only_catalogue_prompts(own_steps: list[Step]) -> None:
    ids = set()
    for step, name in _played(own_steps):
        match = _PROMPT.match(name)
        assert match, f"{_where(step)}: play consult-line/${{CHANNEL(language)}}/<id>, not {name}"
        ids.add(match["id"])
    assert ids == DIALPLAN_PROMPTS


def test_the_prompt_ids_are_listed_for_the_catalogue() -> None:
    readme = (DIALPLAN_DIR / "README.md").read_text(encoding="utf-8")
    for prompt in DIALPLAN_PROMPTS:
        assert re.search(rf"^\s+{re.escape(prompt)}\s", __doc__ or "", re.MULTILINE), prompt
        assert f"`{prompt}`" in readme, f"dialplan/README.md does not list {prompt}"


def test_the_prompt_catalogue_has_every_dialplan_prompt() -> None:
    if importlib.util.find_spec("ivr.prompts") is None:
        pytest.skip("ivr.prompts does not exist yet; the ids are listed in this module")
    prompts = importlib.import_module("ivr.prompts")
    missing = DIALPLAN_PROMPTS - set(prompts.PROMPTS)
    assert not missing, f"ivr.prompts.PROMPTS lacks {sorted(missing)}"
    if hasattr(prompts, "DIALPLAN_PROMPTS"):
        assert set(prompts.DIALPLAN_PROMPTS) == DIALPLAN_PROMPTS


# --------------------------------------------------------------------------------------------
# Sample configuration files


def _pjsip_objects(kind: str) -> dict[str, dict[str, list[str]]]:
    """pjsip.conf objects of one type (templates applied); names repeat across types."""
    pjsip = _etc("pjsip.conf")
    objects = {}
    for section in pjsip.sections:
        if section.is_template:
            continue
        settings = pjsip.effective(section)
        if settings.get("type") == [kind]:
            assert section.name not in objects, f"{section.where}: [{section.name}] twice"
            objects[section.name] = settings
    return objects


def test_queue_consult_line() -> None:
    (queue,) = _etc("queues.conf").named("consult-line")
    assert queue.get("setinterfacevar") == "yes"
    assert queue.get("strategy")
    assert queue.get("joinempty")
    assert queue.get("leavewhenempty")
    assert queue.get("ringinuse") == "no"
    members = queue.get_all("member")
    assert members
    endpoints = _pjsip_objects("endpoint")
    for member in members:
        interface = member.split(",")[0].strip()
        assert interface.startswith("PJSIP/"), member
        assert interface.removeprefix("PJSIP/") in endpoints, f"no pjsip endpoint {interface}"


def test_ami_user_has_exactly_the_contract_classes() -> None:
    manager = _etc("manager.conf")
    (general,) = manager.named("general")
    assert general.get("bindaddr") == "127.0.0.1"
    assert general.get("timestampevents") == "yes"
    users = [s for s in manager.sections if s.name != "general"]
    assert [u.name for u in users] == [AMI_USER]
    (user,) = users
    read = {c.strip() for c in (user.get("read") or "").split(",")}
    write = {c.strip() for c in (user.get("write") or "").split(",")}
    assert read == AMI_READ, f"{user.where}: read = {sorted(read)}"
    assert write == AMI_WRITE, f"{user.where}: write = {sorted(write)}"
    assert "CHANGE-ME" in (user.get("secret") or ""), "the secret must be a marked placeholder"


def test_queue_log_is_written_to_a_file() -> None:
    (general,) = _etc("logger.conf").named("general")
    assert general.get("queue_log") == "yes"
    assert general.get("queue_log_to_file") == "yes"


def test_unanswered_cdrs_carry_uniqueid_and_linkedid() -> None:
    cdr = _etc("cdr.conf")
    assert cdr.named("general")[0].get("unanswered") == "yes"
    (csv,) = cdr.named("csv")
    assert csv.get("loguniqueid") == "yes"
    assert csv.get("newcdrcolumns") == "yes"


def test_transfer_keys_are_mapped() -> None:
    (featuremap,) = _etc("features.conf").named("featuremap")
    assert featuremap.get("blindxfer")
    assert featuremap.get("atxfer")


def test_modules_required_by_the_line() -> None:
    (modules,) = _etc("modules.conf").named("modules")
    required = set(modules.get_all("require"))
    assert {"res_agi.so", "app_queue.so", "chan_pjsip.so", "cdr_csv.so"} <= required
    assert not required & set(modules.get_all("noload"))


def test_pjsip_endpoints(installed: Dialplan) -> None:
    endpoints = _pjsip_objects("endpoint")
    auths = _pjsip_objects("auth")
    aors = _pjsip_objects("aor")
    trunk = endpoints["trunk"]
    assert trunk["context"] == [INBOUND]
    assert trunk["allow_transfer"] == ["no"], "the provider must not transfer our calls"
    assert installed.globals["CONSULT_TRUNK"] in endpoints
    operators = [n for n in endpoints if n != "trunk"]
    assert operators == ["201", "202", "203", "204", "205"]
    for name in operators:
        endpoint = endpoints[name]
        assert endpoint["context"][-1] in installed.contexts
        assert endpoint["aors"][-1] in aors
        auth = auths[endpoint["auth"][-1]]
        assert auth["password"][-1].startswith("CHANGE-ME"), f"endpoint {name}: placeholder"
    assert trunk["aors"][-1] in aors
    assert auths[trunk["outbound_auth"][-1]]["password"][-1].startswith("CHANGE-ME")
    assert [i["endpoint"] for i in _pjsip_objects("identify").values()] == [["trunk"]]


def test_the_hours_approximation_is_documented_working_hours(installed: Dialplan) -> None:
    (step,) = [s for s in installed.steps() if s.app_lower == "gotoiftime"]
    spec = step.data.partition("?")[0]
    assert spec == "09:00-17:59,mon-fri,*,*,Europe/Moscow"
    assert timing_matches(spec, IN_HOURS)
    assert timing_matches(spec, datetime(2026, 12, 1, 17, 59, 59, tzinfo=MSK))
    assert not timing_matches(spec, AFTER_HOURS)
    assert not timing_matches(spec, datetime(2026, 12, 1, 8, 59, tzinfo=MSK))
    assert not timing_matches(spec, WEEKEND)
    assert timing_matches(spec, datetime(2026, 12, 1, 7, 0, tzinfo=ZoneInfo("UTC")))  # 10:00 MSK


# --------------------------------------------------------------------------------------------
# Calls walked through the dialplan

DOWN = ("FAILURE", {})
OK: tuple[str, dict[str, str]] = ("SUCCESS", {})


def _routes(**answers: list[tuple[str, dict[str, str]]]) -> AgiHandler:
    """AGI outcomes per route (keyword = route with "-" as "_"), consumed in order: (AGISTATUS,
    the variables the route set). ``DOWN`` is the server unreachable; any other outcome is a
    session the server ran, which ends as ``ivr.agi.server`` ends it: LINE_AGI_FAILED=1 from
    the route's variables, or else LINE_AGI_DONE=1 (whatever AGISTATUS says)."""
    pending = {route.replace("_", "-"): list(outcomes) for route, outcomes in answers.items()}

    def handler(route: str, args: list[str], updates: dict[str, str]) -> str:
        assert pending.get(route), f"unexpected AGI {route}{args}"
        outcome = pending[route].pop(0)
        status, variables = outcome
        updates.update(variables)
        if outcome is not DOWN and status != "HANGUP" and variables.get("LINE_AGI_FAILED") != "1":
            updates["LINE_AGI_DONE"] = "1"
        return status

    return handler


def _entry(route: str = "queue", language: str = "ru", **extra: str) -> dict[str, str]:
    return {
        "LINE_OPEN": "1",
        "LINE_LANGUAGE": language,
        "LINE_TOPIC": "state-services",
        "LINE_ROUTE": route,
        "LINE_QUEUE_PRIORITY": "3",
        **extra,
    }


def _walk(
    installed: Dialplan,
    context: str,
    exten: str,
    agi: AgiHandler,
    *,
    now: datetime = IN_HOURS,
    queue: tuple[str, ...] = (),
    dial: tuple[str, ...] = (),
    variables: dict[str, str] | None = None,
    channel: dict[str, str] | None = None,
) -> Walker:
    walker = Walker(
        installed,
        agi,
        now,
        queue_status=list(queue),
        dial_status=list(dial),
        variables=dict(variables or {}),
        channel={"linkedid": LINKEDID, **(channel or {})},
    )
    walker.run(context, exten)
    assert walker.apps()[-1] == "hangup", f"the call must end with Hangup(): {walker.apps()}"
    assert not walker.queue_status, "Queue() was not called as often as expected"
    assert not walker.dial_status, "Dial() was not called as often as expected"
    return walker


def _queue_events(walker: Walker) -> list[dict[str, str]]:
    return [e.variables for e in walker.events if e.app == "queue"]


@pytest.mark.parametrize("exten", ["s", LINE_DID])
def test_answered_call_goes_to_the_queue_then_to_the_survey(
    installed: Dialplan, exten: str
) -> None:
    walker = _walk(
        installed,
        INBOUND,
        exten,
        _routes(entry=[("SUCCESS", _entry())], survey=[OK]),
        queue=("CONTINUE",),
    )
    assert walker.agi_calls() == [("entry", [LINKEDID]), ("survey", [LINKEDID])]
    (queue,) = [e for e in walker.events if e.app == "queue"]
    assert queue.data.startswith("consult-line,ct,")
    assert queue.variables["QUEUE_PRIO"] == "3"
    # The operator's leg inherits this (the "__"): phone-key transfers pass the guard.
    assert queue.variables["__TRANSFER_CONTEXT"] == "consult-line-transfer"
    assert walker.played() == ["consult-line/ru/goodbye"]


@pytest.mark.parametrize("given", ["", "high", "${EVIL}"])
def test_queue_priority_without_digits_becomes_zero(installed: Dialplan, given: str) -> None:
    # An empty QUEUE_PRIO makes app_queue warn "Invalid value" (seen on Asterisk 22.10.1).
    walker = _walk(
        installed,
        INBOUND,
        "s",
        _routes(entry=[("SUCCESS", _entry(LINE_QUEUE_PRIORITY=given))], survey=[OK]),
        queue=("CONTINUE",),
    )
    assert _queue_events(walker)[0]["QUEUE_PRIO"] == "0"


def test_english_caller_hears_english_prompts(installed: Dialplan) -> None:
    walker = _walk(
        installed,
        INBOUND,
        "s",
        _routes(entry=[("SUCCESS", _entry(language="en"))], survey=[OK]),
        queue=("CONTINUE",),
    )
    assert walker.channel["language"] == "en"
    assert walker.played() == ["consult-line/en/goodbye"]


@pytest.mark.parametrize(("line_open", "expected"), [("1", "agi-failure"), ("0", "closed-hours")])
def test_language_the_entry_route_set_is_kept_when_it_fails_later(
    installed: Dialplan, line_open: str, expected: str
) -> None:
    # V11: the route sets CHANNEL(language) as soon as the caller chooses; nothing in the
    # dialplan puts Russian back, so the fallback speaks the caller's language.
    failed = (
        "SUCCESS",
        {"LINE_OPEN": line_open, "CHANNEL(language)": "en", "LINE_AGI_FAILED": "1"},
    )
    queue = ("CONTINUE",) if line_open == "1" else ()
    walker = _walk(installed, INBOUND, "s", _routes(entry=[failed], survey=[OK]), queue=queue)
    assert walker.played()[0] == f"consult-line/en/{expected}"
    assert walker.channel["language"] == "en"


def test_a_language_the_line_does_not_speak_is_ignored(installed: Dialplan) -> None:
    walker = _walk(
        installed,
        INBOUND,
        "s",
        _routes(entry=[("SUCCESS", _entry(language="de"))], survey=[OK]),
        queue=("CONTINUE",),
    )
    assert walker.played() == ["consult-line/ru/goodbye"]


@pytest.mark.parametrize("status", ["JOINEMPTY", "LEAVEEMPTY", "TIMEOUT", "FULL"])
def test_nobody_answers(installed: Dialplan, status: str) -> None:
    walker = _walk(
        installed,
        INBOUND,
        "s",
        _routes(entry=[("SUCCESS", _entry())]),
        queue=(status,),
    )
    assert walker.played() == ["consult-line/ru/no-operators"]
    assert [c[0] for c in walker.agi_calls()] == ["entry"]


def test_route_hangup_ends_the_call_without_the_queue(installed: Dialplan) -> None:
    walker = _walk(installed, INBOUND, "s", _routes(entry=[("SUCCESS", _entry("hangup"))]))
    assert "queue" not in walker.apps()
    assert walker.played() == []


@pytest.mark.parametrize("now", [IN_HOURS, AFTER_HOURS])
def test_an_unknown_route_verb_falls_back(installed: Dialplan, now: datetime) -> None:
    queue = ("CONTINUE",) if now == IN_HOURS else ()
    walker = _walk(
        installed,
        INBOUND,
        "s",
        _routes(entry=[("SUCCESS", {"LINE_ROUTE": "bogus"})], survey=[DOWN]),
        now=now,
        queue=queue,
    )
    expected = "agi-failure" if now == IN_HOURS else "closed-hours"
    assert walker.played()[0] == f"consult-line/ru/{expected}"


def test_fastagi_down_in_working_hours_still_reaches_the_queue(installed: Dialplan) -> None:
    walker = _walk(
        installed,
        INBOUND,
        "s",
        _routes(entry=[DOWN], survey=[DOWN]),
        queue=("CONTINUE",),
    )
    assert walker.played() == ["consult-line/ru/agi-failure", "consult-line/ru/goodbye"]
    (queue,) = _queue_events(walker)
    assert queue["QUEUE_PRIO"] == "0"
    assert queue["__TRANSFER_CONTEXT"] == "consult-line-transfer"


def test_the_dialplan_file_works_without_the_globals() -> None:
    """#include-d into an extensions.conf that lacks the CONSULT_* globals: the defaults."""
    standalone = Dialplan(load_config(DIALPLAN_DIR / "consult-line.conf"))
    assert not standalone.globals
    walker = _walk(
        standalone,
        INBOUND,
        "s",
        _routes(entry=[DOWN], survey=[DOWN]),
        queue=("CONTINUE",),
    )
    agi = [e for e in walker.events if e.app == "agi"]
    assert agi[0].data == f"agi://127.0.0.1:4573/entry,{LINKEDID}"
    (queue,) = [e for e in walker.events if e.app == "queue"]
    assert queue.data == "consult-line,ct,,,300"
    walker = _callback(
        standalone,
        _routes(callback_dialout=[("SUCCESS", {"CALLBACK_NUMBER": "79281234567"})]),
        dial=("ANSWER",),
    )
    (dial,) = [e for e in walker.events if e.app == "dial"]
    assert dial.data == "PJSIP/79281234567@trunk,60,f(78722678091)"


@pytest.mark.parametrize("now", [AFTER_HOURS, WEEKEND])
def test_fastagi_down_after_hours_plays_the_hours(installed: Dialplan, now: datetime) -> None:
    walker = _walk(installed, INBOUND, "s", _routes(entry=[DOWN]), now=now)
    assert walker.played() == ["consult-line/ru/closed-hours"]
    assert "queue" not in walker.apps()


@pytest.mark.parametrize(
    ("line_open", "now", "expected"),
    [("0", IN_HOURS, "closed-hours"), ("1", AFTER_HOURS, "agi-failure")],
)
def test_a_failing_route_that_knew_the_hours_is_trusted(
    installed: Dialplan, line_open: str, now: datetime, expected: str
) -> None:
    """The server knows holidays (C3); the clock approximation is only for a silent server."""
    failed = ("SUCCESS", {"LINE_OPEN": line_open, "LINE_AGI_FAILED": "1"})
    queue = ("JOINEMPTY",) if expected == "agi-failure" else ()
    walker = _walk(installed, INBOUND, "s", _routes(entry=[failed]), now=now, queue=queue)
    assert walker.played()[0] == f"consult-line/ru/{expected}"


def test_survey_failure_still_says_goodbye(installed: Dialplan) -> None:
    walker = _walk(
        installed,
        "consult-line-survey",
        "s",
        _routes(survey=[("SUCCESS", {"LINE_AGI_FAILED": "1"})]),
        channel={"language": "ru", "state": "Up"},
    )
    assert walker.played() == ["consult-line/ru/goodbye"]


# Blind transfers run on the caller's channel (answered, language chosen, LINE_ROUTE=queue).
CALLER = {"state": "Up", "language": "ru"}
CALLER_VARIABLES = {"LINE_ROUTE": "queue", "LINE_QUEUE_PRIORITY": "3", "__TRANSFER_CONTEXT": "x"}
ALLOWED = ("SUCCESS", {"TRANSFER_ALLOWED": "1", "TRANSFER_DEVICE": "PJSIP/301"})


def _transfer(
    installed: Dialplan,
    agi: AgiHandler,
    *,
    queue: tuple[str, ...] = (),
    dial: tuple[str, ...] = (),
    variables: dict[str, str] | None = None,
    channel: dict[str, str] | None = None,
) -> Walker:
    return _walk(
        installed,
        "consult-line-transfer",
        "3001",
        agi,
        queue=queue,
        dial=dial,
        variables=CALLER_VARIABLES if variables is None else variables,
        channel=CALLER if channel is None else channel,
    )


def test_allowed_transfer_dials_the_device_then_the_survey(installed: Dialplan) -> None:
    walker = _transfer(installed, _routes(transfer=[ALLOWED], survey=[OK]), dial=("ANSWER",))
    assert walker.agi_calls()[0] == ("transfer", [LINKEDID, "3001", "caller"])
    (dial,) = [e for e in walker.events if e.app == "dial"]
    assert dial.data == "PJSIP/301,30,t"
    assert [c[0] for c in walker.agi_calls()] == ["transfer", "survey"]


@pytest.mark.parametrize("status", ["NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION"])
def test_failed_transfer_is_reported_and_the_caller_requeued(
    installed: Dialplan, status: str
) -> None:
    walker = _transfer(
        installed,
        _routes(transfer=[ALLOWED], transfer_failed=[OK], survey=[OK]),
        dial=(status,),
        queue=("CONTINUE",),
    )
    assert walker.agi_calls()[1] == ("transfer-failed", [LINKEDID, status])
    assert walker.played()[0] == "consult-line/ru/transfer-unavailable"
    (queue,) = _queue_events(walker)
    assert queue["QUEUE_PRIO"] == "10"


def test_failed_transfer_with_the_server_down_still_requeues(installed: Dialplan) -> None:
    walker = _transfer(
        installed,
        _routes(transfer=[ALLOWED], transfer_failed=[DOWN], survey=[DOWN]),
        dial=("NOANSWER",),
        queue=("CONTINUE",),
    )
    assert _queue_events(walker)[0]["QUEUE_PRIO"] == "10"


def test_unknown_employee_goes_back_to_the_queue_first(installed: Dialplan) -> None:
    refused = ("SUCCESS", {"TRANSFER_ALLOWED": "0", "LINE_ROUTE": "queue"})
    walker = _transfer(installed, _routes(transfer=[refused]), queue=("JOINEMPTY",))
    assert "dial" not in walker.apps()
    assert walker.played()[0] == "consult-line/ru/transfer-unavailable"
    assert _queue_events(walker)[0]["QUEUE_PRIO"] == "10"


def test_third_transfer_is_refused_and_the_call_ends(installed: Dialplan) -> None:
    """C10: the route has told the caller and taken a callback request (C11)."""
    refused = ("SUCCESS", {"TRANSFER_ALLOWED": "0", "LINE_ROUTE": "hangup"})
    walker = _transfer(installed, _routes(transfer=[refused]))
    assert walker.apps().count("queue") == 0
    assert "dial" not in walker.apps()
    assert walker.played() == []


@pytest.mark.parametrize(
    "outcome",
    [DOWN, ("SUCCESS", {"LINE_AGI_FAILED": "1"}), ("SUCCESS", {"TRANSFER_ALLOWED": "1"})],
    ids=["server-down", "route-failed", "no-device"],
)
def test_transfer_guard_failure_never_leaves_the_caller_in_silence(
    installed: Dialplan, outcome: tuple[str, dict[str, str]]
) -> None:
    walker = _transfer(installed, _routes(transfer=[outcome]), queue=("TIMEOUT",))
    assert "dial" not in walker.apps()
    assert walker.played() == [
        "consult-line/ru/transfer-unavailable",
        "consult-line/ru/no-operators",
    ]


def test_stale_transfer_variables_are_not_reused(installed: Dialplan) -> None:
    stale = {**CALLER_VARIABLES, "TRANSFER_ALLOWED": "1", "TRANSFER_DEVICE": "PJSIP/399"}
    walker = _transfer(installed, _routes(transfer=[OK]), variables=stale, queue=("TIMEOUT",))
    assert "dial" not in walker.apps()


@pytest.mark.parametrize(
    "outcome",
    [DOWN, ("SUCCESS", {"TRANSFER_ALLOWED": "0", "LINE_ROUTE": "hangup"})],
    ids=["server-down", "third-transfer"],
)
def test_attended_transfer_refusal_only_ends_the_consultation_leg(
    installed: Dialplan, outcome: tuple[str, dict[str, str]]
) -> None:
    """The unanswered Local consultation leg hangs up; Asterisk returns the operator to the
    caller. It must never be queued or spoken to."""
    walker = _transfer(
        installed, _routes(transfer=[outcome]), channel={"state": "Ring", "language": "ru"}
    )
    args = walker.agi_calls()[0][1]
    assert args[-1] == "consult"
    assert walker.apps().count("queue") == 0
    assert walker.played() == []


def test_attended_transfer_failure_is_reported_then_the_leg_ends(installed: Dialplan) -> None:
    walker = _transfer(
        installed,
        _routes(transfer=[ALLOWED], transfer_failed=[OK]),
        channel={"state": "Ring"},
        dial=("NOANSWER",),
    )
    assert [c[0] for c in walker.agi_calls()] == ["transfer", "transfer-failed"]
    assert walker.apps().count("queue") == 0
    assert walker.played() == []


def _callback(installed: Dialplan, agi: AgiHandler, dial: tuple[str, ...] = ()) -> Walker:
    return _walk(
        installed,
        "consult-line-callback",
        "s",
        agi,
        dial=dial,
        variables={"CALLBACK_TASK_ID": "42"},
        channel={
            "state": "Up",
            "language": "ru",
            "name": "PJSIP/201-00000007",
            "uniqueid": ORIGINATE_CHANNEL_ID,
        },
    )


# The ChannelId the console gave its Originate: the operator leg's Uniqueid.
ORIGINATE_CHANNEL_ID = "6f1d2c1e-5f4b-4d2a-9a57-2b1f0f6c3e11"


def test_callback_dials_the_client_through_the_trunk(installed: Dialplan) -> None:
    number = ("SUCCESS", {"CALLBACK_NUMBER": "79281234567"})
    walker = _callback(installed, _routes(callback_dialout=[number]), dial=("ANSWER",))
    # C11: the route gives the number only to the channel holding the task's reservation.
    assert walker.agi_calls() == [("callback-dialout", ["42", ORIGINATE_CHANNEL_ID])]
    (dial,) = [e for e in walker.events if e.app == "dial"]
    assert dial.data == "PJSIP/79281234567@trunk,60,f(78722678091)"
    assert walker.played() == []


def test_a_whole_callback_attempt_ends_before_its_reservation_lapses(installed: Dialplan) -> None:
    """C11: the operator's phone rings, then the client's; the task stays reserved for the
    whole attempt, so a result that arrives is never late (models/rules/callbacks.py)."""
    number = ("SUCCESS", {"CALLBACK_NUMBER": "79281234567"})
    walker = _callback(installed, _routes(callback_dialout=[number]), dial=("NOANSWER",))
    (dial,) = [e for e in walker.events if e.app == "dial"]
    client_ring_s = int(split_args(dial.data)[1])
    attempt_s = OPERATOR_RING_TIMEOUT_S + OUTCOME_MARGIN_S + client_ring_s
    assert attempt_s < DIAL_RESERVATION_TTL.total_seconds()


@pytest.mark.parametrize(
    "outcome",
    [
        DOWN,
        ("SUCCESS", {"LINE_AGI_FAILED": "1"}),
        OK,
        ("SUCCESS", {"CALLBACK_NUMBER": "7928&PJSIP/201"}),
        ("SUCCESS", {"CALLBACK_NUMBER": "7928,,rX"}),
    ],
    ids=["server-down", "route-failed", "no-number", "not-digits", "dial-options"],
)
def test_callback_without_a_clean_number_tells_the_operator(
    installed: Dialplan, outcome: tuple[str, dict[str, str]]
) -> None:
    walker = _callback(installed, _routes(callback_dialout=[outcome]))
    assert "dial" not in walker.apps()
    assert walker.played() == ["consult-line/ru/callback-dial-failed"]


@pytest.mark.parametrize("status", ["NOANSWER", "BUSY", "CONGESTION", "CHANUNAVAIL"])
def test_unreached_client_is_reported_to_the_operator(installed: Dialplan, status: str) -> None:
    number = ("SUCCESS", {"CALLBACK_NUMBER": "79281234567"})
    walker = _callback(installed, _routes(callback_dialout=[number]), dial=(status,))
    assert walker.played() == ["consult-line/ru/callback-dial-failed"]


# --------------------------------------------------------------------------------------------
# A route that finished after one of its sound files was missing: AGISTATUS=FAILURE


def test_a_finished_entry_route_is_followed_even_when_agistatus_says_failure(
    installed: Dialplan,
) -> None:
    # Seen on Asterisk 22.10.1 with no prompt files: STREAM FILE of a missing file fails the
    # whole session's AGISTATUS. The route had skipped the sound and decided: the queue, with
    # priority 5 for a caller awaiting a callback (C11); not the "technical failure" fallback.
    finished = ("FAILURE", _entry(LINE_QUEUE_PRIORITY="5"))
    walker = _walk(
        installed,
        INBOUND,
        "s",
        _routes(entry=[finished], survey=[("FAILURE", {})]),  # survey: finished, same sound
        queue=("CONTINUE",),
    )
    assert "consult-line/ru/agi-failure" not in walker.played()
    assert _queue_events(walker)[0]["QUEUE_PRIO"] == "5"


def test_a_refused_third_transfer_with_a_missing_sound_still_ends_the_call(
    installed: Dialplan,
) -> None:
    """C10: refused, told (or not: the sound was missing) and a callback taken: not requeued."""
    refused = ("FAILURE", {"TRANSFER_ALLOWED": "0", "LINE_ROUTE": "hangup"})
    walker = _transfer(installed, _routes(transfer=[refused]))
    assert walker.apps().count("queue") == 0
    assert walker.played() == []


def _visit_reminder(installed: Dialplan, agi: AgiHandler) -> Walker:
    return _walk(
        installed,
        "consult-line-visit-reminder",
        "s",
        agi,
        variables={"VISIT_REMINDER_ID": "17"},
        channel={"state": "Up", "name": "PJSIP/trunk-0000002c", "uniqueid": ORIGINATE_CHANNEL_ID},
    )


def test_a_reminder_call_runs_its_route_with_the_channels_own_uniqueid(  # V3, V4, V6
    installed: Dialplan,
) -> None:
    walker = _visit_reminder(installed, _routes(visit_reminder=[OK]))
    assert walker.agi_calls() == [("visit-reminder", ["17", ORIGINATE_CHANNEL_ID])]
    assert walker.channel["language"] == "ru"
    assert "dial" not in walker.apps()  # the number was dialled by the Originate itself
    assert walker.played() == []


@pytest.mark.parametrize(
    "outcome", [DOWN, ("SUCCESS", {"LINE_AGI_FAILED": "1"})], ids=["server-down", "refused"]
)
def test_a_reminder_call_the_route_refuses_just_ends(  # V4
    installed: Dialplan, outcome: tuple[str, dict[str, str]]
) -> None:
    walker = _visit_reminder(installed, _routes(visit_reminder=[outcome]))
    assert walker.played() == []
    assert "dial" not in walker.apps()
