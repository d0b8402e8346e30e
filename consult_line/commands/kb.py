"""``consult-line kb check|load|search|overdue|gaps``: the knowledge base without the console."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from consult_line.wiring import Services
from models.db import session_scope
from models.kb_gaps import kb_gaps, local_period
from scripts_kb.content_files import CONTENT_DIR, KbContentError, load_content
from scripts_kb.search import SearchIndex
from scripts_kb.search_terms import query_problem
from scripts_kb.store import load_documents, load_into_db
from scripts_kb.upkeep import overdue_sections

GAP_PERIOD_DAYS = 30


def run(services: Services, args: argparse.Namespace) -> int:
    if args.action == "search":
        return _search(services, args)
    if args.action == "overdue":
        return _overdue(services)
    if args.action == "gaps":
        return _gaps(services, args)
    directory: Path = args.directory or CONTENT_DIR
    try:
        content = load_content(directory)
    except KbContentError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.action == "check":
        print(f"База знаний {directory}: ошибок нет.")
        print("\n".join(content.summary_lines()))
        return 0
    with session_scope(services.engine) as session:
        summary = load_into_db(session=session, content=content, now=services.clock())
    print("\n".join(summary.lines()))
    return 0


def _search(services: Services, args: argparse.Namespace) -> int:
    problem = query_problem(args.query)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    with session_scope(services.engine) as session:
        index = SearchIndex(load_documents(session))
    if not index.documents:
        print("База знаний пуста: выполните consult-line kb load", file=sys.stderr)
        return 1
    hits = index.search(args.query, topic=args.topic, limit=args.limit, language=args.language)
    for hit in hits:
        if args.format == "jsonl":
            print(json.dumps(asdict(hit), ensure_ascii=False))
        else:
            print(f"{hit.score:8.3f}  {hit.id}  [{hit.kind}, {hit.section}]  {hit.title}")
            print(f"          {hit.snippet}")
    if not hits and args.format == "text":
        print("Ничего не найдено.")
    return 0


def _overdue(services: Services) -> int:
    today = services.clock().astimezone(services.settings.tz).date()
    with session_scope(services.engine) as session:
        late = overdue_sections(session=session, today=today)
    if not late:
        print(f"Просроченных разделов нет (на {today.isoformat()}).")
        return 0
    print(f"Разделы, не проверенные больше месяца (на {today.isoformat()}): {len(late)}")
    for item in late:
        print(
            f"  {item.id}  отдел {item.owner}  проверен {item.last_reviewed.isoformat()}, "
            f"срок {item.review_due.isoformat()}  {item.title}"
        )
    return 0


def _gaps(services: Services, args: argparse.Namespace) -> int:
    until: date = args.until or services.clock().astimezone(services.settings.tz).date()
    since: date = args.since or until - timedelta(days=GAP_PERIOD_DAYS - 1)
    if since > until:
        print("--since позже --until", file=sys.stderr)
        return 2
    start, end = local_period(since, until, services.settings.tz)
    with session_scope(services.engine) as session:
        report = kb_gaps(session=session, since=start, until=end)
    print(
        f"Итоги звонков {since.isoformat()}–{until.isoformat()}: {report.wrapups}, "
        f"без ответа в базе знаний: {report.without_answer}"
    )
    if report.topics:
        print("Темы:")
        for topic in report.topics:
            print(f"  {topic.count:5d}  {topic.topic.value if topic.topic else '(без темы)'}")
    if report.questions:
        print("Вопросы:")
        for question in report.questions:
            print(f"  {question.count:5d}  {question.question}")
    if report.spoken:
        print(
            f"Вопросы со слов звонящих (распознаны автоматически): звонков {report.spoken_calls}, "
            f"без ответа в базе знаний {report.spoken_without_answer}"
        )
        for spoken in report.spoken:
            print(f"  {spoken.calls:5d}  без ответа {spoken.without_answer:5d}  {spoken.question}")
    return 0
