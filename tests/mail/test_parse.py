"""The parser on its own: what reaches the store from odd but real mails (G3: nothing lost)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from mail.parse import AttachmentRules, RefusalReason, parse_mail

RULES = AttachmentRules(frozenset({"application/pdf", "image/png", "text/plain"}), max_bytes=100)


def raw(headers: str, body: bytes = b"text\r\n") -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n" + body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Message-ID: <a.b@example.org>\n", "a.b@example.org"),
        ("Message-ID:   < a.b@example.org >  (comment)\n", "a.b@example.org"),
        ("Message-ID: a.b@example.org\n", "a.b@example.org"),
    ],
)
def test_message_id_normalised(header: str, expected: str):
    assert parse_mail(raw(header), RULES).message_id == expected


def test_unusable_message_id_replaced_by_a_hash_of_the_content():
    too_long = f"Message-ID: <{'x' * 300}@example.org>\n"
    first = parse_mail(raw(too_long), RULES).message_id
    assert first.startswith("sha256-")
    assert parse_mail(raw("Message-ID: <>\n"), RULES).message_id.startswith("sha256-")
    assert parse_mail(raw(too_long, b"other text\r\n"), RULES).message_id != first


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Tue, 03 Mar 2026 10:15:00 +0300", datetime(2026, 3, 3, 7, 15, tzinfo=UTC)),
        ("Tue, 03 Mar 2026 10:15:00 -0000", datetime(2026, 3, 3, 10, 15, tzinfo=UTC)),
        ("вчера вечером", None),
        ("", None),
    ],
)
def test_sent_at_aware_or_none(date: str, expected: datetime | None):
    assert parse_mail(raw(f"Date: {date}\n"), RULES).sent_at == expected


def test_missing_from_falls_back_to_the_envelope_sender():
    mail = parse_mail(raw("Subject: s\n"), RULES, envelope_sender="bounce@example.org")
    assert (mail.from_name, mail.from_address) == ("", "bounce@example.org")


def test_control_characters_removed_from_body_and_subject():
    mail = parse_mail(raw("Subject: a\x00b\u202ec\n", b"line\x00one\r\n\x07two\r\n"), RULES)
    assert mail.subject == "a b c"
    assert mail.text == "lineone\ntwo"


def test_filenames_sanitised_and_invented_when_missing():
    letter = EmailMessage()
    letter.set_content("см. вложения")
    for name in ("../../etc/passwd.pdf", "C:\\Users\\a\\скан?.pdf", None, "x" * 300 + ".pdf"):
        letter.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename=name)
    names = [a.filename for a in parse_mail(letter.as_bytes(), RULES).attachments]
    assert names[:3] == ["passwd.pdf", "скан_.pdf", "вложение-3.pdf"]
    assert len(names[3]) == 150
    assert names[3].endswith(".pdf")


def test_generic_type_judged_by_the_file_name():
    letter = EmailMessage()
    letter.set_content("x")
    letter.add_attachment(b"%PDF", maintype="application", subtype="octet-stream", filename="a.pdf")
    letter.add_attachment(b"MZ", maintype="application", subtype="octet-stream", filename="a.exe")
    mail = parse_mail(letter.as_bytes(), RULES)
    assert [a.content_type for a in mail.attachments] == ["application/pdf"]
    assert [r.filename for r in mail.refused_attachments] == ["a.exe"]


def test_attachment_over_the_limit_listed_as_too_large():
    letter = EmailMessage()
    letter.set_content("x")
    letter.add_attachment(bytes(101), maintype="application", subtype="pdf", filename="big.pdf")
    [refused] = parse_mail(letter.as_bytes(), RULES).refused_attachments
    assert (refused.filename, refused.size, refused.reason) == (
        "big.pdf",
        101,
        RefusalReason.TOO_LARGE,
    )
    assert refused.explanation(RULES) == "файл больше 100 Б"


def test_images_of_the_unchosen_html_version_still_kept():
    letter = EmailMessage()
    letter.set_content("plain version")
    letter.add_alternative('<p>html version <img src="cid:logo"></p>', subtype="html")
    html = letter.get_payload()[1]
    html.add_related(b"\x89PNG", maintype="image", subtype="png", cid="<logo>")
    mail = parse_mail(letter.as_bytes(), RULES)
    assert mail.text == "plain version"
    assert [(a.filename, a.content) for a in mail.attachments] == [("вложение-1.png", b"\x89PNG")]


def test_second_inline_text_part_is_appended_not_lost():
    letter = EmailMessage()
    letter.set_content("first")
    letter.add_attachment("second", disposition="inline")
    assert parse_mail(letter.as_bytes(), RULES).text == "first\n\nsecond"


def test_forwarded_message_is_a_refused_file_not_a_crash():
    inner = EmailMessage()
    inner["Subject"] = "old"
    inner.set_content("forwarded")
    letter = EmailMessage()
    letter.set_content("see below")
    letter.add_attachment(inner)
    mail = parse_mail(letter.as_bytes(), RULES)
    [refused] = mail.refused_attachments
    assert refused.content_type == "message/rfc822"
    assert refused.size > 0


@pytest.mark.parametrize(
    "garbage",
    [b"", b"\xff\xfe\x00garbage", b"Content-Type: multipart/mixed\r\n\r\nno boundary", b":\r\n"],
)
def test_garbage_never_raises(garbage: bytes):
    mail = parse_mail(garbage, RULES)
    assert mail.message_id.startswith("sha256-")


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
def test_raw_8bit_headers_decoded(charset: str):
    headers = "From: Иван Петров <ivan@example.org>\r\nSubject: Вопрос\r\n\r\n"
    mail = parse_mail(headers.encode(charset), RULES)
    assert (mail.from_name, mail.from_address, mail.subject) == (
        "Иван Петров",
        "ivan@example.org",
        "Вопрос",
    )
