"""The e-mail settings: the receiver of written messages and the outgoing server.

A base of ``models.settings.Settings`` (the same ``CONSULT_LINE_`` variables), kept apart so
that the mail package can be given just these and the settings module stays one screenful of
the line's own fields.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MEGABYTE = 1024 * 1024
# A whole message as the sender's server sends it: attachments travel in base64, a third
# larger than the files themselves, so 25 MB carries about 18 MB of files.
MAIL_MAX_BYTES = 25 * MEGABYTE
MAIL_ATTACHMENT_MAX_BYTES = 15 * MEGABYTE
MAIL_ATTACHMENT_TYPES = ", ".join(
    (
        "application/pdf",
        "image/jpeg",
        "image/png",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    )
)
_MIME_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")


class MailSettings(BaseSettings):
    # The same variables as ``Settings`` when built alone (tools, tests).
    model_config = SettingsConfigDict(env_prefix="CONSULT_LINE_", extra="ignore")

    smtp_in_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="port of the SMTP receiver of written messages; empty = receiver off",
    )
    smtp_in_host: str = Field(default="127.0.0.1", description="Address the receiver listens on")
    smtp_in_domain: str = Field(
        default="",
        description="comma-separated domains whose recipients the receiver accepts; mail for "
        "any other is refused (550)",
    )
    mail_max_bytes: int = Field(
        default=MAIL_MAX_BYTES,
        ge=64 * 1024,
        le=200 * MEGABYTE,
        description="largest received message as sent (attachments in base64); larger: 552",
    )
    mail_attachment_max_bytes: int = Field(
        default=MAIL_ATTACHMENT_MAX_BYTES,
        ge=1,
        description="largest attachment kept (decoded); a larger one is listed as refused",
    )
    mail_attachment_types: str = Field(
        default=MAIL_ATTACHMENT_TYPES,
        description="comma-separated MIME types of attachments kept; others are listed as "
        "refused, the message is registered all the same",
    )
    smtp_host: str = Field(default="", description="outgoing mail server; empty = no mail out")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = Field(default="", description="login at the outgoing server; empty = none")
    smtp_password: SecretStr = Field(default=SecretStr(""))
    smtp_starttls: bool = Field(default=True, description="STARTTLS before login and sending")
    smtp_from: str = Field(default="", description="the From address of outgoing mail")
    mailing_per_minute: int = Field(
        default=30,
        ge=1,
        le=600,
        description="M1-M4: letters of information mailings handed to the outgoing server a "
        "minute, at most (the mail provider's limit on mass mail)",
    )

    @field_validator("smtp_in_port", mode="before")
    @classmethod
    def _blank_port_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("smtp_in_domain")
    @classmethod
    def _domains(cls, value: str) -> str:
        for domain in _split(value):
            if not _DOMAIN.match(domain.lower()):
                raise ValueError(f"{domain!r} — не имя домена (пример: mail.example.ru)")
        return value

    @field_validator("mail_attachment_types")
    @classmethod
    def _mime_types(cls, value: str) -> str:
        for mime_type in _split(value):
            if not _MIME_TYPE.match(mime_type.lower()):
                raise ValueError(f"{mime_type!r} — не тип MIME (пример: application/pdf)")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _from_address(cls, value: str) -> str:
        if "\r" in value or "\n" in value:
            raise ValueError("в адресе отправителя не может быть перевода строки")
        if value.strip() and "@" not in parseaddr(value)[1]:
            raise ValueError(f"{value!r} — не адрес электронной почты")
        return value

    @field_validator("smtp_user", "smtp_password")
    @classmethod
    def _ascii_credentials(cls, value: str | SecretStr) -> str | SecretStr:
        plain = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not plain.isascii():
            # smtplib sends the login and password as ASCII (AUTH PLAIN, LOGIN, CRAM-MD5).
            raise ValueError("логин и пароль почтового сервера — только латиница, цифры и знаки")
        return value

    @model_validator(mode="after")
    def _receiver_knows_its_domains(self) -> MailSettings:
        if self.smtp_in_port is not None and not self.mail_domains:
            raise ValueError(
                "CONSULT_LINE_SMTP_IN_PORT задан, а CONSULT_LINE_SMTP_IN_DOMAIN пуст: приёмник "
                "отклонял бы все письма. Укажите домены адресов, на которые пишут граждане"
            )
        if self.mail_attachment_max_bytes > self.mail_max_bytes:
            raise ValueError(
                "CONSULT_LINE_MAIL_ATTACHMENT_MAX_BYTES не может быть больше "
                "CONSULT_LINE_MAIL_MAX_BYTES (предела всего письма)"
            )
        return self

    @model_validator(mode="after")
    def _sender_has_from(self) -> MailSettings:
        if self.smtp_host.strip() and not self.smtp_from.strip():
            raise ValueError(
                "CONSULT_LINE_SMTP_HOST задан, а CONSULT_LINE_SMTP_FROM пуст: укажите адрес, "
                "от имени которого линия отправляет письма"
            )
        return self

    @property
    def mail_domains(self) -> frozenset[str]:
        """The receiver's domains, lower case."""
        return frozenset(domain.lower().rstrip(".") for domain in _split(self.smtp_in_domain))

    @property
    def allowed_attachment_types(self) -> frozenset[str]:
        return frozenset(mime_type.lower() for mime_type in _split(self.mail_attachment_types))


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
