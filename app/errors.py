"""Domain errors: each carries its HTTP status and a stable snake_case ``code``.

Services raise these; ``app.api.problems`` is the one place that turns them (and every
other failure) into RFC 9457 problem details. This module imports nothing of the app.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]  # an instance may narrow the class code
        self.extra = extra or {}
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"
    title = "Precondition failed"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    title = "Request body too large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class ValidationFailed(DomainError):
    """422 with ``errors``: [{field, message, code}] naming every offending field."""

    status = 422
    code = "validation_failed"
    title = "Validation failed"

    def __init__(
        self, detail: str, *, errors: list[dict[str, str]], code: str | None = None
    ) -> None:
        super().__init__(detail, code=code, extra={"errors": errors})

    @classmethod
    def of_field(cls, field: str, message: str, code: str) -> ValidationFailed:
        return cls(message, errors=[{"field": field, "message": message, "code": code}])


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"
    title = "Precondition required"


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"
