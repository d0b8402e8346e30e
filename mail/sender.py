"""Outgoing mail: one plain-text letter (UTF-8) through the configured SMTP server.

STARTTLS (verified against the system's certificates) and login when the settings ask for
them. Extra headers (a mailing's ``List-Unsubscribe``) are the caller's own fixed names with
values it built. A subject, an address or a header value with a line break is refused before
anything is sent (``ValueError``): it would be a header injection. Any failure to hand the
letter over (the server away, refused login, refused recipient, TLS failure) is one
``MailSendError`` with the reason in Russian; the caller records the notice as not sent.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from models.mail_settings import MailSettings
from models.os_errors import os_error_reason

SEND_TIMEOUT_S = 30.0


class MailSendError(Exception):
    """The letter was not handed to the outgoing server; the message says why, in Russian."""


def send_mail(
    settings: MailSettings,
    to: str,
    subject: str,
    text: str,
    *,
    reply_to: str | None = None,
    timeout_s: float = SEND_TIMEOUT_S,
    headers: Mapping[str, str] | None = None,
) -> str:
    """Sends and returns the letter's Message-ID (without brackets). Blocking: async callers
    use ``send_mail_async``."""
    if not settings.smtp_host.strip():
        raise MailSendError("исходящая почта не настроена: CONSULT_LINE_SMTP_HOST пуст")
    letter = compose(settings, to, subject, text, reply_to=reply_to, headers=headers)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout_s) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(letter)
    except smtplib.SMTPException as exc:
        raise MailSendError(f"почтовый сервер не принял письмо: {_smtp_reason(exc)}") from exc
    except ssl.SSLError as exc:
        raise MailSendError(f"не удалось установить TLS с почтовым сервером: {exc}") from exc
    except OSError as exc:  # refused, unreachable, timed out, name not found
        raise MailSendError(
            f"нет связи с почтовым сервером {settings.smtp_host}:{settings.smtp_port}: "
            f"{os_error_reason(exc)}"
        ) from exc
    return str(letter["Message-ID"]).strip("<>")


async def send_mail_async(
    settings: MailSettings,
    to: str,
    subject: str,
    text: str,
    *,
    reply_to: str | None = None,
    timeout_s: float = SEND_TIMEOUT_S,
) -> str:
    """``send_mail`` in a thread, for the event loop."""
    return await asyncio.to_thread(
        send_mail, settings, to, subject, text, reply_to=reply_to, timeout_s=timeout_s
    )


def compose(
    settings: MailSettings,
    to: str,
    subject: str,
    text: str,
    *,
    reply_to: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """The letter as it will be sent; ValueError for a line break in a header or a malformed
    address."""
    extra = dict(headers or {})
    checked = [("тема", subject), ("адрес", to), ("адрес для ответа", reply_to or "")]
    for name, value in [*checked, *extra.items()]:
        if "\r" in value or "\n" in value:
            raise ValueError(f"{name} письма содержит перевод строки: письмо не отправлено")
    _check_address(to)
    letter = EmailMessage()
    letter["From"] = settings.smtp_from
    letter["To"] = to
    if reply_to:
        _check_address(reply_to)
        letter["Reply-To"] = reply_to
    letter["Subject"] = subject
    letter["Date"] = formatdate(localtime=True)
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or None
    letter["Message-ID"] = make_msgid(domain=domain)
    for name, value in extra.items():
        letter[name] = value
    letter.set_content(text, charset="utf-8")
    return letter


def refused_for_good(exc: MailSendError | ValueError) -> bool:
    """A failure no retry mends: the letter refused before sending (``ValueError``: a bad
    address or header) or the recipient refused by the server."""
    return isinstance(exc, ValueError) or isinstance(exc.__cause__, smtplib.SMTPRecipientsRefused)


def _check_address(value: str) -> None:
    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    if not (local and at and domain):
        raise ValueError(f"{value!r} — не адрес электронной почты: письмо не отправлено")


def _smtp_reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(f"{address}: {code}" for address, (code, _) in exc.recipients.items())
        return f"адрес получателя отклонён ({codes})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"неверный логин или пароль ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"сервер не поддерживает нужную команду ({exc})"
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__
