"""Pure ASGI middleware (no BaseHTTPMiddleware: it spawns tasks and breaks context vars).

- ``RequestContextMiddleware``, outermost: request id, context for logs and audit,
  metrics, one access-log line, and the last line of defence that turns an unexpected
  exception into a 500 problem without a stack trace.
- ``BodyGuardMiddleware``: 413 for bodies over the limit, counted as the bytes arrive (so a
  chunked body without Content-Length is caught too), and 415 for bodies that are not JSON.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from fastapi.routing import APIRoute, APIRouter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import metrics
from app.api.problems import from_domain_error, internal_error_response
from app.domain.audit.context import RequestContext, reset_current_request, set_current_request
from app.errors import PayloadTooLarge, UnsupportedMediaType

log = structlog.get_logger("adr.http")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# On every response: no MIME sniffing, never inside a frame (clickjacking), no Referer
# leaking a URL (which may carry ids) to another site. The CSP names only frame-ancestors,
# so the offline Swagger UI and ReDoc pages keep running their own scripts and styles.
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def route_templates(included: Iterable[tuple[str, APIRouter]]) -> dict[Any, str]:
    """Endpoint → path template (``/api/v1/cases/{case_id}``) of the routes of each router
    included under its prefix, as the OpenAPI document names them. Read once, when the app
    is built: the route a request matched knows its path within its router only."""
    return {
        route.endpoint: prefix + route.path_format
        for prefix, router in included
        for route in router.routes
        if isinstance(route, APIRoute)
    }


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, templates: dict[Any, str]) -> None:
        self.app = app
        self.templates = templates

    def _route_template(self, scope: Scope) -> str:
        """The matched route's path template, for metrics and the access log (never the
        raw path, which carries ids); "unmatched" when no route matched."""
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return "unmatched"
        template = self.templates.get(endpoint)
        if template is None:  # a route of the app itself (docs, the OpenAPI document)
            return str(getattr(scope.get("route"), "path", getattr(endpoint, "__name__", "")))
        return template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = _header(scope, b"x-request-id")
        request_id = offered if offered and _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        client = scope.get("client")
        context = set_current_request(RequestContext(request_id, client[0] if client else None))
        structlog.contextvars.clear_contextvars()
        logged = structlog.contextvars.bind_contextvars(request_id=request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        is_api = scope["path"].startswith("/api/")
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(_SECURITY_HEADERS)
                if is_api and not any(k == b"cache-control" for k, _ in headers):
                    # API answers may carry personal data: no proxy or browser keeps them.
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled_error", method=scope["method"])
            if response_started:
                raise
            response = internal_error_response(request_id)
            await response(scope, receive, send_with_headers)
        finally:
            template = self._route_template(scope)
            elapsed = time.perf_counter() - started
            metrics.observe(scope["method"], template, status, elapsed)
            log.info(
                "request",
                method=scope["method"],
                route=template,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.reset_contextvars(**logged)
            reset_current_request(context)


class BodyGuardMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        too_large = PayloadTooLarge(
            f"the request body exceeds {self.max_body_bytes} bytes", code="payload_too_large"
        )
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await from_domain_error(too_large)(scope, receive, send)
            return
        # Read the whole body first (it is at most the limit): the app then never sees a
        # partial body, and the refusal is a clean problem response, not a broken stream.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await from_domain_error(too_large)(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and not _is_json(_header(scope, b"content-type")):
            error = UnsupportedMediaType(
                "send the body as application/json", code="unsupported_media_type"
            )
            await from_domain_error(error)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )
