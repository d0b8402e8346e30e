"""The reminders of written messages' deadlines against a real SMTP server on loopback
(aiosmtpd), and the staff and messages they are about.

:class:`Outbox` keeps every letter the server accepted and refuses recipients whose address
has ``refuse`` in it (550), as a mail server refuses an unknown mailbox. :func:`write_staff`
and :func:`write_message` write the people and messages a test needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.settings import Settings
from models.tables import (
    AbuseCheck,
    Department,
    Employee,
    EmployeeRole,
    MessageIntake,
    MessageStatus,
    Role,
    WrittenMessage,
)

FROM = "Консультационная линия <line@ministry.example.ru>"
PUBLIC = "https://line.example.ru"
CREATED = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


class Outbox:
    """The test server's handler: keeps what it accepted."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if "refuse" in address:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"

    def letters(self) -> dict[str, EmailMessage]:
        """Every letter received, by its one recipient."""
        found = {}
        for envelope in self.envelopes:
            parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            (to,) = envelope.rcpt_tos
            found[to] = parsed
        return found


@asynccontextmanager
async def smtp_server(outbox: Outbox) -> AsyncIterator[int]:
    """An SMTP server on a free loopback port, for the test's event loop; yields the port."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(outbox, hostname="smtp.test", loop=loop), "127.0.0.1", 0
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def settings(engine: Engine, port: int | None) -> Settings:
    """The line's settings; ``port`` None: no outgoing mail server."""
    mail = (
        {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False, "smtp_from": FROM}
        if port is not None
        else {}
    )
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        public_url=PUBLIC,
        **mail,  # type: ignore[arg-type]
    )


def write_staff(
    engine: Engine,
    people: Sequence[tuple[str, str, str | None, Sequence[Role], bool]],
) -> dict[str, int]:
    """Employees (internal number, full name, e-mail, roles, active) in one department; their
    ids by internal number."""
    with session_scope(engine) as session:
        department = Department(code="consult", name="Отдел консультаций")
        session.add(department)
        session.flush()
        assert department.id is not None
        ids = {}
        for number, name, email, roles, active in people:
            employee = Employee(
                internal_number=number,
                full_name=name,
                device=f"PJSIP/{number}",
                department_id=department.id,
                email=email,
                active=active,
                updated_at=CREATED,
            )
            session.add(employee)
            session.flush()
            assert employee.id is not None
            session.add_all(EmployeeRole(employee_id=employee.id, role=role) for role in roles)
            ids[number] = employee.id
        return ids


def write_message(
    engine: Engine,
    number: str,
    *,
    status: MessageStatus = MessageStatus.REGISTERED,
    primary_due: date,
    answer_due: date,
    owner_id: int | None = None,
    abuse: AbuseCheck = AbuseCheck.CLEAN,
    abuse_notice_due: date | None = None,
) -> None:
    with session_scope(engine) as session:
        session.add(
            WrittenMessage(
                number=number,
                received_at=CREATED,
                intake=MessageIntake.WEB,
                primary_due=primary_due,
                answer_due=answer_due,
                status=status,
                owner_id=owner_id,
                abuse=abuse,
                abuse_notice_due=abuse_notice_due,
            )
        )
