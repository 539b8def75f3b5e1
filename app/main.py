"""The ASGI application: ``app.main:app``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import structlog
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from app.api import problems
from app.api.middleware import BodyGuardMiddleware, RequestContextMiddleware, route_templates
from app.api.openapi_docs import install_docs
from app.api.openapi_guide import install_guide
from app.api.rate_limit import RateLimiter, RateLimitMiddleware
from app.api.route_warm_up import resolve_routes
from app.api.routers import (
    activities,
    agencies,
    api_keys,
    archive,
    audit,
    calendar,
    cases,
    classification,
    dispatch,
    evaluations,
    events,
    health,
    lawyers,
    meta,
    outcomes,
    policy,
    pool,
    statistics,
    typical_cases,
    webhooks,
)
from app.db.replica import ReportReads, create_replica
from app.db.session import Database, create_database
from app.domain.audit import service as audit_service
from app.domain.audit.service import seal_in_background
from app.domain.auth.actor import Actor
from app.domain.classification.service import warm_up as classification_warm_up
from app.domain.common.crypto import FieldCipher
from app.domain.common.masking import mask_sensitive_text
from app.domain.events.delivery import run_forever, webhook_deliverer
from app.domain.events.feed import relay_in_background
from app.domain.maintenance.sweep import run_periodically, sweep_and_log
from app.domain.statistics.rollups import compact_in_background
from app.errors import DomainError
from app.logs import configure_logging
from app.memory import settle_after_startup
from app.settings import Settings, get_settings

API_PREFIX = "/api/v1"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = structlog.get_logger("adr")

DESCRIPTION = """
The backend of Liaocheng's measures on public lawyers (公职律师) taking part in resolving
administrative disputes: intake, classification (Art. 5), dispatch from the annual mediator
pool (Art. 9–10), outcomes, supervision and audit.

Authenticate with `Authorization: Bearer <JWT>` (people) or `X-API-Key` (machine clients).
Every error is an RFC 9457 problem (`application/problem+json`) with a stable `code`.

Every example works as-is on a freshly seeded service (docs/testing.md): seeded agencies
have stable ids; ids of objects you create appear as placeholders (`00000000-0000-4000-8000-…`)
to replace with the ids earlier calls returned; "Try it after" (`x-prerequisites`) names
the operations to call first and "Roles" (`x-roles`) who may call an operation.
"""


def migration_head() -> str | None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    return ScriptDirectory.from_config(config).get_current_head()


def _operation_id(route: APIRoute) -> str:
    # Stable, readable operationIds: the handler's name (unique across the app, see tests).
    return route.name


async def _audit_security_refusal(request: Request, error: DomainError) -> None:
    """403s are audited in a transaction of their own (the request's rolled back); 401s,
    anonymous by nature, are counted per client address and minute (SPEC 4.4)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    # The path may carry an identity or phone number (SPEC 4.3: masked in every record).
    route = mask_sensitive_text(f"{request.method} {request.url.path}")[:64]
    sessionmaker = request.app.state.db.sessionmaker
    try:
        if error.status == 401:
            await audit_service.count_failed_authentication(
                sessionmaker, code=error.code, path=route
            )
            return
        await audit_service.record_standalone(
            sessionmaker,
            actor=actor,
            action="authz.refused",
            object_type="route",
            object_id=route,
            changes={"code": error.code},
            outcome="denied",
        )
    except Exception:
        # Losing the record of a refusal must not turn the refusal into a 500.
        log.exception("audit_of_refusal_failed")


def _warm_up_then_settle(app: FastAPI) -> None:
    try:
        resolve_routes(app)
        classification_warm_up()
    finally:
        settle_after_startup()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.env == "development":
            log.warning("development_mode", detail="development secrets are in use")
        # The classification's word segmenter and model load in the background (about a
        # second), so that start-up does not wait and the first suggestion need not either;
        # before them, the routes' state FastAPI builds lazily (app/api/route_warm_up.py).
        # Then what start-up built is set aside from the garbage collector (app/memory.py).
        threading.Thread(
            target=_warm_up_then_settle, args=(app,), name="warm-up", daemon=True
        ).start()
        stop = asyncio.Event()
        sessionmaker = app.state.db.sessionmaker
        jobs: list[tuple[str, Callable[[], Awaitable[object]], float]] = [
            ("sweep", partial(sweep_and_log, sessionmaker), settings.sweep_interval_s),
            (
                "audit_seal",
                partial(seal_in_background, sessionmaker, settings.audit_key_bytes),
                settings.audit_seal_interval_s,
            ),
            (
                "statistics_compact",
                partial(compact_in_background, sessionmaker),
                settings.statistics_compact_interval_s,
            ),
            (
                "event_relay",
                partial(relay_in_background, sessionmaker),
                settings.event_relay_interval_s,
            ),
        ]
        tasks = [
            asyncio.create_task(run_periodically(job, name=name, interval_s=every, stop=stop))
            for name, job, every in jobs
            if every > 0
        ]
        if settings.webhook_interval_s > 0:
            deliverer = webhook_deliverer(settings, app.state.db, app.state.cipher)
            tasks.append(
                asyncio.create_task(
                    run_forever(deliverer, interval_s=settings.webhook_interval_s, stop=stop)
                )
            )
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            await app.state.report_reads.dispose()
            if owns_database:
                await app.state.db.engine.dispose()

    app = FastAPI(
        title="Administrative Dispute Resolution Service (行政争议化解服务)",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    # Creating an engine opens nothing: connections are made on first use. Building it here
    # (not in the lifespan) lets a server that skips the lifespan still reach the database.
    owns_database = database is None
    app.state.db = database or create_database(settings)
    app.state.report_reads = ReportReads(
        create_replica(settings),
        connect_timeout_s=settings.replica_connect_timeout_s,
        retry_after_s=settings.replica_retry_after_s,
    )
    app.state.migration_head = migration_head()
    app.state.cipher = FieldCipher.from_encoded(
        {key_id: key.get_secret_value() for key_id, key in settings.pii_keys.items()},
        settings.pii_active_key_id,
        settings.pii_hash_key.get_secret_value(),
    )

    problems.install(app, on_security_error=_audit_security_refusal)
    install_docs(app)
    # In the order of a case's life, as the tags of the document (app.api.openapi_guide).
    routers = (
        meta,
        policy,
        agencies,
        lawyers,
        pool,
        cases,
        classification,
        dispatch,
        outcomes,
        typical_cases,
        evaluations,
        activities,
        archive,
        events,
        webhooks,
        calendar,
        statistics,
        audit,
        api_keys,
    )
    for module in routers:
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router)
    install_guide(app, [*(module.router for module in routers), health.router])

    # Added last = outermost: the context exists before the limiter or the body guard can
    # refuse anything, and the limiter refuses before a body is read.
    app.state.rate_limiter = RateLimiter(settings)
    app.add_middleware(BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, limiter=app.state.rate_limiter, settings=settings)
    included = [(API_PREFIX, module.router) for module in routers] + [("", health.router)]
    app.add_middleware(RequestContextMiddleware, templates=route_templates(included))
    return app


def __getattr__(name: str) -> FastAPI:
    # ``app.main:app`` is built on first access, so importing this module (tests, the CLI)
    # does not read the environment or open anything.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
