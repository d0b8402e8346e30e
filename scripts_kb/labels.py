"""Russian labels for the knowledge base's values (the pages print these, never raw values)."""

from __future__ import annotations

from models.tables.kb import KbSource
from scripts_kb.content_files import EntryKind, EntryLanguage
from scripts_kb.history import FILE_AUTHOR

KIND_LABELS_RU: dict[EntryKind, str] = {
    EntryKind.SCRIPT: "сценарий",
    EntryKind.FAQ: "вопрос и ответ",
    EntryKind.TEMPLATE: "шаблон ответа",
    EntryKind.REFUSAL: "шаблон отказа",
    EntryKind.EXAMPLE: "разобранный пример",
    EntryKind.LEGAL_ACTS: "нормативные акты",
    EntryKind.JOB_DESCRIPTION: "должностная инструкция",
    EntryKind.CONTACTS: "контакты",
    EntryKind.AGENCY: "другое ведомство",
}

LANGUAGE_LABELS_RU: dict[EntryLanguage, str] = {
    EntryLanguage.RU: "русский",
    EntryLanguage.EN: "английский",
}

SOURCE_LABELS_RU: dict[KbSource, str] = {
    KbSource.FILE: "загружена из файла",
    KbSource.EDIT: "изменена в консоли",
}

FILE_AUTHOR_RU = "загрузка из файлов"


def kind_label(kind: str) -> str:
    try:
        return KIND_LABELS_RU[EntryKind(kind)]
    except ValueError:
        return kind


def language_label(language: str) -> str:
    try:
        return LANGUAGE_LABELS_RU[EntryLanguage(language)]
    except ValueError:
        return language


def is_file_load(changed_by: str) -> bool:
    return changed_by == FILE_AUTHOR
