"""The survey page of a written message (W12): ``GET``/``POST /public/survey/<token>``, for
whoever holds the link the final notice carried (``models.survey_links``).

One page of plain HTML that works without JavaScript: which message it is about (its number and
date, nothing of the client: the page opens by a link that may be forwarded), the two questions
of the call survey and an optional comment. The link's token is the secret that names the
survey, so no session or cookie is needed; the POST carries a signed form token as the public
message form does (the ``public_form`` rule), answers sent are limited per address and in all
(``agent_console.public_limits``), and the answers are stored once
(``models.survey_answers.record_answers``): a second submission — a double click, another tab,
a reload — gets «Спасибо, Ваш ответ уже получен» and changes nothing.

The same page rates a personal visit (V13) when the token is one of ``visit_surveys``: it names
the visit by its day, time and place, asks the questions worded for a visit, and speaks English
to a visitor who booked in English (V11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from agent_console.auth.form_tokens import issue
from agent_console.auth.refusals import PUBLIC_REFUSAL, ErrorPage
from agent_console.auth.rules import public_form
from agent_console.deps import Backend, BackendDep, ContextDep
from agent_console.public_survey_form import (
    MESSAGE_TEXTS,
    VISIT_TEXTS_EN,
    VISIT_TEXTS_RU,
    Choice,
    SurveyForm,
    SurveyTexts,
    read_survey_form,
)
from agent_console.templating import Layout, render
from models.db import session_scope
from models.survey_answers import (
    COMMENT_MAX,
    SurveyKind,
    SurveySubject,
    record_answers,
    survey_subject,
)
from models.survey_links import SURVEY_PATH
from models.tables import Language
from models.user_sessions import SignedIn
from visits.confirmation import when_text

PATH = SURVEY_PATH + "/{token:path}"  # any text after the prefix: ours, or the «not found» page
TITLE = "Опрос о работе с обращением"
VISIT_TITLE = {Language.RU: "Оценка личного приёма", Language.EN: "Please rate your visit"}
NOT_FOUND = (
    "Ссылка на опрос не найдена. Проверьте, что она скопирована из письма целиком, "
    "до последнего знака."
)
TOO_MANY = (
    "Слишком много ответов с Вашего адреса за последний час. Пожалуйста, откройте ссылку "
    "позже — ответ можно дать и через несколько дней."
)
# The page's address is a secret: no cache keeps it, nor the answers it shows.
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(tags=["public-survey"])

FormText = Annotated[str, Form()]  # no max_length: a long comment gets the form back


@dataclass(frozen=True, slots=True)
class VisitLines:
    """What the rating page of a visit says about it (V13): nothing of the visitor."""

    when: str  # «среда, 12 марта 2026 г., 10:00» / "Wednesday, 12 March 2026, 10:00"
    place: str
    english: bool


@dataclass(frozen=True, slots=True)
class SurveyPage:
    number: str
    received_on: str  # «12.03.2026»
    form: SurveyForm
    texts: SurveyTexts = MESSAGE_TEXTS
    visit: VisitLines | None = None  # a visit's rating (V13)
    comment_max: int = COMMENT_MAX

    @property
    def english(self) -> bool:
        return self.visit is not None and self.visit.english

    @property
    def lang(self) -> str:  # the page's <html lang> (public_page.html)
        return "en" if self.english else "ru"

    @property
    def received_question(self) -> str:
        return self.texts.received_question

    @property
    def quality_question(self) -> str:
        return self.texts.quality_question

    @property
    def received_choices(self) -> tuple[Choice, ...]:
        return self.texts.received_choices

    @property
    def quality_choices(self) -> tuple[Choice, ...]:
        return self.texts.quality_choices


@dataclass(frozen=True, slots=True)
class DonePage:
    already: bool  # answered before: nothing was changed now
    visit: bool = False  # a visit's rating (V13)
    english: bool = False

    @property
    def lang(self) -> str:
        return "en" if self.english else "ru"


@router.get(PATH, include_in_schema=False)
def survey_page(
    request: Request,
    token: str,
    backend: BackendDep,
    _viewer: Annotated[SignedIn | None, public_form],
) -> Response:
    subject = _open_survey(request, backend, token)
    if isinstance(subject, Response):
        return subject
    return _form(request, backend, subject, SurveyForm())


@router.post(PATH, include_in_schema=False)
def survey_submit(
    request: Request,
    token: str,
    context: ContextDep,
    _viewer: Annotated[SignedIn | None, public_form],
    received: FormText = "",
    quality: FormText = "",
    comment: FormText = "",
) -> Response:
    backend = context.backend
    now = backend.clock()
    where = request.client.host if request.client else "?"
    if not context.public_surveys.admit(where, now):
        return _refused(request, backend, TOO_MANY, 429, back=request.url.path)
    subject = _open_survey(request, backend, token)
    if isinstance(subject, Response):
        return subject
    form = read_survey_form(received, quality, comment, _texts(subject))
    if not form.valid:
        return _form(request, backend, subject, form, status=422)
    with session_scope(backend.engine) as session:
        stored = record_answers(session, subject.survey_id, form.answers(), now, kind=subject.kind)
    return _done(request, backend, subject, already=not stored)


def _open_survey(request: Request, backend: Backend, token: str) -> SurveySubject | Response:
    """The survey still to be answered, or the page that says why not: no such survey (404),
    or answered before."""
    with session_scope(backend.engine) as session:
        subject = survey_subject(session, token, backend.settings.tz)
    if subject is None:
        return _refused(request, backend, NOT_FOUND, 404)
    if subject.answered:
        return _done(request, backend, subject, already=True)
    return subject


def _texts(subject: SurveySubject) -> SurveyTexts:
    if subject.kind is not SurveyKind.VISIT:
        return MESSAGE_TEXTS
    return VISIT_TEXTS_EN if subject.language is Language.EN else VISIT_TEXTS_RU


def _title(subject: SurveySubject) -> str:
    return VISIT_TITLE[subject.language] if subject.kind is SurveyKind.VISIT else TITLE


def _visit_lines(subject: SurveySubject) -> VisitLines | None:
    if subject.visit_at is None:
        return None
    english = subject.language is Language.EN
    return VisitLines(when_text(subject.visit_at, subject.language), subject.place, english)


def _form(
    request: Request,
    backend: Backend,
    subject: SurveySubject,
    form: SurveyForm,
    *,
    status: int = 200,
) -> Response:
    token = issue(backend.form_key(), backend.clock())
    layout = Layout.of(backend.settings.line_title, None, csrf_token=token)
    page = SurveyPage(
        subject.number,
        f"{subject.received_on:%d.%m.%Y}",
        form,
        _texts(subject),
        _visit_lines(subject),
    )
    return render(
        request,
        "public_survey.html",
        layout=layout,
        title=_title(subject),
        page=page,
        status=status,
        headers=NO_STORE,
    )


def _done(request: Request, backend: Backend, subject: SurveySubject, *, already: bool) -> Response:
    layout = Layout.of(backend.settings.line_title, None)
    visit = subject.kind is SurveyKind.VISIT
    return render(
        request,
        "public_survey_done.html",
        layout=layout,
        title=_title(subject),
        page=DonePage(already, visit, visit and subject.language is Language.EN),
        headers=NO_STORE,
    )


def _refused(
    request: Request, backend: Backend, message: str, status: int, *, back: str = ""
) -> Response:
    layout = Layout.of(backend.settings.line_title, None)
    shown = ErrorPage(message, back, "Открыть опрос заново" if back else "")
    headers = NO_STORE | ({"Retry-After": "3600"} if status == 429 else {})
    return render(
        request,
        PUBLIC_REFUSAL,
        layout=layout,
        title="Ссылка не найдена" if status == 404 else "Ответ не принят",
        page=shown,
        status=status,
        headers=headers,
    )
