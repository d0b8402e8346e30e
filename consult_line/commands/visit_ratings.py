"""``consult-line visits rate`` and ``visits ratings`` (V13): the rating of a visit taken at the
reception, and the letters offering the rating sent now rather than at the job's next run.

``rate ID --received yes --quality satisfied [--comment ТЕКСТ]`` stores the rating the visitor
gave the employee on the spot (exit 2: no such booking, the visit did not take place or has not
begun, rated already; nothing changes). ``ratings`` runs what the job ``visit-ratings`` runs and
prints what was sent (exit 1 when a letter could not go or mail is not configured).
"""

from __future__ import annotations

import argparse
import sys

from consult_line.actor import cli_actor
from consult_line.visit_rating_run import offer_ratings
from consult_line.wiring import Services
from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_answers import SurveyAnswers
from visits.rating import RatingError, record_on_spot
from visits.store import get_booking


def rate(services: Services, args: argparse.Namespace) -> int:
    answers = SurveyAnswers(
        AnswerReceived(args.received), QualityRating(args.quality), args.comment
    )
    try:
        with session_scope(services.engine) as session:
            booking = get_booking(session, args.booking)
            if booking is None:
                print(f"Записи № {args.booking} нет.", file=sys.stderr)
                return 2
            record_on_spot(
                session=session,
                booking=booking,
                answers=answers,
                actor=cli_actor(),
                now=services.clock(),
            )
    except RatingError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Оценка приёма по записи № {args.booking} записана.")
    return 0


def send(services: Services, _args: argparse.Namespace) -> int:
    run = offer_ratings(services)
    if not run.daytime:
        print("Сейчас не дневное время (09:00–20:00): письма с оценкой приёма не отправляются.")
        return 0
    if run.not_configured:
        print(
            "Исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст): "
            f"писем с оценкой приёма не отправлено, ждут: {run.due}.",
            file=sys.stderr,
        )
        return 1
    for booking_id, reason in run.failed:
        print(f"Запись № {booking_id}: письмо не отправлено — {reason}", file=sys.stderr)
    print(f"Письма с оценкой приёма: отправлено {len(run.sent)}, не отправлено {len(run.failed)}.")
    return 1 if run.failed else 0
