"""The HTTP answer to a refusal of the call card's data layer (``call_card.refusals``): the
status of its kind and its Russian reason."""

from __future__ import annotations

from typing import NoReturn

from fastapi import HTTPException, status

from call_card.refusals import Refusal, RefusalKind

STATUS_OF_KIND = {
    RefusalKind.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    RefusalKind.INVALID: status.HTTP_422_UNPROCESSABLE_CONTENT,
    RefusalKind.CONFLICT: status.HTTP_409_CONFLICT,
    RefusalKind.FORBIDDEN: status.HTTP_403_FORBIDDEN,
}


def http_error(refusal: Refusal) -> HTTPException:
    return HTTPException(STATUS_OF_KIND[refusal.kind], refusal.reason)


def refuse(refusal: Refusal) -> NoReturn:
    raise http_error(refusal)
