"""Liveness, readiness and metrics (at the root, not under /api/v1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import PlainTextResponse, Response

from app.api import metrics
from app.api.deps import SettingsDep
from app.api.openapi_docs import problem_responses
from app.api.problems import problem_response
from app.db.session import Database, transaction
from app.domain.policy.service import expires_in_days, policy_in_force, warning_text

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process is up", operation_id="healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database reachable and migrations at head",
    operation_id="readyz",
    responses=problem_responses(503),
)
async def readyz(request: Request) -> Any:
    db: Database = request.app.state.db
    head: str | None = request.app.state.migration_head
    details: dict[str, Any] = {"database": db.dialect, "migration_head": head}
    try:
        async with transaction(db.sessionmaker) as session:
            current = (
                await session.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
            details["migration_current"] = current
            if current == head:
                in_force = await policy_in_force(session)
                expires = await expires_in_days(session, in_force)
                details["policy"] = {
                    "covered": in_force.covered,
                    "expires_in_days": expires,
                    "warning": warning_text(in_force, expires),
                    "effective_from": in_force.version.effective_from.isoformat(),
                    "effective_to": in_force.version.effective_to.isoformat()
                    if in_force.version.effective_to
                    else None,
                }
    except Exception as exc:
        return problem_response(
            status=503,
            code="not_ready",
            title="Service unavailable",
            detail=f"the database is not usable: {type(exc).__name__}",
            extra={"checks": details},
        )
    if current != head:
        return problem_response(
            status=503,
            code="migrations_pending",
            title="Service unavailable",
            detail="the database schema is not at the migration head: run `adr migrate`",
            extra={"checks": details},
        )
    return {"status": "ready", "checks": details}


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    operation_id="metrics",
    response_class=PlainTextResponse,
    responses={200: {"description": "The Prometheus text exposition format"}},
)
async def prometheus_metrics(settings: SettingsDep) -> Response:
    body, content_type = metrics.render(settings.prometheus_multiproc_dir)
    return Response(body, media_type=content_type)
