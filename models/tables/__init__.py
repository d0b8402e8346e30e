"""All tables, imported here so that ``SQLModel.metadata`` is complete for Alembic."""

from models.rules.message_states import AbuseCheck, MessageStatus, NoticeKind
from models.tables.accounts import UserAccount, UserSession
from models.tables.audit import AuditEntry
from models.tables.calendar import CalendarOverride, CalendarYearConfirmation
from models.tables.callbacks import (
    AttemptResult,
    CallbackAttempt,
    CallbackChangeKind,
    CallbackSource,
    CallbackTask,
    CallbackTaskChange,
    CallbackWindow,
)
from models.tables.calls import (
    Call,
    CallReferral,
    CallTransfer,
    CallWrapup,
    HangupSide,
    TransferKind,
    WrapupDismissal,
)
from models.tables.clients import Channel, Client, Language
from models.tables.kb import KbEntry, KbEntryVersion, KbSection, KbSource
from models.tables.mailings import Mailing, MailingDelivery, MailingSubscriber
from models.tables.message_reminders import MessageReminder
from models.tables.message_surveys import MessageSurvey
from models.tables.messages import (
    MessageAttachment,
    MessageIntake,
    MessageNotice,
    NoticeState,
    WrittenMessage,
)
from models.tables.report_counts import MissedCount, SurveyCount
from models.tables.staff import (
    Department,
    Employee,
    EmployeeCompetence,
    EmployeeRole,
    Role,
    ServiceIntroduction,
    TrainingEntry,
)
from models.tables.surveys import SurveyChannel, SurveyResponse
from models.tables.visit_reminders import VisitReminder
from models.tables.visit_surveys import VisitSurvey
from models.tables.visits import (
    Interpreter,
    ReceptionHours,
    ReceptionPoint,
    VisitBooking,
    VisitCancelLink,
    VisitChannel,
    VisitStatus,
)

__all__ = [
    "AbuseCheck",
    "AttemptResult",
    "AuditEntry",
    "CalendarOverride",
    "CalendarYearConfirmation",
    "Call",
    "CallReferral",
    "CallTransfer",
    "CallWrapup",
    "CallbackAttempt",
    "CallbackChangeKind",
    "CallbackSource",
    "CallbackTask",
    "CallbackTaskChange",
    "CallbackWindow",
    "Channel",
    "Client",
    "Department",
    "Employee",
    "EmployeeCompetence",
    "EmployeeRole",
    "HangupSide",
    "Interpreter",
    "KbEntry",
    "KbEntryVersion",
    "KbSection",
    "KbSource",
    "Language",
    "Mailing",
    "MailingDelivery",
    "MailingSubscriber",
    "MessageAttachment",
    "MessageIntake",
    "MessageNotice",
    "MessageReminder",
    "MessageStatus",
    "MessageSurvey",
    "MissedCount",
    "NoticeKind",
    "NoticeState",
    "ReceptionHours",
    "ReceptionPoint",
    "Role",
    "ServiceIntroduction",
    "SurveyChannel",
    "SurveyCount",
    "SurveyResponse",
    "TrainingEntry",
    "TransferKind",
    "UserAccount",
    "UserSession",
    "VisitBooking",
    "VisitCancelLink",
    "VisitChannel",
    "VisitReminder",
    "VisitStatus",
    "VisitSurvey",
    "WrapupDismissal",
    "WrittenMessage",
]
