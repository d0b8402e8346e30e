"""Deployment settings: one class, read once by the composition root, never at import time.

Every field can be set from the environment with the ``CONSULT_LINE_`` prefix
(``CONSULT_LINE_DATABASE_URL``) or from a ``.env`` file in the working directory.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

from ivr.agi.sources import beyond_loopback, open_door_problem, parse_sources
from models.host_time import host_zone
from models.mail_settings import MailSettings
from models.rules.calendar import WorkingHours, shortened_hours
from models.rules.retention import RETENTION_MIN_YEARS
from models.rules.sessions import SessionPolicy
from models.rules.sign_in import SignInPolicy

# The default database's folder is created on first use; any other missing folder is an error
# in the settings (a mistyped path would otherwise silently start an empty database).
DEFAULT_DATABASE_FOLDER = Path("var")
DEFAULT_DATABASE_URL = f"sqlite:///./{DEFAULT_DATABASE_FOLDER}/consult-line.db"
# The training line keeps its calls apart: its own database and Asterisk's records beside it,
# unless the settings name others (``Settings._training_line_defaults``).
TRAINING_DATABASE_URL = f"sqlite:///./{DEFAULT_DATABASE_FOLDER}/consult-line-training.db"
TRAINING_QUEUE_LOG_PATH = DEFAULT_DATABASE_FOLDER / "training-queue_log"
TRAINING_CDR_PATH = DEFAULT_DATABASE_FOLDER / "training-cdr.csv"
# cdr_timezone: the host's own clock zone, as Asterisk writes the CDR with usegmtime = no.
LOCAL_ZONE = "local"
# pbx: which line the service works with.
Pbx = Literal["auto", "asterisk", "training"]
MAX_TRAINING_OPERATORS = 50
# A spoken answer's confidence is its weakest word's posterior (speech.recognizer). Clear
# answers from a list score close to 1; other speech is mostly forced onto listed words, and
# where the recognizer doubts them they score about 0.45-0.6 (measured with synthetic speech
# and a test model). 0.7 asks those callers again rather than store a wrong answer.
SPEECH_MIN_CONFIDENCE = 0.7
_CHANNEL_TEMPLATE = re.compile(r"[A-Za-z0-9/@._-]+")
_PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?")


class Settings(MailSettings):
    model_config = SettingsConfigDict(
        env_prefix="CONSULT_LINE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    http_host: str = Field(default="127.0.0.1", description="Address the web app listens on")
    http_port: int = Field(default=8000, ge=1, le=65535)
    agi_host: str = Field(default="127.0.0.1", description="Address the FastAGI server listens on")
    agi_port: int = Field(default=4573, ge=1, le=65535)
    agi_max_sessions: int = Field(default=200, ge=1, le=10000, description="concurrent calls")
    agi_session_timeout_s: float = Field(default=900.0, gt=0, description="longest AGI session")
    agi_db_timeout_s: float = Field(
        default=3.0,
        ge=0.5,
        le=30,
        description="longest wait for the database on a caller's path; past it the route fails "
        "and the dialplan serves the caller itself",
    )
    agi_allowed_sources: str = Field(
        default="",
        description="Comma-separated IP addresses or networks allowed to connect to FastAGI; "
        "empty = any, allowed only while FastAGI listens on loopback",
    )
    speech_model_path: str = Field(
        default="",
        description="folder of the vosk speech model (unpacked); empty = speech off, callers "
        "answer with the keypad",
    )
    audiosocket_host: str = Field(
        default="127.0.0.1", description="Address the AudioSocket server (speech) listens on"
    )
    audiosocket_port: int = Field(default=4574, ge=1, le=65535)
    speech_question: bool = Field(
        default=False,
        description="after the topic menu the caller names their question in a few words; the "
        "transcript goes to the operator's call card",
    )
    speech_min_confidence: float = Field(
        default=SPEECH_MIN_CONFIDENCE,
        ge=0,
        le=1,
        description="a spoken answer less certain than this (its weakest word) is asked again",
    )
    speech_no_input_s: float = Field(
        default=5.0, gt=0, le=30, description="how long to wait for the caller to start speaking"
    )
    speech_end_silence_s: float = Field(
        default=1.0, ge=0.3, le=5, description="a pause this long ends the caller's answer"
    )
    speech_max_utterance_s: float = Field(
        default=6.0, ge=1, le=30, description="longest spoken answer from a list (menu, survey)"
    )
    speech_question_max_s: float = Field(
        default=15.0, ge=3, le=60, description="longest spoken question (question capture)"
    )
    ami_host: str = Field(default="127.0.0.1")
    ami_port: int = Field(default=5038, ge=1, le=65535)
    ami_username: str = Field(default="consult-line")
    ami_secret: SecretStr = Field(default=SecretStr(""))
    ami_enabled: bool = Field(default=True, description="connect to Asterisk's AMI")
    outbound_channel: str = Field(
        default="",
        description="V3-V4: the Originate channel of reminder calls to visitors, {number} "
        "standing for the booking's number as digits, e.g. PJSIP/{number}@trunk or "
        "Local/{number}@outbound; empty: reminder calls are off",
    )
    outbound_caller_id: str = Field(
        default="78722678091", description="the caller ID reminder calls are placed with"
    )
    pbx: Pbx = Field(
        default="auto",
        description="asterisk: the real line; training: the training line, a simulated "
        "Asterisk run inside serve; auto: training while no AMI secret is set",
    )
    training_calls_per_hour: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="training line: calls an hour on average over the working day (more at "
        "its peaks, a few after hours)",
    )
    training_operators: int = Field(
        default=3,
        ge=0,
        le=MAX_TRAINING_OPERATORS,
        description="training line: simulated operators who answer the calls nobody at a "
        "screen takes",
    )
    queue_log_path: Path = Field(default=Path("/var/log/asterisk/queue_log"))
    cdr_path: Path | None = Field(
        default=Path("/var/log/asterisk/cdr-csv/Master.csv"),
        description="cdr_csv file for reconciliation of calls that never reached the queue",
    )
    cdr_timezone: str = Field(
        default="local",
        description="zone of the CDR's wall-clock times: local (this host's /etc/localtime, "
        "what Asterisk writes with usegmtime = no), UTC (usegmtime = yes) or a zone name",
    )
    timezone: str = Field(default="Europe/Moscow", description="Local time of the line")
    opening_time: time = Field(default=time(9, 0))
    closing_time: time = Field(default=time(18, 0))
    shortened_days_close_early: bool = Field(
        default=False,
        description="C3: close an hour earlier on shortened pre-holiday days (Art. 95)",
    )
    max_transfers_per_call: int = Field(default=2, ge=0, le=10, description="C10")
    short_call_threshold_s: float = Field(default=5.0, ge=0, description="C13 short-call flag")
    missed_callback_min_time_s: float = Field(
        default=0.0,
        ge=0,
        le=3600,
        description="C13: a caller who hung up themselves before this many seconds in the line "
        "gets no automatic callback task (the call is still recorded as missed)",
    )
    callback_answer_working_days: int = Field(
        default=3, ge=1, le=30, description="C11 default promised answer term"
    )
    service_level_s: int = Field(
        default=20,
        ge=1,
        le=600,
        description="the wallboard's service level: the share of calls answered within this "
        "many seconds in the queue",
    )
    message_answer_days: int = Field(
        default=30,
        ge=1,
        le=60,
        description="W3-W4: calendar days for the substantive answer to a written message that "
        "is not urgent (the statutory term; a last day off moves to the next working day)",
    )
    retention_years: int = Field(
        default=RETENTION_MIN_YEARS,
        le=100,
        description="G3: years the client's interaction history is kept; what is older is "
        "removed by the nightly job (consult-line retention)",
    )
    line_title: str = Field(
        default="Консультационная линия",
        min_length=1,
        max_length=120,
        description="the line's name in the console's header and the browser's title",
    )
    console_tls: bool = Field(
        default=False,
        description="the console is opened over https (TLS, e.g. at a reverse proxy): its "
        "cookies are marked Secure and never sent over plain http",
    )
    public_form_secret: SecretStr = Field(
        default=SecretStr(""),
        description="the key signing the public message form's tokens (/public/message); "
        "empty: a random key at each start (a form opened before a restart must be reloaded); "
        "set the same value on every console process behind one address",
    )
    public_url: str = Field(
        default="",
        description="the address clients open the public pages at (the survey link in notices, "
        "the message form), e.g. https://obr.minprom.example.ru; empty: "
        "http://<HTTP_HOST>:<HTTP_PORT>, reachable only where that address is",
    )
    session_idle_hours: float = Field(
        default=8.0, gt=0, le=168, description="a session ends this long after its last request"
    )
    session_max_hours: float = Field(
        default=12.0, gt=0, le=720, description="a session ends this long after sign-in"
    )
    sign_in_max_attempts: int = Field(
        default=5, ge=1, le=100, description="wrong passwords in a row that lock the account"
    )
    sign_in_lock_minutes: int = Field(
        default=15, ge=1, le=1440, description="how long a locked account stays locked"
    )
    log_level: str = Field(default="INFO")

    @field_validator("outbound_channel")
    @classmethod
    def _outbound_template(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        rest = value.replace("{number}", "", 1)
        if "{number}" not in value or not _CHANNEL_TEMPLATE.fullmatch(rest):
            raise ValueError(
                f"{value!r}: нужен шаблон канала с одним {{number}}, например "
                "PJSIP/{number}@trunk (латиница, цифры, / @ . _ -)"
            )
        return value

    @field_validator("outbound_caller_id")
    @classmethod
    def _caller_id_digits(cls, value: str) -> str:
        if not value.isascii() or not value.isdigit():
            raise ValueError(f"{value!r}: номер для звонков — только цифры, например 78722678091")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not _PUBLIC_URL.fullmatch(value):
            raise ValueError(
                f"{value!r}: нужен адрес вида https://host[:port][/path], без пробелов, "
                "параметров и якоря"
            )
        return value

    @property
    def public_base(self) -> str:
        """The address public links start with (no trailing slash)."""
        return self.public_url or f"http://{self.http_host}:{self.http_port}"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if not _whole_hours(_zone(value)):
            # The reports count calls by UTC hour (models.tables.report_counts): a local day
            # must be made of whole UTC hours, as in every Russian zone.
            raise ValueError(
                f"часовой пояс {value!r} отличается от UTC не на целое число часов: "
                "отчёты считают звонки по часам, такой пояс не поддерживается"
            )
        return value

    @field_validator("cdr_timezone")
    @classmethod
    def _known_cdr_timezone(cls, value: str) -> str:
        if value != LOCAL_ZONE:
            _zone(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("поддерживаются только sqlite:// и postgresql+psycopg://")
        folder = _sqlite_folder(value)
        if folder is not None and value != DEFAULT_DATABASE_URL and not folder.is_dir():
            raise ValueError(
                f"папки {folder.absolute()} для базы SQLite нет: создайте её или укажите другую"
            )
        return value

    @field_validator("agi_allowed_sources")
    @classmethod
    def _no_open_door(cls, value: str, info: ValidationInfo) -> str:
        sources = parse_sources(_split(value))
        host = info.data.get("agi_host")
        problem = open_door_problem(host, sources) if isinstance(host, str) else None
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("audiosocket_host")
    @classmethod
    def _no_open_audio_door(cls, value: str, info: ValidationInfo) -> str:
        speech_on = bool(str(info.data.get("speech_model_path", "")).strip())
        # A bad list of sources has its own error; "" is the list left empty.
        sources = info.data.get("agi_allowed_sources", "-")
        if speech_on and beyond_loopback(value) and not sources:
            raise ValueError(
                f"AudioSocket слушает {value or 'все адреса'}, а список разрешённых адресов "
                "CONSULT_LINE_AGI_ALLOWED_SOURCES пуст: любой, кто достучится до порта, займёт "
                "распознавание речи чужим звуком. Укажите адреса Asterisk в "
                "CONSULT_LINE_AGI_ALLOWED_SOURCES или слушайте 127.0.0.1"
            )
        return value

    @field_validator("retention_years")
    @classmethod
    def _keeps_history_long_enough(cls, value: int) -> int:
        if value < RETENTION_MIN_YEARS:
            raise ValueError(
                f"не меньше {RETENTION_MIN_YEARS} лет: Правила взаимодействия с клиентами "
                f"требуют хранить историю взаимодействия {RETENTION_MIN_YEARS} лет (G3)"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("допустимо DEBUG, INFO, WARNING или ERROR")
        return upper

    @model_validator(mode="after")
    def _training_line_defaults(self) -> Settings:
        """The training line's own database and records, unless named explicitly."""
        if self.pbx == "training" and not self.ami_enabled:
            raise ValueError(
                "CONSULT_LINE_PBX=training: учебной линии нужна связь AMI, "
                "уберите CONSULT_LINE_AMI_ENABLED=false"
            )
        if not self.training_line:
            return self
        given = self.model_fields_set
        if "database_url" not in given:
            self.database_url = TRAINING_DATABASE_URL
        if "queue_log_path" not in given:
            self.queue_log_path = TRAINING_QUEUE_LOG_PATH
        if "cdr_path" not in given:
            self.cdr_path = TRAINING_CDR_PATH
        return self

    @model_validator(mode="after")
    def _speech_ports_apart(self) -> Settings:
        taken = {self.agi_port: "CONSULT_LINE_AGI_PORT", self.http_port: "CONSULT_LINE_HTTP_PORT"}
        if self.speech_model_dir is not None and self.audiosocket_port in taken:
            raise ValueError(
                f"CONSULT_LINE_AUDIOSOCKET_PORT совпадает с {taken[self.audiosocket_port]} "
                f"({self.audiosocket_port}): у AudioSocket должен быть свой порт"
            )
        return self

    @model_validator(mode="after")
    def _mail_port_apart(self) -> Settings:
        taken = {self.agi_port: "CONSULT_LINE_AGI_PORT", self.http_port: "CONSULT_LINE_HTTP_PORT"}
        if self.speech_model_dir is not None:
            taken[self.audiosocket_port] = "CONSULT_LINE_AUDIOSOCKET_PORT"
        if self.smtp_in_port in taken:
            raise ValueError(
                f"CONSULT_LINE_SMTP_IN_PORT совпадает с {taken[self.smtp_in_port]} "
                f"({self.smtp_in_port}): у приёмника почты должен быть свой порт"
            )
        return self

    @model_validator(mode="after")
    def _speech_pause_shorter_than_answers(self) -> Settings:
        for name in ("speech_max_utterance_s", "speech_question_max_s"):
            if self.speech_end_silence_s >= getattr(self, name):
                raise ValueError(
                    f"speech_end_silence_s должно быть меньше {name}: иначе ответ всегда "
                    "обрывается по длине, а не по паузе"
                )
        return self

    @model_validator(mode="after")
    def _session_limits_in_order(self) -> Settings:
        if self.session_max_hours < self.session_idle_hours:
            raise ValueError("session_max_hours не может быть меньше session_idle_hours")
        return self

    @model_validator(mode="after")
    def _hours_in_order(self) -> Settings:
        if self.opening_time >= self.closing_time:
            raise ValueError("opening_time должно быть раньше closing_time")
        try:
            shortened_hours(self.working_hours)
        except ValueError:
            raise ValueError(
                "рабочий день должен быть длиннее часа: накануне праздника он сокращается "
                "на час (ст. 95 ТК РФ)"
            ) from None
        return self

    @property
    def training_line(self) -> bool:
        """The service works with the training line (a simulated Asterisk in ``serve``):
        ``pbx = training``, or ``auto`` on a machine with no AMI secret (a fresh one)."""
        if self.pbx == "auto":
            return self.ami_enabled and not self.ami_secret.get_secret_value()
        return self.pbx == "training"

    @property
    def speech_model_dir(self) -> Path | None:
        """The speech model's folder; None when speech is off (the setting is empty)."""
        path = self.speech_model_path.strip()
        return Path(path).expanduser() if path else None

    @property
    def audiosocket_connect_host(self) -> str:
        """The address Asterisk is told to send a call's audio to (``EXEC AudioSocket``): the
        listening address, or loopback when the server listens on every address."""
        host = self.audiosocket_host.strip()
        every_address = ("", "0.0.0.0", "::")  # noqa: S104 (compared, not bound)
        return "127.0.0.1" if host in every_address else host

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(hours=self.session_idle_hours),
            longest=timedelta(hours=self.session_max_hours),
        )

    @property
    def sign_in_policy(self) -> SignInPolicy:
        return SignInPolicy(
            max_attempts=self.sign_in_max_attempts,
            lock=timedelta(minutes=self.sign_in_lock_minutes),
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def cdr_tz(self) -> tzinfo:
        """The zone the CDR's times are read in (``cdr_timezone``; ``local``: this machine's)."""
        return self.cdr_zone(host_zone())

    def cdr_zone(self, host: tzinfo) -> tzinfo:
        """``cdr_timezone`` for a machine whose clock zone is ``host``."""
        return host if self.cdr_timezone == LOCAL_ZONE else ZoneInfo(self.cdr_timezone)

    @property
    def working_hours(self) -> WorkingHours:
        return WorkingHours(self.opening_time, self.closing_time)

    @property
    def allowed_agi_sources(self) -> frozenset[str]:
        return frozenset(_split(self.agi_allowed_sources))

    def masked(self) -> dict[str, Any]:
        """Effective values for display, secrets and database passwords hidden."""
        shown: dict[str, Any] = {}
        mail = list(MailSettings.model_fields)  # the line's own settings first, mail after
        for name in [name for name in type(self).model_fields if name not in mail] + mail:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else "(не задан)"
            elif name == "database_url":
                value = _mask_url_password(value)
            elif isinstance(value, time):
                value = value.strftime("%H:%M")
            shown[name] = str(value)
        return shown


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"неизвестный часовой пояс {name!r}") from exc


def _whole_hours(zone: ZoneInfo) -> bool:
    """The zone's offset from UTC was and will be whole hours (checked 1990–2050)."""
    return all(
        offset is not None and not offset % timedelta(hours=1)
        for year in range(1990, 2051)
        for month in (1, 4, 7, 10)
        for offset in (datetime(year, month, 1, tzinfo=zone).utcoffset(),)
    )


def _sqlite_folder(url: str) -> Path | None:
    """The folder of an SQLite database file; None for other databases and in-memory ones."""
    if not url.startswith("sqlite://"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).parent


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _mask_url_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:********@{host}"
