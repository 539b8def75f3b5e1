"""What the OpenAPI document says about errors, and the offline documentation pages.

Swagger UI and ReDoc are served with their scripts, styles and favicon from the service
itself (the assets ship in the ``fastapi-offline`` package), because the service runs on
government networks without internet access. Swagger's online validator badge is switched
off for the same reason, and ReDoc's bundle is served with its one hard-wired CDN address
(the Redocly logo in the menu footer) pointed at the local favicon.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, Response

from app.api.problems import PROBLEM_MEDIA_TYPE
from app.api.rules_beyond_schema import RULES_BEYOND_THE_SCHEMA, code_description

ASSETS_PATH = "/docs-assets"
_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
_FAVICON = f"{ASSETS_PATH}/favicon.png"
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class FieldError(BaseModel):
    field: str = Field(examples=["applicants.0.id_number"])
    message: str = Field(examples=["the check digit does not match"])
    code: str = Field(
        examples=["invalid_check_digit"],
        description=code_description(),
        json_schema_extra={"x-rules-beyond-the-schema": list(sorted(RULES_BEYOND_THE_SCHEMA))},
    )


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["https://adr.liaocheng.gov.cn/problems/not_found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no such case"])
    code: str = Field(examples=["not_found"], description="Stable snake_case error code")
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


_DESCRIPTIONS = {
    400: "Malformed JSON, or a required header is missing",
    401: "No or bad credentials",
    403: "Authenticated, but this role may not do this",
    404: "Not found, or not visible to the caller",
    409: "Conflict with the current state",
    412: "If-Match does not match the current ETag",
    413: "Body over 1 MiB",
    415: "Body is not JSON",
    422: "Validation failed; `errors` names every field (`FieldError.code` lists the rules "
    "a request can break although it matches the schema)",
    428: "If-Match is required",
    429: "Over the caller's request budget; see `Retry-After` and `RateLimit-*`",
    503: "Overloaded or timed out (connection pool exhausted, statement over its time "
    "limit); retry after `Retry-After` seconds",
}
# Every operation can be refused for load: documented once here instead of on each route.
# Health and metrics are never rate limited (SPEC 3).
_UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_INTEGER = {"type": "integer", "minimum": 0}
_RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": _INTEGER}
_LOAD_HEADERS: dict[str, dict[str, Any]] = {
    "429": {
        "Retry-After": _RETRY_AFTER,
        "RateLimit-Limit": {"description": "Requests per minute of the budget", "schema": _INTEGER},
        "RateLimit-Remaining": {"description": "Requests left in the window", "schema": _INTEGER},
        "RateLimit-Reset": {"description": "Seconds until there is room", "schema": _INTEGER},
    },
    "503": {"Retry-After": _RETRY_AFTER},
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status documented as a problem+json body (the
    ``model`` puts ``Problem`` in the components; ``problem_media_types`` then files the
    schema under the media type the service really sends)."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Every error response of the document as ``application/problem+json`` with the
    ``Problem`` schema, and nothing else: FastAPI files a response model under
    ``application/json`` and adds its own 422 (``HTTPValidationError``) to every operation
    with parameters, neither of which the service ever sends."""
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            load_statuses = ("503",) if path in _UNLIMITED_PATHS else ("429", "503")
            for status in load_statuses:
                responses.setdefault(status, {"description": _DESCRIPTIONS[int(status)]})
                responses[status].setdefault("headers", _LOAD_HEADERS[status])
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith(("4", "5")):
                    continue
                content = response.get("content", {})
                content.pop("application/json", None)
                problem = content.get(PROBLEM_MEDIA_TYPE, {})
                response["content"] = {PROBLEM_MEDIA_TYPE: {**problem, "schema": _PROBLEM_REF}}
                if response.get("description") in (None, "", "Validation Error"):
                    response["description"] = _DESCRIPTIONS.get(int(status), "Error")
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def parameters_without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query or header parameter typed ``X | None`` is documented as ``X``: a
    parameter has no value by being absent, and HTTP cannot carry a JSON null (a client or
    generator that sends one sends the text "null", which the parameter's rules refuse)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                param_schema = parameter.get("schema", {})
                variants = param_schema.get("anyOf", [])
                not_null = [v for v in variants if v != {"type": "null"}]
                if len(variants) == 2 and len(not_null) == 1:
                    del param_schema["anyOf"]
                    param_schema.update(not_null[0])
    return schema


def install_problem_schema(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the document (and its cache) passes ``problem_media_types``
    and ``parameters_without_null``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = parameters_without_null(problem_media_types(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


@cache
def _redoc_bundle() -> bytes:
    bundle = (_ASSETS_DIR / "redoc.standalone.js").read_bytes()
    return bundle.replace(_REDOC_CDN_LOGO, _FAVICON.encode())


AUTH_ERRORS = problem_responses(401, 403)
WRITE_ERRORS = problem_responses(400, 401, 403, 413, 415, 422)


def install_docs(app: FastAPI) -> None:
    install_problem_schema(app)
    favicon = _FAVICON

    # Before the mount, which would otherwise serve the bundle as shipped.
    @app.get(f"{ASSETS_PATH}/redoc.standalone.js", include_in_schema=False)
    async def redoc_bundle() -> Response:
        return Response(_redoc_bundle(), media_type="text/javascript; charset=utf-8")

    app.mount(ASSETS_PATH, StaticFiles(directory=_ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=favicon,
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon_ico() -> HTMLResponse:
        return HTMLResponse(status_code=307, headers={"Location": favicon})
