"""The web server's access log without the secrets that travel in addresses.

A link from a letter carries its random token in the path: a survey link
(``/public/survey/<token>``, W12), a visit's cancellation link (``/public/visits/cancel/<token>``,
V6), a mailing's confirmation and unsubscribe links (M1, M4). The access log would keep every
opened link for anyone who reads the log. :class:`HideLinkTokens` writes ``<path>/…`` in the
token's place, one pattern for every such path (:data:`LINK_PATHS`).
"""

from __future__ import annotations

import logging
import re
from typing import Final

from models.mailing_consent import CONFIRM_PATH, UNSUBSCRIBE_PATH
from models.survey_links import SURVEY_PATH
from visits.links import CANCEL_PATH

ACCESS_LOGGER: Final = "uvicorn.access"
LINK_PATHS: Final = (SURVEY_PATH, CANCEL_PATH, CONFIRM_PATH, UNSUBSCRIBE_PATH)
_TOKEN_IN_PATH: Final = re.compile(
    "(" + "|".join(re.escape(path) for path in LINK_PATHS) + r")/[^/?#\s]+"
)


class HideLinkTokens(logging.Filter):
    """uvicorn's access records carry (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(
            isinstance(a, str) and _TOKEN_IN_PATH.search(a) for a in args
        ):
            record.args = tuple(
                _TOKEN_IN_PATH.sub(r"\1/…", a) if isinstance(a, str) else a for a in args
            )
        return True


def hide_link_tokens() -> None:
    """Installs the filter on uvicorn's access logger (after uvicorn has set up logging)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HideLinkTokens) for f in logger.filters):
        logger.addFilter(HideLinkTokens())
