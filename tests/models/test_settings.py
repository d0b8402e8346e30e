"""Settings come from CONSULT_LINE_* variables and .env; bad values get a message naming them."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from consult_line.config import ConfigError, load_settings
from models.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("CONSULT_LINE_"):
            monkeypatch.delenv(name)


def test_defaults_are_the_documented_ports_and_hours() -> None:
    settings = load_settings()
    assert (settings.http_port, settings.agi_port, settings.ami_port) == (8000, 4573, 5038)
    assert settings.working_hours.opens == time(9)
    assert settings.working_hours.closes == time(18)
    assert settings.shortened_days_close_early is False  # C3: the line keeps 9-18
    assert settings.service_level_s == 20  # the wallboard's service level threshold
    assert settings.database_url.startswith("sqlite:///./var/")


def test_defaults_that_carry_a_rule_of_the_order() -> None:
    # Every other test passes these explicitly, so only this one fails if a default drifts.
    settings = load_settings()
    assert settings.max_transfers_per_call == 2  # C10: «не должно превышать двух»
    assert (settings.opening_time, settings.closing_time) == (time(9), time(18))  # C3
    assert settings.timezone == "Europe/Moscow"  # C3: the line's hours are Moscow time
    assert settings.callback_answer_working_days == 3  # C11: the default promised term
    assert settings.short_call_threshold_s == 5.0  # C13: flagged short, never hidden
    assert settings.missed_callback_min_time_s == 0.0  # C13: every missed call called back
    assert settings.cdr_timezone == "local"  # what Asterisk's default usegmtime = no writes
    assert settings.retention_years == 5  # G3: the interaction history is kept five years


def test_sign_in_defaults() -> None:
    settings = load_settings()
    assert settings.session_policy.idle == timedelta(hours=8)
    assert settings.session_policy.longest == timedelta(hours=12)
    assert settings.sign_in_policy.max_attempts == 5
    assert settings.sign_in_policy.lock == timedelta(minutes=15)
    assert settings.console_tls is False
    assert settings.line_title == "Консультационная линия"


def test_environment_overrides_dotenv_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CONSULT_LINE_HTTP_PORT=8100\nCONSULT_LINE_AGI_PORT=4600\n")
    monkeypatch.setenv("CONSULT_LINE_HTTP_PORT", "8200")
    settings = load_settings()
    assert settings.http_port == 8200
    assert settings.agi_port == 4600


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CONSULT_LINE_HTTP_PORT", "70000", "CONSULT_LINE_HTTP_PORT"),
        ("CONSULT_LINE_TIMEZONE", "Europe/Makhachkala", "неизвестный часовой пояс"),
        # The reports count by UTC hour: a local day must be whole UTC hours.
        ("CONSULT_LINE_TIMEZONE", "Asia/Kolkata", "не на целое число часов"),
        ("CONSULT_LINE_DATABASE_URL", "mysql://x", "sqlite:// и postgresql"),
        ("CONSULT_LINE_AGI_ALLOWED_SOURCES", "10.0.0.1,asterisk", "'asterisk' не является IP"),
        ("CONSULT_LINE_OPENING_TIME", "19:00", "opening_time должно быть раньше closing_time"),
        ("CONSULT_LINE_CLOSING_TIME", "09:45", "длиннее часа"),
        ("CONSULT_LINE_SHORTENED_DAYS_CLOSE_EARLY", "maybe", "SHORTENED_DAYS_CLOSE_EARLY"),
        ("CONSULT_LINE_SESSION_MAX_HOURS", "4", "session_max_hours не может быть меньше"),
        ("CONSULT_LINE_SIGN_IN_MAX_ATTEMPTS", "0", "CONSULT_LINE_SIGN_IN_MAX_ATTEMPTS"),
        # G3: a shorter term would remove history the order keeps.
        ("CONSULT_LINE_RETENTION_YEARS", "4", "RETENTION_YEARS: не меньше 5 лет"),
        ("CONSULT_LINE_RETENTION_YEARS", "101", "RETENTION_YEARS: должно быть не больше 100"),
        ("CONSULT_LINE_AUDIOSOCKET_PORT", "0", "AUDIOSOCKET_PORT: должно быть не меньше 1"),
        ("CONSULT_LINE_AUDIOSOCKET_PORT", "65536", "AUDIOSOCKET_PORT: должно быть не больше"),
        ("CONSULT_LINE_SPEECH_QUESTION", "maybe", "SPEECH_QUESTION: нужно true или false"),
        ("CONSULT_LINE_SPEECH_MIN_CONFIDENCE", "1.5", "MIN_CONFIDENCE: должно быть не больше 1"),
        ("CONSULT_LINE_SPEECH_MIN_CONFIDENCE", "-0.1", "MIN_CONFIDENCE: должно быть не меньше 0"),
        ("CONSULT_LINE_SPEECH_MIN_CONFIDENCE", "высокая", "MIN_CONFIDENCE: нужно число"),
        ("CONSULT_LINE_SPEECH_NO_INPUT_S", "0", "NO_INPUT_S: должно быть больше 0"),
        ("CONSULT_LINE_SPEECH_END_SILENCE_S", "0.1", "END_SILENCE_S: должно быть не меньше 0.3"),
        ("CONSULT_LINE_SPEECH_MAX_UTTERANCE_S", "31", "MAX_UTTERANCE_S: должно быть не больше 30"),
        ("CONSULT_LINE_SPEECH_QUESTION_MAX_S", "61", "QUESTION_MAX_S: должно быть не больше 60"),
        # a pause as long as the answer itself: every answer would be cut by its length
        ("CONSULT_LINE_SPEECH_MAX_UTTERANCE_S", "1", "speech_end_silence_s должно быть меньше"),
    ],
)
def test_invalid_value_is_reported_with_the_variable_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=expected):
        load_settings()


def test_masked_view_hides_secret_and_database_password() -> None:
    settings = Settings(
        ami_secret="s3cret",  # type: ignore[arg-type]
        database_url="postgresql+psycopg://line:p4ss@db.example.org/line",
    )
    shown = settings.masked()
    assert "s3cret" not in str(shown)
    assert "p4ss" not in str(shown)
    assert shown["database_url"] == "postgresql+psycopg://line:********@db.example.org/line"
    assert shown["ami_secret"] == "********"


def test_speech_is_off_by_default() -> None:
    settings = load_settings()
    assert settings.speech_model_path == ""
    assert settings.speech_model_dir is None
    assert (settings.audiosocket_host, settings.audiosocket_port) == ("127.0.0.1", 4574)
    assert settings.speech_question is False
    assert settings.speech_min_confidence == 0.7
    assert settings.speech_no_input_s == 5.0
    assert settings.speech_end_silence_s == 1.0
    assert settings.speech_max_utterance_s == 6.0
    assert settings.speech_question_max_s == 15.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("   ", None), ("/opt/vosk/small-ru", Path("/opt/vosk/small-ru"))],
)
def test_speech_model_dir(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: Path | None
) -> None:
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", value)
    assert load_settings().speech_model_dir == expected


def test_a_missing_model_folder_is_not_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The service starts and keeps to the keypad; /health and check-config say why.
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", "/nonexistent/vosk-model")
    assert load_settings().speech_model_dir == Path("/nonexistent/vosk-model")


@pytest.mark.parametrize(
    ("port", "clash"), [("4573", "CONSULT_LINE_AGI_PORT"), ("8000", "CONSULT_LINE_HTTP_PORT")]
)
def test_audiosocket_needs_a_port_of_its_own_when_speech_is_on(
    monkeypatch: pytest.MonkeyPatch, port: str, clash: str
) -> None:
    monkeypatch.setenv("CONSULT_LINE_AUDIOSOCKET_PORT", port)
    assert load_settings().audiosocket_port == int(port)  # speech off: no server, no clash
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", "/opt/vosk/small-ru")
    with pytest.raises(ConfigError, match=f"AUDIOSOCKET_PORT совпадает с {clash}"):
        load_settings()


@pytest.mark.parametrize(
    ("port", "clash"), [("4573", "CONSULT_LINE_AGI_PORT"), ("8000", "CONSULT_LINE_HTTP_PORT")]
)
def test_the_mail_receiver_needs_a_port_of_its_own(
    monkeypatch: pytest.MonkeyPatch, port: str, clash: str
) -> None:
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_DOMAIN", "obr.example.ru")
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_PORT", port)
    with pytest.raises(ConfigError, match=f"SMTP_IN_PORT совпадает с {clash} \\({port}\\)"):
        load_settings()


def test_the_mail_receiver_clashes_with_audiosocket_only_when_speech_is_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_DOMAIN", "obr.example.ru")
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_PORT", "4574")
    assert load_settings().smtp_in_port == 4574  # speech off: no AudioSocket server
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", "/opt/vosk/small-ru")
    with pytest.raises(ConfigError, match="SMTP_IN_PORT совпадает с CONSULT_LINE_AUDIOSOCKET"):
        load_settings()


def test_audiosocket_beyond_loopback_needs_the_allowed_sources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", "/opt/vosk/small-ru")
    monkeypatch.setenv("CONSULT_LINE_AUDIOSOCKET_HOST", "10.0.0.7")
    with pytest.raises(ConfigError, match="CONSULT_LINE_AUDIOSOCKET_HOST: AudioSocket слушает"):
        load_settings()
    monkeypatch.setenv("CONSULT_LINE_AGI_ALLOWED_SOURCES", "10.0.0.5")
    monkeypatch.setenv("CONSULT_LINE_AGI_HOST", "10.0.0.7")
    assert load_settings().audiosocket_host == "10.0.0.7"


def test_a_bad_source_list_is_one_error_not_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", "/opt/vosk/small-ru")
    monkeypatch.setenv("CONSULT_LINE_AUDIOSOCKET_HOST", "10.0.0.7")
    monkeypatch.setenv("CONSULT_LINE_AGI_ALLOWED_SOURCES", "asterisk")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert "AGI_ALLOWED_SOURCES" in str(error.value)
    assert "AUDIOSOCKET_HOST" not in str(error.value)


@pytest.mark.parametrize(
    ("listening", "told"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "127.0.0.1"),  # noqa: S104
        ("::", "127.0.0.1"),
        ("10.0.0.5", "10.0.0.5"),
    ],
)
def test_asterisk_is_told_an_address_it_can_send_the_audio_to(listening: str, told: str) -> None:
    # EXEC AudioSocket needs one concrete address: "every address" is this machine's loopback.
    assert Settings(audiosocket_host=listening).audiosocket_connect_host == told


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("", "http://127.0.0.1:8000"),
        ("https://obr.minprom.example.ru/", "https://obr.minprom.example.ru"),
        ("http://10.1.2.3:8443/line", "http://10.1.2.3:8443/line"),
    ],
)
def test_public_address_of_links(given: str, base: str) -> None:  # W12
    assert Settings(public_url=given).public_base == base


@pytest.mark.parametrize(
    "given",
    ["obr.example.ru", "ftp://obr.example.ru", "https://obr.example.ru/?a=1", "https://a b"],
)
def test_a_public_address_that_is_no_web_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("CONSULT_LINE_PUBLIC_URL", given)
    with pytest.raises(ConfigError, match="CONSULT_LINE_PUBLIC_URL"):
        load_settings()
