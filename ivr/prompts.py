"""The prompt catalogue: every sentence the line speaks, in Russian and English (V11).

A prompt is a sound file ``consult-line/<lang>/<id>`` under Asterisk's sounds directory.
``python -m ivr.prompt_render OUTDIR`` renders placeholders with espeak-ng; a studio records
the real ones from the texts below. Russian texts address the caller with the formal «Вы».

Numbers inside the texts are spelled out («с девяти до восемнадцати часов»): a voice actor
reads them as written, and a synthesiser would not decline digits.

Prompts are spoken in parts where a date is said by Asterisk in between (SAY DATETIME), so
some texts end before the date («Ближайший рабочий день линии:» + «понедельник, двенадцатое
января»). Changing the working hours in the settings (C3) means re-recording
``closed-hours`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

from models.tables import Language

PROMPT_DIR: Final = "consult-line"

PromptId = Literal[
    # played by the dialplan (dialplan/), not by the flows
    "agi-failure",
    "closed-hours",
    "goodbye",
    "no-operators",
    "transfer-unavailable",
    "callback-dial-failed",
    # entry (C1, V11)
    "welcome-language",
    "topic-menu",
    "to-operator",
    # shared by every menu
    "invalid-choice",
    "no-input",
    # after hours (C3)
    "opens-next",
    "opens-at",
    "callback-offer",
    # callback request (C10, C11)
    "callback-number-is",
    "callback-number-confirm",
    "callback-enter-number",
    "callback-number-invalid",
    "callback-window-menu",
    "callback-confirmed",
    "callback-not-taken",
    # transfer cap (C10)
    "transfer-limit",
    # survey (C15)
    "survey-intro",
    "survey-answer-received",
    "survey-quality",
    "survey-thanks",
    # reminder call to a visitor (V3, V4, V6, V11)
    "visit-reminder-intro",
    "visit-reminder-time",
    "visit-reminder-place",
    "visit-reminder-menu",
    "visit-reminder-confirmed",
    "visit-reminder-cancelled",
    "visit-reminder-no-answer",
    # the same questions when the caller may answer by voice too (speech)
    "survey-answer-received-voice",
    "survey-quality-voice",
    "say-again",
    "question-ask",
    "welcome-language-voice",
    "topic-menu-voice",
    "callback-offer-voice",
    "callback-number-confirm-voice",
    "callback-window-menu-voice",
]

DIALPLAN_PROMPTS: Final[frozenset[str]] = frozenset(
    {
        "agi-failure",
        "closed-hours",
        "goodbye",
        "no-operators",
        "transfer-unavailable",
        "callback-dial-failed",
    }
)


# Played only when callers may answer by voice (speech on).
VOICE_PROMPTS: Final[frozenset[str]] = frozenset(
    {
        "welcome-language-voice",
        "topic-menu-voice",
        "callback-offer-voice",
        "callback-number-confirm-voice",
        "callback-window-menu-voice",
        "survey-answer-received-voice",
        "survey-quality-voice",
        "say-again",
        "question-ask",
    }
)


@dataclass(frozen=True)
class PromptText:
    ru: str
    en: str

    def text(self, language: Language | str) -> str:
        return self.ru if Language(language) is Language.RU else self.en


PROMPTS: Final[dict[str, PromptText]] = {
    "agi-failure": PromptText(
        ru="Приносим извинения: произошёл технический сбой. Пожалуйста, оставайтесь на линии.",
        en="We apologise for a technical problem. Please stay on the line.",
    ),
    "closed-hours": PromptText(
        ru=(
            "Вы позвонили в нерабочее время. Консультационная линия Министерства "
            "промышленности и торговли Республики Дагестан работает по рабочим дням "
            "с девяти до восемнадцати часов по московскому времени, кроме выходных "
            "и нерабочих праздничных дней."
        ),
        en=(
            "You have called outside working hours. The consultation line of the Ministry "
            "of Industry and Trade of the Republic of Dagestan is open on working days from "
            "9 a.m. to 6 p.m. Moscow time, except weekends and public holidays."
        ),
    ),
    "goodbye": PromptText(
        ru="Благодарим Вас за обращение. До свидания.",
        en="Thank you for calling. Goodbye.",
    ),
    "no-operators": PromptText(
        ru=(
            "К сожалению, сейчас все операторы заняты. Пожалуйста, позвоните нам позже. "
            "Благодарим за понимание."
        ),
        en="Unfortunately, all our operators are busy. Please call us again later. Thank you.",
    ),
    "transfer-unavailable": PromptText(
        ru=(
            "К сожалению, специалист сейчас не может ответить. Мы возвращаем Вас в очередь, "
            "оператор ответит Вам в первую очередь."
        ),
        en=(
            "Unfortunately, the specialist cannot answer right now. We are returning you to "
            "the queue, and an operator will answer you first."
        ),
    ),
    "callback-dial-failed": PromptText(
        ru="Не удалось дозвониться до заявителя. Пожалуйста, повторите попытку позже.",
        en="The call to the client could not be connected. Please try again later.",
    ),
    "welcome-language": PromptText(
        ru=(
            "Здравствуйте! Вы позвонили на консультационную линию Министерства промышленности "
            "и торговли Республики Дагестан. Для продолжения на русском языке нажмите 1. "
            "For English, press 2."
        ),
        en=(
            "Hello! You have reached the consultation line of the Ministry of Industry and "
            "Trade of the Republic of Dagestan. For English, press 2. "
            "Для продолжения на русском языке нажмите 1."
        ),
    ),
    "topic-menu": PromptText(
        ru=(
            "Пожалуйста, выберите тему Вашего вопроса. Государственные услуги и статус "
            "заявления — нажмите 1. Меры государственной поддержки — нажмите 2. Обращения "
            "и их статус — нажмите 3. Контрольно-надзорная деятельность — нажмите 4. Режим "
            "работы и личный приём — нажмите 5. Чтобы соединиться с оператором, нажмите 0."
        ),
        en=(
            "Please choose the subject of your question. State services and application "
            "status, press 1. Government support measures, press 2. Written messages and "
            "their status, press 3. Control and supervision, press 4. Opening hours and "
            "personal visits, press 5. To speak to an operator, press 0."
        ),
    ),
    "to-operator": PromptText(
        ru="Соединяем Вас с оператором. Пожалуйста, оставайтесь на линии.",
        en="We are connecting you to an operator. Please stay on the line.",
    ),
    "invalid-choice": PromptText(
        ru="Такого варианта нет.",
        en="That is not one of the options.",
    ),
    "no-input": PromptText(
        ru="Мы не получили Вашего ответа.",
        en="We did not receive your answer.",
    ),
    "opens-next": PromptText(
        ru="Ближайший рабочий день линии:",
        en="The line opens again on",
    ),
    "opens-at": PromptText(
        ru="Начало работы в",
        en="at",
    ),
    "callback-offer": PromptText(
        ru=(
            "Если Вы хотите, чтобы специалист перезвонил Вам в рабочее время, нажмите 1. "
            "Чтобы завершить звонок, просто положите трубку."
        ),
        en=(
            "If you would like a specialist to call you back during working hours, press 1. "
            "Otherwise, you may hang up."
        ),
    ),
    "callback-number-is": PromptText(
        ru="Мы перезвоним Вам по номеру",
        en="We will call you back on the number",
    ),
    "callback-number-confirm": PromptText(
        ru="Если номер верный, нажмите 1. Чтобы указать другой номер, нажмите 2.",
        en="If this number is correct, press 1. To give another number, press 2.",
    ),
    "callback-enter-number": PromptText(
        ru=(
            "Наберите номер телефона для обратного звонка, начиная с восьмёрки, и нажмите решётку."
        ),
        en=(
            "Please enter the Russian phone number for the call back, starting with 8, "
            "and press the hash key."
        ),
    ),
    "callback-number-invalid": PromptText(
        ru="Номер набран неверно. Нужен российский номер из одиннадцати цифр.",
        en="That number is not valid. We need a Russian number of eleven digits.",
    ),
    "callback-window-menu": PromptText(
        ru=(
            "Когда Вам удобно принять звонок? В первой половине дня — нажмите 1. "
            "Во второй половине дня — нажмите 2. В любое время рабочего дня — нажмите 3."
        ),
        en=(
            "When would you like us to call? In the first half of the day, press 1. "
            "In the second half of the day, press 2. At any time during working hours, "
            "press 3."
        ),
    ),
    "callback-confirmed": PromptText(
        ru="Ваша заявка на обратный звонок принята. День звонка:",
        en="Your call-back request has been registered. We will call you on",
    ),
    "callback-not-taken": PromptText(
        ru=(
            "К сожалению, заявку на обратный звонок принять не удалось. "
            "Пожалуйста, позвоните нам ещё раз. До свидания."
        ),
        en=(
            "Unfortunately, we could not register a call-back request. "
            "Please call us again. Goodbye."
        ),
    ),
    "transfer-limit": PromptText(
        ru=(
            "К сожалению, перевести звонок ещё раз нельзя. Мы подготовим ответ на Ваш вопрос "
            "и перезвоним Вам."
        ),
        en=(
            "Unfortunately, the call cannot be transferred again. We will prepare an answer "
            "to your question and call you back."
        ),
    ),
    "survey-intro": PromptText(
        ru="Пожалуйста, оцените консультацию: ответьте на два вопроса.",
        en="Please rate the consultation by answering two questions.",
    ),
    "survey-answer-received": PromptText(
        ru="Получен ли ответ на Ваш вопрос? Если да, нажмите 1. Если нет, нажмите 2.",
        en="Did you receive an answer to your question? If yes, press 1. If no, press 2.",
    ),
    "survey-answer-received-voice": PromptText(
        ru=(
            "Получен ли ответ на Ваш вопрос? Скажите «да» или нажмите 1. "
            "Скажите «нет» или нажмите 2."
        ),
        en=("Did you receive an answer to your question? Say yes or press 1. Say no or press 2."),
    ),
    "survey-quality-voice": PromptText(
        ru=(
            "Оцените качество работы консультанта. Скажите «удовлетворён» или нажмите 1. "
            "Скажите «частично» или нажмите 2. Скажите «не удовлетворён» или нажмите 3."
        ),
        en=(
            "Please rate the consultant's work. Say satisfied or press 1. Say partly or "
            "press 2. Say not satisfied or press 3."
        ),
    ),
    "welcome-language-voice": PromptText(
        ru=(
            "Здравствуйте! Вы позвонили на консультационную линию Министерства промышленности "
            "и торговли Республики Дагестан. Для продолжения на русском языке скажите "
            "«русский» или нажмите 1. For English, say English or press 2."
        ),
        en=(
            "Hello! You have reached the consultation line of the Ministry of Industry and "
            "Trade of the Republic of Dagestan. For English, say English or press 2. "
            "Для продолжения на русском языке скажите «русский» или нажмите 1."
        ),
    ),
    "topic-menu-voice": PromptText(
        ru=(
            "Пожалуйста, назовите тему Вашего вопроса или нажмите её номер. Государственные "
            "услуги — 1. Меры поддержки — 2. Обращения — 3. Контроль и надзор — 4. Режим "
            "работы и личный приём — 5. Оператор — 0."
        ),
        en=(
            "Please say the subject of your question or press its number. State services, 1. "
            "Support measures, 2. Messages, 3. Control and supervision, 4. Opening hours and "
            "visits, 5. Operator, 0."
        ),
    ),
    "callback-offer-voice": PromptText(
        ru=(
            "Если Вы хотите, чтобы специалист перезвонил Вам в рабочее время, скажите «да» "
            "или нажмите 1. Чтобы завершить звонок, просто положите трубку."
        ),
        en=(
            "If you would like a specialist to call you back during working hours, say yes "
            "or press 1. Otherwise, you may hang up."
        ),
    ),
    "callback-number-confirm-voice": PromptText(
        ru=(
            "Если номер верный, скажите «да» или нажмите 1. Чтобы указать другой номер, "
            "скажите «нет» или нажмите 2."
        ),
        en=(
            "If this number is correct, say yes or press 1. To give another number, say no "
            "or press 2."
        ),
    ),
    "callback-window-menu-voice": PromptText(
        ru=(
            "Когда Вам удобно принять звонок? Скажите «утром» или нажмите 1, «после обеда» "
            "или нажмите 2, «в любое время» или нажмите 3."
        ),
        en=(
            "When would you like us to call? Say morning or press 1, afternoon or press 2, "
            "any time or press 3."
        ),
    ),
    "question-ask": PromptText(
        ru=(
            "Пока мы соединяем Вас с оператором, пожалуйста, кратко назовите Ваш вопрос. "
            "Чтобы пропустить, нажмите любую клавишу."
        ),
        en=(
            "While we connect you to an operator, please state your question briefly. "
            "To skip, press any key."
        ),
    ),
    "say-again": PromptText(
        ru="Мы не расслышали ответ. Пожалуйста, повторите или нажмите клавишу.",
        en="We did not catch your answer. Please say it again or press a key.",
    ),
    "survey-quality": PromptText(
        ru=(
            "Оцените качество работы консультанта. Если Вы удовлетворены, нажмите 1. "
            "Если частично удовлетворены, нажмите 2. Если не удовлетворены, нажмите 3."
        ),
        en=(
            "Please rate the consultant's work. If you are satisfied, press 1. If you are "
            "partly satisfied, press 2. If you are not satisfied, press 3."
        ),
    ),
    "survey-thanks": PromptText(
        ru="Спасибо за Вашу оценку!",  # the dialplan then plays goodbye
        en="Thank you for your feedback.",
    ),
    "visit-reminder-intro": PromptText(
        ru=(
            "Здравствуйте! Вам звонит консультационная линия Министерства промышленности и "
            "торговли Республики Дагестан. Напоминаем: Вы записаны на личный приём."
        ),
        en=(
            "Hello! This is the consultation line of the Ministry of Industry and Trade of the "
            "Republic of Dagestan with a reminder of your personal visit on"
        ),
    ),
    "visit-reminder-time": PromptText(ru="Время приёма:", en="at"),
    "visit-reminder-place": PromptText(
        ru=(
            "Приём проходит в здании Министерства. Адрес и как добраться указаны в "
            "подтверждении записи и на сайте министерства."
        ),
        en=(
            "The visit takes place in the Ministry's building. The address and directions are "
            "in your booking confirmation and on the Ministry's website."
        ),
    ),
    "visit-reminder-menu": PromptText(
        ru="Чтобы подтвердить запись, нажмите 1. Чтобы отменить запись, нажмите 2.",
        en="To confirm your visit, press 1. To cancel it, press 2.",
    ),
    "visit-reminder-confirmed": PromptText(
        ru="Спасибо, Ваша запись подтверждена. Ждём Вас. До свидания.",
        en="Thank you, your visit is confirmed. We look forward to seeing you. Goodbye.",
    ),
    "visit-reminder-cancelled": PromptText(
        ru=(
            "Ваша запись отменена. Записаться снова можно на сайте министерства или по "
            "телефону консультационной линии. До свидания."
        ),
        en=(
            "Your visit has been cancelled. You can book again on the Ministry's website or "
            "by calling the consultation line. Goodbye."
        ),
    ),
    "visit-reminder-no-answer": PromptText(
        ru=(
            "Мы не получили Вашего ответа. Запись остаётся в силе; отменить её можно по "
            "телефону консультационной линии. До свидания."
        ),
        en=(
            "We did not receive your answer. Your visit stays booked; you can cancel it by "
            "calling the consultation line. Goodbye."
        ),
    ),
}

PROMPT_IDS: Final[frozenset[str]] = frozenset(get_args(PromptId))


def prompt_file(prompt_id: str, language: Language | str) -> str:
    """``consult-line/<lang>/<id>``, the name STREAM FILE and Playback take (no extension).

    Raises KeyError for an id that is not in the catalogue, ValueError for a language the
    line does not speak.
    """
    if prompt_id not in PROMPTS:
        raise KeyError(prompt_id)
    return f"{PROMPT_DIR}/{Language(language).value}/{prompt_id}"
