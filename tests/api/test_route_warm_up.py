"""A freshly started worker resolves its routes during start-up (app/api/route_warm_up.py):
FastAPI builds each route's state the first time a request is matched against its router,
~200 ms of CPU that the first request to a worker would otherwise pay, every other request
waiting behind it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import routing

from app.main import create_app
from tests.support import databases


@pytest.fixture
def route_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The path of every route whose state FastAPI builds from now on."""
    built: list[str] = []
    build = routing._EffectiveRouteContext.from_api_route

    def counting(*args: Any, **kwargs: Any) -> Any:
        context = build(*args, **kwargs)
        built.append(context.path_format)
        return context

    monkeypatch.setattr(routing._EffectiveRouteContext, "from_api_route", counting)
    return built


async def _first_request(app: Any) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answer = await client.get("/api/v1/cases/00000000-0000-4000-8000-000000000000")
    return answer.status_code


async def test_start_up_builds_the_routes_so_the_first_request_does_not(
    tmp_path: Path, route_builds: list[str]
) -> None:
    app = create_app(databases.test_settings(f"sqlite+aiosqlite:///{tmp_path / 'warm.db'}"))
    async with app.router.lifespan_context(app):
        for thread in threading.enumerate():
            if thread.name == "warm-up":
                thread.join(timeout=60)
        assert "/api/v1/cases/{case_id}/dispatch" in route_builds  # every router, not just one
        built_at_start_up = len(route_builds)
        assert await _first_request(app) == 401  # no token: matched, then refused
        assert len(route_builds) == built_at_start_up


async def test_without_the_start_up_the_first_request_builds_them(
    tmp_path: Path, route_builds: list[str]
) -> None:
    app = create_app(databases.test_settings(f"sqlite+aiosqlite:///{tmp_path / 'cold.db'}"))
    assert await _first_request(app) == 401
    assert "/api/v1/cases/{case_id}" in route_builds
