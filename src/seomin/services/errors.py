"""Errors a use case raises for bad input: the edges turn them into HTTP 422 or CLI exit code 2."""

from __future__ import annotations

from pydantic import ValidationError


class InputError(ValueError):
    """Bad input from a person or a partner: one line naming the field (dotted path) and the problem."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def input_error_from(exc: ValidationError, prefix: str = "") -> InputError:
    """The first problem of a pydantic error as an InputError (with a count of the others)."""
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first["loc"])
    field = ".".join(p for p in (prefix, path) if p)
    message = str(first["msg"]).removeprefix("Value error, ")
    if exc.error_count() > 1:
        message += f" (and {exc.error_count() - 1} more)"
    return InputError(field, message)


class NotFound(LookupError):
    """An id that does not exist (or that this caller may not see): HTTP 404."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity


class Forbidden(PermissionError):
    """The caller's role may not do this: HTTP 403."""


class Conflict(RuntimeError):
    """An illegal state transition or a broken rule of the current state: HTTP 409 with a reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
