"""What of a client's written messages goes to the client (G4), decided field by field.

The message is the client's own, and so is everything the Ministry sent them about it: the
whole text, the sender's details as they gave them, the deadlines the rules set (W3–W6), its
state, the names and sizes of the files that came with it, every notice and answer in full
(kind, channel, address, text, whether it went), and their survey answers (W12). What stays
with the staff: who registered, classified or owns the message (how the Ministry organises its
work), the mail's technical identifiers, the reason a notice could not be sent (the mail
server's words), and the abuse lexicon's suspicion with the words it found — the client learns
of a confirmed one from the W5 notice itself, and its deadline is given only once a person
confirmed it.
"""

from __future__ import annotations

from datetime import tzinfo

from call_card.labels import ANSWER_RECEIVED_LABELS_RU, QUALITY_LABELS_RU
from client_history.audience import RECORD_KEY, THEIR_OWN, WHEN, WHO, Decision
from client_history.audience import for_client as client
from client_history.audience import for_staff as staff
from client_history.document import DocAttachment, DocMessage, DocMessageSurvey, DocNotice
from client_history.labels import CHANNEL_LABELS_RU
from client_history.records import (
    AttachmentRecord,
    MessageRecord,
    MessageSurveyRecord,
    NoticeRecord,
)
from client_history.timeline import MessageEntry
from models.message_labels import INTAKE_RU, NOTICE_KIND_RU, NOTICE_STATE_RU, STATUS_RU
from models.tables import AbuseCheck
from models.topics import TOPIC_LABELS_RU

_THE_MESSAGE = "the message itself (G3)"
_HANDLING = "material of its handling (G3)"

MESSAGE_DISCLOSURE: dict[type, dict[str, Decision]] = {
    MessageRecord: {
        "id": staff(RECORD_KEY),
        "number": client("the number it was registered under, given in the primary answer (W6)"),
        "received_at": client(WHEN),
        "intake": client("how they sent it"),
        "sender_name": client(THEIR_OWN),
        "sender_email": client(THEIR_OWN),
        "sender_phone": client(THEIR_OWN),
        "sender_address": client(THEIR_OWN),
        "subject": client(_THE_MESSAGE),
        "body": client(_THE_MESSAGE),
        "email_message_id": staff("the mail's technical identifier"),
        "form_key": staff(RECORD_KEY),
        "consent": client("their own consent to the processing of personal data"),
        "topic": client("the topic of their message (W2)"),
        "need": client("their need, as the message was classified (W2)"),
        "classified_by": staff(WHO),
        "urgent": client("whether it was found urgent, which set its deadline (W3–W4)"),
        "urgency_note": client("why it was found urgent: " + _HANDLING),
        "primary_due": client("the deadline of the primary answer (W6)"),
        "answer_due": client("the deadline of the substantive answer (W3–W4)"),
        "abuse": staff(
            "the lexicon's suspicion and a person's verdict: a confirmed one reaches the client "
            "as the W5 notice"
        ),
        "abuse_words": staff("what the lexicon found: the staff's tool (W5)"),
        "abuse_notice_due": client("the deadline of the W5 notice, once a person confirmed it"),
        "status": client("where their message stands"),
        "owner": staff(WHO),
        "registered_by": staff(WHO),
        "closed_at": client(WHEN),
    },
    AttachmentRecord: {
        "id": staff(RECORD_KEY),
        "message_id": staff(RECORD_KEY),
        "filename": client("a file they sent: " + _THE_MESSAGE),
        "content_type": client("a file they sent: " + _THE_MESSAGE),
        "size": client("a file they sent: " + _THE_MESSAGE),
    },
    NoticeRecord: {
        "id": staff(RECORD_KEY),
        "message_id": staff(RECORD_KEY),
        "kind": client("what was sent to them: " + _HANDLING),
        "channel": client("the channel it went by (G1–G2)"),
        "to_address": client("where it went: their own address"),
        "subject": client("what was sent to them: " + _HANDLING),
        "body": client("what was sent to them: " + _HANDLING),
        "state": client("whether it went: " + _HANDLING),
        "error": staff("the mail server's reason for a failure: technical data"),
        "at": client(WHEN),
        "by": staff(WHO),
    },
    MessageSurveyRecord: {
        "message_id": staff(RECORD_KEY),
        "issued_at": staff("the link's own bookkeeping: the notice that carried it is given"),
        "answered_at": client(WHEN),
        "answer_received": client("their own answer (W12)"),
        "quality": client("their own answer (W12)"),
        "comment": client("their own words (W12)"),
    },
}


def message_doc(entry: MessageEntry, tz: tzinfo) -> DocMessage:
    """The client's part of one message (see :data:`MESSAGE_DISCLOSURE`), instants in ``tz``."""
    message = entry.message
    topic = message.topic
    return DocMessage(
        number=message.number,
        received_at=message.received_at.astimezone(tz),
        intake=message.intake.value,
        intake_label=INTAKE_RU[message.intake],
        sender_name=message.sender_name,
        sender_email=message.sender_email,
        sender_phone=message.sender_phone,
        sender_address=message.sender_address,
        consent=message.consent,
        subject=message.subject,
        text=message.body,
        topic=topic.value if topic else None,
        topic_label=TOPIC_LABELS_RU[topic] if topic else None,
        need=message.need,
        urgent=message.urgent,
        urgency_note=message.urgency_note,
        primary_due=message.primary_due,
        answer_due=message.answer_due,
        abuse_notice_due=message.abuse_notice_due
        if message.abuse is AbuseCheck.CONFIRMED
        else None,
        status=message.status.value,
        status_label=STATUS_RU[message.status],
        closed_at=message.closed_at.astimezone(tz) if message.closed_at else None,
        attachments=tuple(_attachment(row) for row in entry.attachments),
        notices=tuple(_notice(row, tz) for row in entry.notices),
        surveys=tuple(_survey(row, tz) for row in entry.surveys if row.answered_at is not None),
    )


def _attachment(row: AttachmentRecord) -> DocAttachment:
    return DocAttachment(filename=row.filename, content_type=row.content_type, size=row.size)


def _notice(row: NoticeRecord, tz: tzinfo) -> DocNotice:
    return DocNotice(
        at=row.at.astimezone(tz),
        kind=row.kind.value,
        kind_label=NOTICE_KIND_RU[row.kind],
        channel=row.channel.value,
        channel_label=CHANNEL_LABELS_RU[row.channel],
        to=row.to_address,
        subject=row.subject,
        text=row.body,
        state=row.state.value,
        state_label=NOTICE_STATE_RU[row.state],
    )


def _survey(row: MessageSurveyRecord, tz: tzinfo) -> DocMessageSurvey:
    assert row.answered_at is not None
    answer, quality = row.answer_received, row.quality
    return DocMessageSurvey(
        at=row.answered_at.astimezone(tz),
        answer_received=answer.value if answer else None,
        answer_received_label=ANSWER_RECEIVED_LABELS_RU[answer] if answer else None,
        quality=quality.value if quality else None,
        quality_label=QUALITY_LABELS_RU[quality] if quality else None,
        comment=row.comment,
    )
