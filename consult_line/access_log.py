"""The web server's access log without the secrets that travel in addresses.

A survey link (``/public/survey/<token>``, W12) is the client's key to their one answer; the
access log would keep every opened link for anyone who reads the log. :class:`HideLinkTokens`
writes ``/public/survey/…`` in its place.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from models.survey_links import SURVEY_PATH

ACCESS_LOGGER: Final = "uvicorn.access"
_TOKEN_IN_PATH: Final = re.compile(re.escape(SURVEY_PATH) + r"/[^/?#\s]+")
_HIDDEN: Final = f"{SURVEY_PATH}/…"


class HideLinkTokens(logging.Filter):
    """uvicorn's access records carry (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, str) and SURVEY_PATH in a for a in args):
            record.args = tuple(
                _TOKEN_IN_PATH.sub(_HIDDEN, a) if isinstance(a, str) else a for a in args
            )
        return True


def hide_link_tokens() -> None:
    """Installs the filter on uvicorn's access logger (after uvicorn has set up logging)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HideLinkTokens) for f in logger.filters):
        logger.addFilter(HideLinkTokens())
