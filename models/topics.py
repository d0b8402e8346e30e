"""The line's consultation topics (C1), shared by the IVR menu, calls, competences and the KB."""

from enum import StrEnum


class Topic(StrEnum):
    STATE_SERVICES = "state_services"
    SUPPORT_MEASURES = "support_measures"
    MESSAGES = "messages"
    CONTROL_SUPERVISION = "control_supervision"
    HOURS_AND_VISITS = "hours_and_visits"
    GENERAL = "general"


TOPIC_LABELS_RU: dict[Topic, str] = {
    Topic.STATE_SERVICES: "Государственные услуги и статус заявлений",
    Topic.SUPPORT_MEASURES: "Меры государственной поддержки",
    Topic.MESSAGES: "Обращения и их статус",
    Topic.CONTROL_SUPERVISION: "Контрольно-надзорная деятельность",
    Topic.HOURS_AND_VISITS: "Режим работы и личный приём",
    Topic.GENERAL: "Другой вопрос (оператор)",
}

TOPIC_LABELS_EN: dict[Topic, str] = {
    Topic.STATE_SERVICES: "State services and application status",
    Topic.SUPPORT_MEASURES: "Government support measures",
    Topic.MESSAGES: "Written messages and their status",
    Topic.CONTROL_SUPERVISION: "Control and supervision",
    Topic.HOURS_AND_VISITS: "Opening hours and personal visits",
    Topic.GENERAL: "Other question (operator)",
}
