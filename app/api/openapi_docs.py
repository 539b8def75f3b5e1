"""What the OpenAPI document says about errors, and the offline documentation pages.

Swagger UI and ReDoc are served with their scripts, styles and favicon from the service
itself (the assets ship in the ``fastapi-offline`` package), because the service runs on
government networks without internet access. Swagger's online validator badge is switched
off for the same reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse

from app.api.problems import PROBLEM_MEDIA_TYPE

ASSETS_PATH = "/docs-assets"
_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"


class FieldError(BaseModel):
    field: str = Field(examples=["applicants.0.id_number"])
    message: str = Field(examples=["the check digit does not match"])
    code: str = Field(examples=["invalid_check_digit"])


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
    422: "Validation failed; `errors` names every field",
    428: "If-Match is required",
    503: "Not ready",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status documented as a problem+json body."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }


AUTH_ERRORS = problem_responses(401, 403)
WRITE_ERRORS = problem_responses(400, 401, 403, 413, 415, 422)


def install_docs(app: FastAPI) -> None:
    app.mount(ASSETS_PATH, StaticFiles(directory=_ASSETS_DIR), name="docs-assets")
    favicon = f"{ASSETS_PATH}/favicon.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=favicon,
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
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
