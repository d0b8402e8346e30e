"""Who the supervisor asks about: a phone number typed in the search form, or the reference
in a history's address (``/clients/{ref}``: a client's record number or a phone number).

Phone numbers are read by the one normaliser of the project (``models.phones``), so "the same
caller" means here what it means in the call log. What is not a number is refused with a
Russian message that says what to type.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.phones import normalize_phone

# Record numbers are short; a phone number has at least 10 digits (a Russian number without
# its country code), so an address of up to 9 digits is a record number.
MAX_RECORD_DIGITS = 9
SHOWN_MAX = 40
# After a history's address: the document for the client, and the same as a JSON file.
PRINT_VIEW = "/print"
JSON_VIEW = "/export.json"
EXAMPLE = "например, +7 928 123-45-67 или 8 (8722) 67-80-91"


class NotAPhoneError(ValueError):
    """The input is not a phone number; ``message`` says so in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ClientNumber:
    """A client's record (``clients.id``)."""

    client_id: int


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A number in E.164, whether or not a client record has it."""

    e164: str


ClientRef = ClientNumber | PhoneNumber


def parse_phone(text: str) -> PhoneNumber:
    """The typed number in E.164; :class:`NotAPhoneError` for anything else."""
    typed = text.strip()
    if not typed:
        raise NotAPhoneError(f"Введите номер телефона клиента, {EXAMPLE}.")
    e164 = normalize_phone(typed)
    if e164 is None:
        shown = typed if len(typed) <= SHOWN_MAX else typed[:SHOWN_MAX] + "…"
        raise NotAPhoneError(
            f"«{shown}» — не номер телефона. Введите номер клиента полностью, {EXAMPLE}."
        )
    return PhoneNumber(e164)


def parse_ref(text: str) -> ClientRef:
    """A record number (1 to 9 digits, not starting with 0) or a phone number."""
    typed = text.strip()
    if typed.isascii() and typed.isdigit() and len(typed) <= MAX_RECORD_DIGITS:
        if typed.startswith("0"):
            raise NotAPhoneError(f"Номер записи клиента «{typed}» не может начинаться с нуля.")
        return ClientNumber(int(typed))
    return parse_phone(typed)


def ref_path(ref: int | str, view: str = "") -> str:
    """The address of a client's history (``ref``: a record number or an E.164 number), or of
    its ``view`` (:data:`PRINT_VIEW`, :data:`JSON_VIEW`)."""
    return f"/clients/{ref}{view}"
