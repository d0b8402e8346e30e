"""The client's history as JSON (G4): the documented shape, version 1 — every key present,
``null`` for a missing value, ISO instants with the line's offset."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from client_history.disclosure import client_document
from client_history.export_json import document_json, file_name, json_bytes
from client_history.timeline import build_timeline
from tests.client_history.message_samples import (
    ANSWER_TEXT,
    NUMBER_A,
    NUMBER_B,
    PRIMARY_TEXT,
    TEXT_A,
    with_messages,
)
from tests.client_history.samples import CLIENT, MSK, msk, story_records

TOP = [
    "format",
    "version",
    "prepared_at",
    "line",
    "kept_years",
    "kept_since",
    "client",
    "calls",
    "callbacks",
    "messages",
    "visits",  # G4, V13: added within version 1
]
CLIENT_KEYS = [
    "phone",
    "name",
    "email",
    "language",
    "language_label",
    "preferred_channel",
    "preferred_channel_label",
    "extra_channel",
    "extra_channel_label",
]
CALL_KEYS = [
    "number",
    "arrived_at",
    "from_phone",
    "language",
    "topic",
    "topic_label",
    "outcome",
    "outcome_label",
    "missed_reason",
    "missed_reason_label",
    "wait_s",
    "answered_at",
    "ended_at",
    "talk_s",
    "consultant",
    "question",
    "spoken_question",
    "transfers",
    "referrals",
    "survey",
    "callbacks",
]
CALLBACK_KEYS = [
    "number",
    "requested_at",
    "phone",
    "source",
    "source_label",
    "question",
    "topic",
    "topic_label",
    "promised_on",
    "windows",
    "status",
    "status_label",
    "closed_at",
    "result",
    "attempts",
    "reschedules",
    "call",
]
MESSAGE_KEYS = [
    "number",
    "received_at",
    "intake",
    "intake_label",
    "sender_name",
    "sender_email",
    "sender_phone",
    "sender_address",
    "consent",
    "subject",
    "text",
    "topic",
    "topic_label",
    "need",
    "urgent",
    "urgency_note",
    "primary_due",
    "answer_due",
    "abuse_notice_due",
    "status",
    "status_label",
    "closed_at",
    "attachments",
    "notices",
    "surveys",
]
NOTICE_KEYS = [
    "at",
    "kind",
    "kind_label",
    "channel",
    "channel_label",
    "to",
    "subject",
    "text",
    "state",
    "state_label",
]


def _json() -> Any:
    document = client_document(
        build_timeline(CLIENT, with_messages(story_records())),
        prepared_at=msk(9, 12, 30, 15),
        tz=MSK,
        line="Линия",
        kept_years=5,
        kept_since=date(2021, 12, 9),
    )
    loaded = json.loads(json_bytes(document))
    assert loaded == document_json(document)
    return loaded


def test_the_shape_of_version_1() -> None:  # G4
    body = _json()
    assert list(body) == TOP
    assert (body["format"], body["version"]) == ("consult-line/client-history", 1)
    assert (body["prepared_at"], body["kept_since"]) == ("2026-12-09T12:30:15+03:00", "2021-12-09")
    assert list(body["client"]) == CLIENT_KEYS
    calls, callbacks = body["calls"], body["callbacks"]
    assert [list(call) for call in calls] == [CALL_KEYS] * 4
    assert [list(task) for task in callbacks] == [CALLBACK_KEYS] * 2
    first = calls[0]
    assert list(first["transfers"][0]) == ["at", "department", "outcome", "outcome_label"]
    assert list(first["survey"]) == [
        "at",
        "answer_received",
        "answer_received_label",
        "quality",
        "quality_label",
    ]
    assert list(calls[3]["referrals"][0]) == ["at", "agency", "contacts"]
    done = callbacks[1]
    assert list(done["windows"][0]) == ["starts_at", "ends_at"]
    assert list(done["attempts"][0]) == ["at", "result", "result_label"]
    assert list(done["reschedules"][0]) == [
        "at",
        "promised_before",
        "promised_after",
        "windows",
        "reason",
    ]


def test_values_instants_with_offset_durations_in_seconds_nulls_kept() -> None:
    calls = _json()["calls"]
    answered, missed = calls[0], calls[1]
    assert answered["arrived_at"] == "2026-12-01T10:00:00+03:00"
    assert (answered["wait_s"], answered["talk_s"]) == (23, 195)
    assert answered["callbacks"] == [1]
    assert "answered_at" in missed
    assert missed["answered_at"] is None
    assert (missed["talk_s"], missed["survey"], missed["transfers"]) == (None, None, [])


def test_the_file_is_named_by_the_record_not_the_phone_number() -> None:
    document = client_document(
        build_timeline(CLIENT, story_records()),
        prepared_at=msk(9, 23, 59),  # 20:59 UTC: the local date counts
        tz=MSK,
        line="Линия",
        kept_years=5,
        kept_since=date(2021, 12, 9),
    )
    assert file_name(7, document) == "client-history_7_2026-12-09.json"


def test_messages_with_their_files_notices_and_survey_answers() -> None:  # G3, G4
    first, second = _json()["messages"]
    assert [list(first), list(second)] == [MESSAGE_KEYS] * 2
    assert (first["number"], second["number"]) == (NUMBER_A, NUMBER_B)  # oldest first
    assert (first["received_at"], first["text"]) == ("2026-12-03T09:15:00+03:00", TEXT_A)
    assert (first["primary_due"], first["answer_due"]) == ("2026-12-08", "2026-12-09")
    assert (first["status"], first["closed_at"]) == ("answered", "2026-12-08T16:05:00+03:00")
    # the files: names, types and sizes, never their bytes
    assert first["attachments"] == [
        {"filename": "заявка.pdf", "content_type": "application/pdf", "size": 245_760},
        {"filename": "фото станка.jpg", "content_type": "image/jpeg", "size": 1_572_864},
    ]
    assert [list(notice) for notice in first["notices"]] == [NOTICE_KEYS] * 3
    assert [(n["kind"], n["channel"], n["state"]) for n in first["notices"]] == [
        ("primary", "email", "sent"),
        ("primary", "sms", "failed"),
        ("answer", "email", "sent"),
    ]
    assert [n["text"] for n in first["notices"][::2]] == [PRIMARY_TEXT, ANSWER_TEXT]
    assert first["surveys"] == [
        {
            "at": "2026-12-08T18:30:00+03:00",
            "answer_received": "yes",
            "answer_received_label": "ответ получен",
            "quality": "partly_satisfied",
            "quality_label": "частично удовлетворен",
            "comment": "Спасибо, но долго",
        }
    ]
    assert (second["closed_at"], second["surveys"], second["abuse_notice_due"]) == (
        None,
        [],
        "2026-12-14",
    )
