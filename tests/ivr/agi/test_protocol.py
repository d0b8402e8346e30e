"""The AGI wire format without sockets: replies, environment blocks, quoting, command lines."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.agi.protocol import (
    MAX_COMMAND_BYTES,
    AgiEnvironmentError,
    AgiProtocolError,
    AgiReply,
    ReplyAssembler,
    UnsafeArgument,
    check_digits,
    check_name,
    check_prompt,
    digit_from_result,
    digits_from_result,
    environment_from_mapping,
    exec_audiosocket_command,
    get_data_command,
    get_variable_command,
    parse_environment,
    parse_reply,
    quote,
    say_datetime_command,
    say_digits_command,
    set_variable_command,
    stream_file_command,
    wait_for_digit_command,
)
from tests.ivr.fake_asterisk import capture_environment, environment_block, parse_args

# --------------------------------------------------------------------------- replies


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("200 result=0", AgiReply(200, "0", "", None)),
        ("200 result=1", AgiReply(200, "1", "", None)),
        ("200 result=-1", AgiReply(200, "-1", "", None)),
        ("200 result=49", AgiReply(200, "49", "", None)),
        ("200 result=1 (value)", AgiReply(200, "1", "value", None)),
        ("200 result=1 (a b (c))", AgiReply(200, "1", "a b (c)", None)),
        ("200 result=1 ()", AgiReply(200, "1", "", None)),
        ("200 result=1 (a) endpos=3 (b)", AgiReply(200, "1", "a) endpos=3 (b", None)),
        ("200 result= (timeout)", AgiReply(200, "", "timeout", None)),
        ("200 result=12 (timeout)", AgiReply(200, "12", "timeout", None)),
        ("200 result=555", AgiReply(200, "555", "", None)),
        ("200 result=0 endpos=8160", AgiReply(200, "0", "", 8160)),
        ("200 result=-1 endpos=0", AgiReply(200, "-1", "", 0)),
        ("200 result=0 (hangup) endpos=120", AgiReply(200, "0", "hangup", 120)),
        ("200 result=0 Gosub complete", AgiReply(200, "0", "Gosub complete", None)),
        ("510 Invalid or unknown command", AgiReply(510, "", "Invalid or unknown command", None)),
        (
            "511 Command Not Permitted on a dead channel or intercept routine",
            AgiReply(511, "", "Command Not Permitted on a dead channel or intercept routine", None),
        ),
        (
            "520 Invalid command syntax.  Proper usage not available.",
            AgiReply(520, "", "Invalid command syntax.  Proper usage not available.", None),
        ),
    ],
)
def test_reply_lines_parse_into_code_result_data_endpos(line: str, expected: AgiReply) -> None:
    assert parse_reply(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "HANGUP",
        "",
        "200",
        "200 ok",
        "agi_callingpres: 0",
        "Ivan Petrov",
        "520-Invalid command syntax.  Proper usage follows:",
        "2000 result=1",
    ],
)
def test_lines_that_are_not_replies_are_refused(line: str) -> None:
    with pytest.raises(AgiProtocolError):
        parse_reply(line)


def test_assembler_treats_hangup_as_a_flag_never_as_a_reply() -> None:
    replies = ReplyAssembler()
    assert replies.feed("200 result=-1") == AgiReply(200, "-1", "", None)
    assert replies.feed("HANGUP") is None
    assert replies.hangup_seen
    assert replies.feed("200 result=1 (bar)") == AgiReply(200, "1", "bar", None)


def test_assembler_skips_100_trying() -> None:
    replies = ReplyAssembler()
    assert replies.feed("100 result=0 Trying...") is None
    assert replies.feed("200 result=0 Gosub complete") == AgiReply(200, "0", "Gosub complete", None)


def test_assembler_consumes_a_multi_line_520_block_through_its_last_line() -> None:
    replies = ReplyAssembler()
    block = [
        "520-Invalid command syntax.  Proper usage follows:",
        " Usage: GET VARIABLE <variablename>",
        "        Returns 0 if <variablename> is not set.",
        "520 End of proper usage.",
    ]
    results = [replies.feed(line) for line in block]
    assert results[:3] == [None, None, None]
    final = results[3]
    assert final is not None
    assert final.code == 520
    assert "Usage: GET VARIABLE" in final.data
    assert not replies.in_usage_block
    assert replies.feed("200 result=1 (next)") == AgiReply(200, "1", "next", None)


def test_assembler_refuses_a_usage_block_that_never_ends() -> None:
    replies = ReplyAssembler()
    replies.feed("520-Invalid command syntax.  Proper usage follows:")

    def endless_usage() -> None:
        for _ in range(1000):
            replies.feed("usage text")

    with pytest.raises(AgiProtocolError):
        endless_usage()


@pytest.mark.parametrize(
    ("result", "digit"),
    [("0", ""), ("49", "1"), ("48", "0"), ("57", "9"), ("42", "*"), ("35", "#"), ("65", "A")],
)
def test_digit_results_are_ascii_codes(result: str, digit: str) -> None:
    assert digit_from_result(AgiReply(200, result, "", None)) == digit


@pytest.mark.parametrize("result", ["", "x", "10", "32", "300", "-5"])
def test_digit_results_that_are_no_dtmf_are_refused(result: str) -> None:
    with pytest.raises(AgiProtocolError):
        digit_from_result(AgiReply(200, result, "", None))


def test_get_data_results_keep_digits_typed_before_the_timeout() -> None:
    assert digits_from_result(parse_reply("200 result= (timeout)")) == ""
    assert digits_from_result(parse_reply("200 result=12 (timeout)")) == "12"
    assert digits_from_result(parse_reply("200 result=555")) == "555"
    with pytest.raises(AgiProtocolError):
        digits_from_result(parse_reply("200 result=5x5"))


# --------------------------------------------------------------------------- environment


def test_capture_environment_blocks_parse_into_the_expected_fields() -> None:
    env = parse_environment(environment_block(capture_environment("x-full-flow-ivr-queue-survey")))
    assert env.network_script == "route"
    assert env.route == "route"
    assert env.uniqueid == "1795867285.0"
    assert env.dnid == "78722678091"
    assert env.callerid == "79281234567"
    assert env.calleridname == "Ivan Petrov"
    assert env.language == "ru"
    assert env.channel == "Local/caller@harness-caller-00000000;1"
    assert env.context == "harness-inbound"
    assert env.extension == "ivr"
    assert env.args == ()
    assert env.raw["agi_accountcode"] == ""
    assert env.raw["agi_version"] == "22.10.1"


def test_second_session_of_a_capture_has_its_own_environment() -> None:
    raw = capture_environment("x-full-flow-ivr-queue-survey", connection=2)
    env = parse_environment(environment_block(raw))
    assert (env.route, env.uniqueid, env.extension, env.raw["agi_priority"]) == (
        "survey",
        "1795867285.0",
        "queue",
        "11",
    )


@pytest.mark.parametrize(
    ("name", "route", "uniqueid", "dnid"),
    [
        ("f-agi-caller-hangup", "hangup-test", "1795867248.0", "unknown"),
        ("f3-agi-caller-hangup-nosighup", "hangup-test", "1795867267.0", "unknown"),
        ("ivr-dtmf", "ivr", "1795867038.0", "unknown"),
    ],
)
def test_every_capture_environment_parses(name: str, route: str, uniqueid: str, dnid: str) -> None:
    env = parse_environment(environment_block(capture_environment(name)))
    assert (env.route, env.uniqueid, env.dnid) == (route, uniqueid, dnid)


def test_capture_environment_overrides_script_request_and_args() -> None:
    raw = capture_environment(
        "x-full-flow-ivr-queue-survey", agi_network_script="entry", args=["1795867285.0", "x y"]
    )
    assert raw["agi_request"] == "agi://127.0.0.1:4573/entry"
    env = parse_environment(environment_block(raw))
    assert env.route == "entry"
    assert env.args == ("1795867285.0", "x y")


def test_environment_args_are_collected_in_numeric_order() -> None:
    raw = {f"agi_arg_{n}": f"v{n}" for n in (10, 2, 1, 3, 4, 5, 6, 7, 8, 9)}
    assert environment_from_mapping(raw).args == tuple(f"v{n}" for n in range(1, 11))


def test_environment_missing_keys_are_empty_and_an_empty_script_is_no_route() -> None:
    env = parse_environment(b"agi_uniqueid: 1.0\n\n")
    assert (env.network_script, env.route, env.callerid, env.args) == ("", "", "", ())


def test_environment_splits_on_the_first_colon_space_only() -> None:
    env = parse_environment("agi_calleridname: Petrov: Ivan\nagi_accountcode:\n\n")
    assert env.calleridname == "Petrov: Ivan"
    assert env.raw["agi_accountcode"] == ""


def test_route_ignores_query_string_and_slashes() -> None:
    env = parse_environment("agi_network_script: /entry?lang=ru\n\n")
    assert env.route == "entry"


@pytest.mark.parametrize(
    "block",
    [
        "agi_network: yes\nagi_calleridname: Ivan\nEXEC Dial PJSIP/premium\nagi_threadid: 1\n",
        "agi_network: yes\nagi_network_script: entry\nagi_network_script: admin\nagi_threadid: 1\n",
        "agi_network: yes\nHost: example\nagi_threadid: 1\n",
        "agi_network: yes\nagi_arg_2: x\nagi_threadid: 1\n",
        # a caller name with a blank line in it ends the block before agi_threadid
        "agi_network: yes\nagi_network_script: entry\nagi_calleridname: Ivan\n",
        "GET / HTTP/1.1\n",
    ],
)
def test_environment_with_a_line_that_carried_a_newline_is_refused(block: str) -> None:
    with pytest.raises(AgiEnvironmentError):
        parse_environment(block + "\n")


# --------------------------------------------------------------------------- quoting


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("", '""'),
        ("queue", '"queue"'),
        ('He said "hi"', '"He said \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('\\"', '"\\\\\\""'),
    ],
)
def test_quote_wraps_and_escapes_backslash_and_double_quote(value: str, quoted: str) -> None:
    assert quote(value) == quoted


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\0b", "\n", 'Ivan"\nEXEC Dial PJSIP/premium'])
def test_quote_refuses_cr_lf_and_nul(value: str) -> None:
    with pytest.raises(UnsafeArgument):
        quote(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "Иван Петров",
        'Ivan" EXEC Dial PJSIP/premium',
        'He said "hi" \\ bye \\',
        "${SHELL(rm -rf /)}",
        "a\tb  c",
        '\\"\\\\"',
        "x,y|z;(w)",
    ],
)
def test_quoted_value_comes_back_whole_through_asterisks_parse_args(value: str) -> None:
    line = set_variable_command("CALLER_NAME", value)
    assert parse_args(line) == ["SET", "VARIABLE", "CALLER_NAME", value]


@pytest.mark.parametrize("name", ["LINE_OPEN", "LINE_AGI_FAILED", "A", "X1_2", "CHANNEL(language)"])
def test_check_name_allows_plain_names_and_channel_language(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "line_open", "1ABC", "A-B", "A B", "SHELL(ls)", "CHANNEL(language", "X)", "A\n", "Ä"],
)
def test_check_name_refuses_anything_else(name: str) -> None:
    with pytest.raises(UnsafeArgument):
        check_name(name)


@pytest.mark.parametrize("escape", ["", "0123456789*#", "1", "#"])
def test_check_digits_allows_dtmf_sets(escape: str) -> None:
    assert check_digits(escape) == escape


@pytest.mark.parametrize("escape", ["a", "1 2", '"', "12\n", "A"])
def test_check_digits_refuses_other_characters(escape: str) -> None:
    with pytest.raises(UnsafeArgument):
        check_digits(escape)


@pytest.mark.parametrize("prompt", ["welcome", "ru/welcome", "menu-topic_2", "beep"])
def test_check_prompt_allows_relative_sound_names(prompt: str) -> None:
    assert check_prompt(prompt) == prompt


@pytest.mark.parametrize(
    "prompt", ["", "../etc/passwd", "/etc/passwd", "a b", "beep.wav", "a\nb", '"x"', "ru/../x"]
)
def test_check_prompt_refuses_paths_and_specials(prompt: str) -> None:
    with pytest.raises(UnsafeArgument):
        check_prompt(prompt)


# --------------------------------------------------------------------------- command lines


def test_command_lines_match_what_asterisk_received_in_the_captures() -> None:
    assert stream_file_command("hello-world", "0123456789*#") == (
        'STREAM FILE hello-world "0123456789*#"'
    )
    assert stream_file_command("beep", "") == 'STREAM FILE beep ""'
    assert get_data_command("beep", 20000, 5) == "GET DATA beep 20000 5"
    assert wait_for_digit_command(5000) == "WAIT FOR DIGIT 5000"
    assert set_variable_command("IVR_RESULT", "done") == 'SET VARIABLE IVR_RESULT "done"'
    assert get_variable_command("AGISTATUS") == "GET VARIABLE AGISTATUS"
    assert say_digits_command("123", "") == 'SAY DIGITS 123 ""'


def test_audiosocket_is_run_with_the_session_and_the_services_address() -> None:
    session = uuid.UUID("5f1c2a3b-0d4e-4f60-8a7b-9c0d1e2f3a4b")
    assert exec_audiosocket_command(session, "127.0.0.1", 4574) == (
        'EXEC AudioSocket "5f1c2a3b-0d4e-4f60-8a7b-9c0d1e2f3a4b,127.0.0.1:4574"'
    )
    assert exec_audiosocket_command(session, "[::1]", 4574).endswith(',[::1]:4574"')


@pytest.mark.parametrize(
    ("host", "port"),
    [("127.0.0.1,evil", 4574), ("host name", 4574), ('h"ost', 4574), ("", 4574), ("h", 0)],
)
def test_a_bad_audiosocket_address_is_refused(host: str, port: int) -> None:
    with pytest.raises(UnsafeArgument):
        exec_audiosocket_command(uuid.uuid4(), host, port)


def test_say_datetime_sends_epoch_escape_format_and_zone() -> None:
    when = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    line = say_datetime_command(when, "dB 'digits/at' HM", "Europe/Moscow", "#")
    assert line == 'SAY DATETIME 1795856400 "#" "dB \'digits/at\' HM" Europe/Moscow'
    assert parse_args(line) == [
        "SAY",
        "DATETIME",
        "1795856400",
        "#",
        "dB 'digits/at' HM",
        "Europe/Moscow",
    ]
    assert say_datetime_command(when.astimezone(UTC), "HM", "UTC", "") == (
        'SAY DATETIME 1795856400 "" "HM" UTC'
    )


@pytest.mark.parametrize("tz", ["", "Europe/Moscow x", "../etc", '"UTC"', "UTC\n"])
def test_say_datetime_refuses_bad_zones(tz: str) -> None:
    when = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with pytest.raises(UnsafeArgument):
        say_datetime_command(when, "HM", tz, "")


def test_say_datetime_refuses_a_naive_datetime() -> None:
    with pytest.raises(UnsafeArgument):
        say_datetime_command(datetime(2026, 11, 28, 12, 0), "HM", "UTC", "")  # noqa: DTZ001


@pytest.mark.parametrize(
    "build",
    [
        lambda: get_data_command("beep", -1, 1),
        lambda: get_data_command("beep", 5000, 0),
        lambda: get_data_command("beep", True, 1),
        lambda: wait_for_digit_command(-2),
        lambda: say_digits_command("*12", ""),
        lambda: say_digits_command("12 34", ""),
        lambda: say_digits_command("", ""),
    ],
)
def test_numeric_arguments_are_checked(build: object) -> None:
    assert callable(build)
    with pytest.raises(UnsafeArgument):
        build()


def test_a_command_line_that_asterisk_would_cut_in_two_is_refused() -> None:
    prefix = len('SET VARIABLE X ""') + 1  # + newline
    fits = "a" * (MAX_COMMAND_BYTES - prefix)
    assert len((set_variable_command("X", fits) + "\n").encode()) == MAX_COMMAND_BYTES
    with pytest.raises(UnsafeArgument):
        set_variable_command("X", fits + "a")
    with pytest.raises(UnsafeArgument):  # bytes, not characters, count
        set_variable_command("X", "ж" * (MAX_COMMAND_BYTES // 2))
