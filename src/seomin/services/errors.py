"""Errors a use case raises for bad input: the edges turn them into HTTP 422 or CLI exit code 2."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ValidationError


class InputErrorCode(StrEnum):
    """What is wrong with an input, stable for machines (the API's ``code``, the pages' placement and words);
    the message says it for people. The profile model's own checks use the same codes as pydantic error
    types (``PydanticCustomError``), so they survive validation."""

    INVALID = "INVALID"
    """Anything without a code of its own: the message says what."""
    REQUIRED = "REQUIRED"
    DATE_AFTER_TODAY = "DATE_AFTER_TODAY"
    DATE_BEFORE_START = "DATE_BEFORE_START"
    """Before the day the thing it belongs to began (a payment before the loan's execution)."""
    DATE_AFTER_APPLICATION = "DATE_AFTER_APPLICATION"
    """After the day the application or self-check is judged on (a birth date, a loan's execution)."""
    LOAN_BALANCE_ABOVE_AMOUNT = "LOAN_BALANCE_ABOVE_AMOUNT"
    LOAN_REPAID_WITH_BALANCE = "LOAN_REPAID_WITH_BALANCE"
    LOAN_REPAID_IN_ARREARS = "LOAN_REPAID_IN_ARREARS"
    IDENTITY_MISMATCH = "IDENTITY_MISMATCH"
    """The name does not match the record of that resident number (which part is not said)."""
    CODE_MISMATCH = "CODE_MISMATCH"
    CODE_EXPIRED = "CODE_EXPIRED"
    HELP_ALREADY_BOOKED = "HELP_ALREADY_BOOKED"
    DOCUMENT_TYPE_REFUSED = "DOCUMENT_TYPE_REFUSED"
    """An upload that is not a PDF, JPEG or PNG by its content."""
    """One active help booking per phone, and per signed-in person, a day."""


class InputError(ValueError):
    """Bad input from a person or a partner: one line naming the field (dotted path) and the problem, and a
    stable ``code`` (``InputErrorCode``) the edges place and word it by, never by the message's text."""

    def __init__(self, field: str, message: str, code: str = InputErrorCode.INVALID) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        self.code = str(code)


def input_error_from(exc: ValidationError, prefix: str = "") -> InputError:
    """The first problem of a pydantic error as an InputError (with a count of the others)."""
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first["loc"])
    field = ".".join(p for p in (prefix, path) if p)
    message = str(first["msg"]).removeprefix("Value error, ")
    if exc.error_count() > 1:
        message += f" (and {exc.error_count() - 1} more)"
    kind = str(first["type"])
    code = (
        InputErrorCode.REQUIRED
        if kind == "missing"
        else InputErrorCode(kind)
        if kind in InputErrorCode.__members__
        else InputErrorCode.INVALID
    )
    return InputError(field, message, code)


class NotFound(LookupError):
    """An id that does not exist (or that this caller may not see): HTTP 404."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity


class Forbidden(PermissionError):
    """The caller's role may not do this: HTTP 403."""


class Conflict(RuntimeError):
    """An illegal state transition or a broken rule of the current state: HTTP 409 with a reason code.
    ``words`` are the engine's own Korean and English message where a rule gave one (a limit refusal)."""

    def __init__(self, code: str, message: str, words: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.words = words


class TooManyAttempts(RuntimeError):
    """Too many failed attempts (or requests) against one key: HTTP 429 with ``Retry-After`` seconds."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_seconds = max(1, retry_after_seconds)
