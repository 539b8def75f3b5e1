"""Dependencies shared by the routers: the session (the one place that commits), the
current actor, role requirements and pagination."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.budgets import Budget, budget_of
from app.api.rate_limit import RateLimiter, charge_address
from app.db.replica import ReportReads
from app.db.session import Database, set_statement_timeout, transaction
from app.domain.auth.actor import Actor
from app.domain.auth.api_keys import actor_from_api_key
from app.domain.auth.tokens import actor_from_token
from app.domain.common.crypto import FieldCipher
from app.errors import DomainError, Forbidden, Unauthorized
from app.settings import Settings
from app.states.codes import Role

# Dependencies are ``async def`` even when they do not await: FastAPI runs a plain ``def``
# dependency in the thread pool, a hand-off that costs more than the dependency itself.


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed after the handler returns and before the
    response is sent (``scope="function"``), rolled back on any error. So a client never
    sees a 2xx for a write that did not commit."""
    database: Database = request.app.state.db
    async with transaction(database.sessionmaker) as session:
        # Every statement is bounded by the connection's default; reports get longer.
        # The scope's path as the rate limiter reads it: ``request.url`` builds a whole URL.
        scope = request.scope
        if budget_of(scope["path"], scope.get("query_string", b"")) is Budget.REPORT:
            settings: Settings = request.app.state.settings
            await set_statement_timeout(session, settings.report_statement_timeout_ms)
        yield session


async def get_report_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for reports (statistics, archives, exports): on the replica when one is
    configured and answers, else on the primary (SPEC 5). Where it read from is kept on the
    request for the response's ``Read-Source`` header."""
    reads: ReportReads = request.app.state.report_reads
    settings: Settings = request.app.state.settings
    async with reads.session(request.app.state.db) as (session, source):
        request.state.read_source = source
        # Reports are bounded too, more generously (SPEC 3), on the replica as on the primary.
        await set_statement_timeout(session, settings.report_statement_timeout_ms)
        yield session


async def get_cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
CipherDep = Annotated[FieldCipher, Depends(get_cipher)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ReportSessionDep = Annotated[AsyncSession, Depends(get_report_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="A JWT from the city's identity provider")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="A machine client's key")


async def get_current_actor(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Actor:
    actor: Actor | None = None
    if bearer is not None:
        # The settings from the app itself, not as a dependency: every request comes here,
        # and FastAPI's resolution of a dependency costs more than the lookup.
        actor = actor_from_token(bearer.credentials, request.app.state.settings)
    elif api_key:
        try:
            actor = await actor_from_api_key(session, api_key)
        except DomainError:
            # A made-up key must not buy a budget of its own: its sender's address pays.
            limiter: RateLimiter = request.app.state.rate_limiter
            await charge_address(limiter, request.scope)
            raise
    if actor is not None:
        request.state.actor = actor  # for the audit of a refusal further down
        return actor
    raise Unauthorized(
        "send a bearer token (Authorization: Bearer …) or an API key (X-API-Key)",
        code="authentication_required",
    )


CurrentActor = Annotated[Actor, Depends(get_current_actor)]


def require_roles(*roles: Role) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    """A dependency that lets only these roles through (403 otherwise). Object-level rules
    (own agency, own assignments) are the services' business."""
    allowed = ", ".join(r.value for r in roles)

    async def dependency(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise Forbidden(
                f"this action needs one of the roles: {allowed}", code="role_not_allowed"
            )
        return actor

    # Read by app.api.openapi_guide, which lists the roles as ``x-roles`` in the document.
    dependency.roles = tuple(r.value for r in roles)  # type: ignore[attr-defined]
    return dependency


AdminActor = Annotated[Actor, Depends(require_roles(Role.ADMIN))]
BureauActor = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
AuditReader = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]

Limit = Annotated[int, Query(ge=1, le=200, description="Page size (1..200)")]
# Cursors are URL-safe base64 without padding (app/domain/paging.py): the pattern says so.
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Opaque cursor from `next_cursor`",
    ),
]

# Dates and times in query parameters are ISO 8601 / RFC 3339 text (SPEC 3). Pydantic would
# also read a number as a Unix time, so ``?on=0`` meant 1970-01-01: only text that starts
# like a date gets through to it.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("give a date as YYYY-MM-DD")


def _iso_datetime_text(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value) and len(value) > 10:
        return value
    raise ValueError("give a time as RFC 3339, e.g. 2026-01-31T09:00:00+08:00")


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime_text)]


def _without_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refused here, for every database alike.
    if "\x00" in value:
        raise PydanticCustomError("invalid_characters", "text must not contain NUL")
    return value


QueryText = Annotated[str, AfterValidator(_without_nul)]
