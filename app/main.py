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
from app.api.middleware import BodyGuardMiddleware, RequestContextMiddleware
from app.api.openapi_docs import install_docs
from app.api.routers import (
    agencies,
    api_keys,
    audit,
    cases,
    classification,
    dispatch,
    health,
    lawyers,
    meta,
    outcomes,
    policy,
    pool,
)
from app.db.session import Database, create_database
from app.domain.audit import service as audit_service
from app.domain.audit.service import seal_in_background
from app.domain.auth.actor import Actor
from app.domain.classification.service import warm_up as classification_warm_up
from app.domain.common.crypto import FieldCipher
from app.domain.common.masking import mask_sensitive_text
from app.domain.maintenance.sweep import run_periodically, sweep_and_log
from app.errors import DomainError
from app.logs import configure_logging
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
"""


def migration_head() -> str | None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    return ScriptDirectory.from_config(config).get_current_head()


def _operation_id(route: APIRoute) -> str:
    # Stable, readable operationIds: the handler's name (unique across the app, see tests).
    return route.name


async def _audit_security_refusal(request: Request, error: DomainError) -> None:
    """401s and 403s are audited in a transaction of their own (the request's rolled back)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    try:
        await audit_service.record_standalone(
            request.app.state.db.sessionmaker,
            actor=actor,
            action="auth.refused" if error.status == 401 else "authz.refused",
            object_type="route",
            # The path may carry an identity or phone number (SPEC 4.3: masked in every record).
            object_id=mask_sensitive_text(f"{request.method} {request.url.path}")[:64],
            changes={"code": error.code},
            outcome="denied",
        )
    except Exception:
        # Losing the record of a refusal must not turn the refusal into a 500.
        log.exception("audit_of_refusal_failed")


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.env == "development":
            log.warning("development_mode", detail="development secrets are in use")
        # The classification's word segmenter and model load in the background (about a
        # second), so that start-up does not wait and the first suggestion need not either.
        threading.Thread(target=classification_warm_up, name="classification", daemon=True).start()
        stop = asyncio.Event()
        sessionmaker = app.state.db.sessionmaker
        jobs: list[tuple[str, Callable[[], Awaitable[object]], float]] = [
            ("sweep", partial(sweep_and_log, sessionmaker), settings.sweep_interval_s),
            (
                "audit_seal",
                partial(seal_in_background, sessionmaker),
                settings.audit_seal_interval_s,
            ),
        ]
        tasks = [
            asyncio.create_task(run_periodically(job, name=name, interval_s=every, stop=stop))
            for name, job, every in jobs
            if every > 0
        ]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)
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
    app.state.migration_head = migration_head()
    app.state.cipher = FieldCipher.from_encoded(
        {key_id: key.get_secret_value() for key_id, key in settings.pii_keys.items()},
        settings.pii_active_key_id,
        settings.pii_hash_key.get_secret_value(),
    )

    problems.install(app, on_security_error=_audit_security_refusal)
    install_docs(app)
    app.include_router(health.router)
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
        api_keys,
        audit,
    )
    for module in routers:
        app.include_router(module.router, prefix=API_PREFIX)

    # Added last = outermost: the context exists before the body guard can refuse anything.
    app.add_middleware(BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    return app


def __getattr__(name: str) -> FastAPI:
    # ``app.main:app`` is built on first access, so importing this module (tests, the CLI)
    # does not read the environment or open anything.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
