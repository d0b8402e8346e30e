"""The letters of information mailings (M1, M4): the confirmation of a subscription, and a
mailing's letter with its unsubscribe link.

A mailing letter's link withdraws the consent (M4) two ways:

* in the text: the link opens a page with one button (a GET never withdraws: mail scanners
  and link previews open links by themselves);
* in the headers (RFC 2369, RFC 8058): ``List-Unsubscribe: <link>`` and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``, so that the mail program's own
  «unsubscribe» POSTs to the link and the consent is withdrawn at once.

Nothing the public typed goes into a header: the recipient's address is the bare address the
register holds, the link is ours, the subject is the supervisor's one-line text (checked for
line breaks by ``mail.sender``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from models.rules.mailing_consent import CONFIRMATION_LIFETIME

CONFIRMATION_SUBJECT: Final = "Подтвердите подписку на информационные рассылки"
ONE_CLICK_BODY: Final = "List-Unsubscribe=One-Click"


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    text: str
    headers: dict[str, str]


def confirmation_letter(line_title: str, link: str, subscribe_page: str) -> Letter:
    hours = int(CONFIRMATION_LIFETIME.total_seconds() // 3600)
    text = (
        "Здравствуйте!\n\n"
        "На этот адрес запрошена подписка на информационные рассылки Министерства "
        "промышленности и торговли Республики Дагестан.\n\n"
        "Чтобы подтвердить согласие на получение рассылок, откройте ссылку и нажмите кнопку "
        f"«Подтвердить подписку»:\n{link}\n\n"
        f"Ссылка действует {hours} часов. Если Вы не подписывались, ничего делать не нужно: "
        "без подтверждения письма рассылок на этот адрес не отправляются.\n\n"
        f"Подписаться заново: {subscribe_page}\n\n"
        f"— {line_title}\n"
    )
    return Letter(CONFIRMATION_SUBJECT, text, {})


def mailing_letter(subject: str, body: str, unsubscribe_link: str) -> Letter:
    """M4: the mailing's text, then the unsubscribe link; the same link in the headers."""
    text = (
        f"{body.rstrip()}\n\n"
        "--\n"
        "Вы получили это письмо, потому что дали согласие на информационные рассылки "
        "Министерства промышленности и торговли Республики Дагестан.\n"
        f"Отказаться от рассылок (согласие отзывается сразу): {unsubscribe_link}\n"
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_link}>",
        "List-Unsubscribe-Post": ONE_CLICK_BODY,
    }
    return Letter(subject, text, headers)
