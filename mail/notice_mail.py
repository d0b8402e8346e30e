"""The real :class:`models.message_notices.Mailer`: a notice as one plain-text letter through
the outgoing server (``mail.sender``). The address is sent bare (the client's name never goes
into a header); whatever keeps the letter from the server becomes ``NotSentError`` with the reason
in Russian, so that the notice is recorded as not sent and can be sent again."""

from __future__ import annotations

from email.utils import parseaddr

from mail.sender import MailSendError, send_mail
from models.mail_settings import MailSettings
from models.message_notices import Mailer, NotSentError


def notice_mailer(settings: MailSettings) -> Mailer:
    def send(to: str, subject: str, text: str) -> str:
        try:
            return send_mail(settings, parseaddr(to)[1] or to, subject, text)
        except (MailSendError, ValueError) as exc:
            raise NotSentError(str(exc)) from exc

    return send
