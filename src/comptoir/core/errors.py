"""Domain errors. Services raise these; the API edge maps them once to RFC 9457 problem+json."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError


class DomainError(Exception):
    """A problem the caller can act on, with a stable machine `code` and an HTTP status."""

    status: int = 400
    code: str = "BAD_REQUEST"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = str(detail or self.title)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.errors: dict[str, list[str]] = {
            k: [str(m) for m in v] for k, v in (errors or {}).items()
        }


class InvalidInput(DomainError):
    status = 400
    code = "INVALID_INPUT"
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    title = "Not found"


class PermissionDenied(DomainError):
    status = 403
    code = "PERMISSION_DENIED"
    title = "Permission denied"


class Unauthorized(DomainError):
    status = 401
    code = "UNAUTHORIZED"
    title = "Authentication required"


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"
    title = "Conflict"


class Throttled(DomainError):
    status = 429
    code = "THROTTLED"
    title = "Too many requests"

    def __init__(self, detail: str = "", *, retry_after: int = 60, code: str | None = None) -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after


def errors_from_django(exc: DjangoValidationError) -> dict[str, list[str]]:
    """Flatten a Django ValidationError into {field: [messages]} ("__all__" for non-field)."""
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def invalid_from_django(exc: DjangoValidationError, *, code: str = "INVALID_INPUT") -> InvalidInput:
    errors = errors_from_django(exc)
    first = next(iter(errors.values()), ["Invalid input"])
    return InvalidInput(first[0] if first else "Invalid input", code=code, errors=errors)


def problem(status: int, code: str, title: str, detail: str, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://comptoir.dev/problems/{code.lower().replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return body
