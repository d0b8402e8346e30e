"""The scripts the card shows for a call (C5, C7, C9, C11, C14, V11), from the knowledge base.

Each script is a KB entry named in the tables below, read from the database (where an edit
made through the API lives), never from the files. The call's language picks the entry: the
English one where the call is in English and the KB has it (V11), the Russian one otherwise,
also when the English entry was withdrawn. Guiding questions (C7) go by the call's IVR topic;
a topic without its own entry, no topic at all, or an entry missing from the KB falls back to
the general questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from call_card.lookup import call_client, find_call_and_operator
from call_card.refusals import Refusal
from call_card.script_text import Slot, fill, spoken_name
from models.tables import Call, Client, KbEntry, Language
from models.topics import Topic


class ScriptKind(StrEnum):
    GREETING = "greeting"  # C5, on answer
    QUESTIONS = "questions"  # C7, guiding questions for the topic
    TRANSFER = "transfer"  # C9, told to the caller before a transfer
    CALLBACK_CLOSING = "callback_closing"  # C11, the callback agreement and its read-back
    OUT_OF_REMIT = "out_of_remit"  # C14
    FAREWELL = "farewell"  # C5, at the end


SCRIPT_ENTRIES: Mapping[ScriptKind, Mapping[Language, str]] = {
    ScriptKind.GREETING: {Language.RU: "script-greeting", Language.EN: "script-greeting-en"},
    ScriptKind.TRANSFER: {Language.RU: "script-transfer", Language.EN: "script-transfer-en"},
    ScriptKind.CALLBACK_CLOSING: {
        Language.RU: "script-callback-closing",
        Language.EN: "script-callback-closing-en",
    },
    ScriptKind.OUT_OF_REMIT: {
        Language.RU: "script-out-of-remit",
        Language.EN: "script-out-of-remit-en",
    },
    ScriptKind.FAREWELL: {Language.RU: "script-farewell", Language.EN: "script-farewell-en"},
}

# C7: the guiding questions of each IVR topic. The English entry covers every topic at once.
QUESTION_ENTRIES: Mapping[Topic, Mapping[Language, str]] = {
    Topic.STATE_SERVICES: {
        Language.RU: "script-questions-state-services",
        Language.EN: "script-questions-en",
    },
    Topic.SUPPORT_MEASURES: {
        Language.RU: "script-questions-support",
        Language.EN: "script-questions-en",
    },
    Topic.MESSAGES: {Language.RU: "script-questions-messages", Language.EN: "script-questions-en"},
    Topic.CONTROL_SUPERVISION: {
        Language.RU: "script-questions-control",
        Language.EN: "script-questions-en",
    },
    Topic.HOURS_AND_VISITS: {
        Language.RU: "script-questions-hours",
        Language.EN: "script-questions-en",
    },
    Topic.GENERAL: {Language.RU: "script-questions-general", Language.EN: "script-questions-en"},
}
GENERAL_QUESTIONS: Mapping[Language, str] = QUESTION_ENTRIES[Topic.GENERAL]


@dataclass(frozen=True, slots=True)
class Script:
    kind: ScriptKind
    entry_id: str  # the KB entry it was taken from
    title: str
    language: Language  # of the text: Russian when the English entry is missing
    text: str  # placeholders filled (script_text.fill)


@dataclass(frozen=True, slots=True)
class CallScripts:
    """Every script of the call, in the order of a conversation. A script is None only when
    its entry (and the Russian fallback) is not in the knowledge base: ``consult-line kb load``
    has not been run, or the entry was withdrawn. The transfer, callback and out-of-remit
    scripts carry blanks here; :func:`call_card.transfers.plan_transfer`,
    :func:`call_card.callbacks.create_callback` and :func:`call_card.agencies.out_of_remit_script`
    give them filled in."""

    language: Language  # the call's
    values: Mapping[Slot, str]  # operator's and caller's names as filled in
    greeting: Script | None
    questions: Script | None
    transfer: Script | None
    callback_closing: Script | None
    out_of_remit: Script | None
    farewell: Script | None


def call_language(call: Call, client: Client | None) -> Language:
    """The IVR's choice; for a caller who made none, the client's preference; else Russian."""
    if call.language is not None:
        return call.language
    return client.language if client is not None else Language.RU


def call_values(session: Session, call: Call, operator_name: str) -> dict[Slot, str]:
    """The slots every script of the call can fill: the operator's and the caller's names
    (the client directory's name only: the caller ID name is the caller's own text)."""
    client = call_client(session, call)
    caller = (client.full_name or "") if client is not None else ""
    return {Slot.OPERATOR_NAME: spoken_name(operator_name), Slot.CALLER_NAME: caller.strip()}


def call_scripts(session: Session, *, linkedid: str, operator_id: int) -> CallScripts | Refusal:
    """The scripts for the call ``linkedid`` as ``operator_id`` sees them (their name in the
    greeting); a Refusal for an unknown call or employee."""
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, operator = found
    language = call_language(call, call_client(session, call))
    values = call_values(session, call, operator.full_name)

    def get(kind: ScriptKind) -> Script | None:
        return script(session, kind, language=language, values=values)

    return CallScripts(
        language=language,
        values=values,
        greeting=get(ScriptKind.GREETING),
        questions=guiding_questions(session, call.topic, language=language, values=values),
        transfer=get(ScriptKind.TRANSFER),
        callback_closing=get(ScriptKind.CALLBACK_CLOSING),
        out_of_remit=get(ScriptKind.OUT_OF_REMIT),
        farewell=get(ScriptKind.FAREWELL),
    )


def script(
    session: Session, kind: ScriptKind, *, language: Language, values: Mapping[Slot, str]
) -> Script | None:
    """One script (not the questions: :func:`guiding_questions`) in ``language`` if the KB has
    it, else in Russian; None when neither entry is there."""
    if kind is ScriptKind.QUESTIONS:
        raise ValueError("guiding questions depend on the topic: use guiding_questions")
    return _first(session, kind, _in_order(SCRIPT_ENTRIES[kind], language), values)


def guiding_questions(
    session: Session, topic: Topic | None, *, language: Language, values: Mapping[Slot, str]
) -> Script | None:
    """C7: the topic's guiding questions, else the general ones; each in ``language`` first."""
    ids = [*_in_order(QUESTION_ENTRIES[topic], language)] if topic is not None else []
    ids += [entry_id for entry_id in _in_order(GENERAL_QUESTIONS, language) if entry_id not in ids]
    return _first(session, ScriptKind.QUESTIONS, ids, values)


def _in_order(entries: Mapping[Language, str], language: Language) -> list[str]:
    """The entry in ``language`` first, then the Russian one (V11: Russian otherwise)."""
    ids = [entries[language]] if language in entries else []
    if entries[Language.RU] not in ids:
        ids.append(entries[Language.RU])
    return ids


def _first(
    session: Session, kind: ScriptKind, entry_ids: Sequence[str], values: Mapping[Slot, str]
) -> Script | None:
    for entry_id in entry_ids:
        entry = session.get(KbEntry, entry_id)
        if entry is None or entry.withdrawn_at is not None:
            continue
        language = Language(entry.language)
        return Script(kind, entry.id, entry.title, language, fill(entry.body, values, language))
    return None
