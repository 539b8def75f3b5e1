"""THE mapping from errors to RFC 9457 problem details (application/problem+json).

Every error response of the service is built by ``problem_response``: domain errors,
FastAPI's validation errors, Starlette's HTTP errors (404 for unknown routes, 405 with
``Allow``), the body guard's 413/415 and, last, anything unexpected as a 500 that names the
request id and never a stack trace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from app.domain.audit.context import current_request
from app.domain.common.masking import mask_sensitive_text
from app.errors import (
    BadRequest,
    DomainError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# character_not_in_repertoire, untranslatable_character
_BAD_TEXT_SQLSTATES = {"22021", "22P05"}
# query_canceled (statement_timeout), lock_not_available (lock_timeout): the request asked
# for more time than it is allowed, which is load, not a fault: 503 and come back later.
_TIMED_OUT_SQLSTATES = {"57014", "55P03"}
RETRY_AFTER_S = "2"
TYPE_BASE = "https://adr.liaocheng.gov.cn/problems/"
log = structlog.get_logger("adr.problems")

SecurityHook = Callable[[Request, DomainError], Awaitable[None]]

# Codes for Starlette's own HTTP errors (raised before any route runs).
_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    429: ("rate_limited", "Too many requests"),
}


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
    instance: str | None = None,
) -> Response:
    # Identity and phone numbers are masked in every response (SPEC 4.3), and an error may
    # quote what the client sent: a path, a field name, a value in a message.
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": mask_sensitive_text(detail),
        "code": code,
    }
    if instance:
        body["instance"] = mask_sensitive_text(instance)
    request_id = request_id or current_request().request_id
    if request_id:
        body["request_id"] = request_id
    body.update(extra or {})
    if isinstance(body.get("errors"), list):
        body["errors"] = [_masked_field_error(e) for e in body["errors"]]
    response_headers = dict(headers or {})
    if status == 401:
        response_headers.setdefault("WWW-Authenticate", 'Bearer realm="adr", X-API-Key')
    return Response(
        content=orjson.dumps(body),
        status_code=status,
        headers=response_headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _masked_field_error(error: Any) -> Any:
    if not isinstance(error, dict):
        return error
    return {k: mask_sensitive_text(v) if isinstance(v, str) else v for k, v in error.items()}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method the path answers to. Starlette's own ``Allow`` names only the methods
    of the first route that matched the path, but GET and POST on one path are two routes:
    so each method is tried against the routes."""
    allowed = []
    for method in _METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def from_domain_error(error: DomainError, *, instance: str | None = None) -> Response:
    return problem_response(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        extra=error.extra,
        headers=error.headers,
        instance=instance,
    )


def _field_path(loc: Sequence[int | str]) -> str:
    # FastAPI prefixes locations with where the value came from ("body", "query", …).
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        where, parts = parts[0], parts[1:]
        if where != "body" and parts:
            return f"{where}.{'.'.join(parts)}"
    return ".".join(parts) or "body"


def validation_problem(exc: RequestValidationError) -> DomainError:
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return BadRequest("the request body is not valid JSON", code="malformed_json")
    errors = []
    for e in raw:
        # Never echo the submitted value: it may be an identity number.
        message = str(e.get("msg", "invalid value"))
        errors.append(
            {
                "field": _field_path(e.get("loc", ())),
                "message": message,
                "code": str(e.get("type", "invalid")),
            }
        )
    fields = ", ".join(sorted({err["field"] for err in errors}))
    return ValidationFailed(f"the request has invalid fields: {fields}", errors=errors)


def install(app: FastAPI, *, on_security_error: SecurityHook | None = None) -> None:
    """Register the handlers; ``on_security_error`` is told of every 401 and 403 (audit)."""

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if on_security_error is not None and isinstance(exc, Unauthorized | Forbidden):
            await on_security_error(request, exc)
        if exc.status >= 500:
            log.warning("domain_error", code=exc.code, status=exc.status)
        return from_domain_error(exc, instance=request.url.path)

    async def request_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return from_domain_error(validation_problem(exc), instance=request.url.path)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
        if exc.status_code == 404:
            error: DomainError = NotFound(f"no resource at {request.url.path}")
            return from_domain_error(error, instance=request.url.path)
        if exc.status_code == 400:
            # FastAPI's own 400 is a body it could not parse (JSON that is not UTF-8, say):
            # the body guard has already refused every body that is not declared JSON.
            error = BadRequest("the request body is not valid JSON", code="malformed_json")
            return from_domain_error(error, instance=request.url.path)
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = _allowed_methods(request) or headers.get("Allow", "")
            headers["Allow"] = allowed
            detail = f"{request.method} is not allowed here; allowed: {allowed}"
        return problem_response(
            status=exc.status_code,
            code=code,
            title=title,
            detail=detail,
            headers=headers,
            instance=request.url.path,
        )

    async def database_error(request: Request, exc: Exception) -> Response:
        # Text PostgreSQL cannot store (a NUL character, or bytes that are not UTF-8) is
        # the client's input, not our failure: 422. Anything else stays a 500.
        if getattr(getattr(exc, "orig", None), "sqlstate", None) in _BAD_TEXT_SQLSTATES:
            error = ValidationFailed(
                "the request contains characters that cannot be stored (e.g. NUL)",
                errors=[
                    {
                        "field": "body",
                        "message": "remove control characters such as NUL",
                        "code": "invalid_characters",
                    }
                ],
                code="invalid_characters",
            )
            return from_domain_error(error, instance=request.url.path)
        if getattr(getattr(exc, "orig", None), "sqlstate", None) in _TIMED_OUT_SQLSTATES:
            log.warning("statement_timed_out", path=request.url.path)
            timed_out = ServiceUnavailable(
                "the request took longer than its time limit; retry later",
                code="statement_timeout",
                headers={"Retry-After": RETRY_AFTER_S},
            )
            return from_domain_error(timed_out, instance=request.url.path)
        raise exc

    async def pool_exhausted(request: Request, exc: Exception) -> Response:
        # Every database connection of this process stayed busy for the whole pool timeout.
        log.warning("database_pool_exhausted", path=request.url.path)
        busy = ServiceUnavailable(
            "the service is busy; retry later",
            code="database_busy",
            headers={"Retry-After": RETRY_AFTER_S},
        )
        return from_domain_error(busy, instance=request.url.path)

    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, pool_exhausted)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, http_error)


def internal_error_response(request_id: str | None) -> Response:
    return problem_response(
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="The service failed to handle the request. Quote the request id when reporting it.",
        request_id=request_id,
    )
