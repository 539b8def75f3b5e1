"""API keys for machine clients (SPEC 4.1): shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import SHANGHAI, now_utc, today_shanghai
from app.db.models import ApiKey
from app.db.repositories import api_keys as repo
from app.db.repositories import reference as reference_repo
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.auth.schemas import ApiKeyOut
from app.domain.auth.tokens import ensure_role_claims
from app.domain.paging import BY_ID, Page
from app.errors import NotFound, Unauthorized, ValidationFailed
from app.states.codes import Role

KEY_PREFIX = "adr_"


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def create_api_key(
    session: AsyncSession,
    *,
    actor: Actor,
    name: str,
    role: Role,
    agency_id: uuid.UUID | None,
    expires_on: date | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored or shown again.
    With ``expires_on``, the key works through that day (Asia/Shanghai) and no longer."""
    if expires_on is not None and expires_on < today_shanghai():
        raise ValidationFailed.of_field(
            "expires_on", "the expiry day must be today or later", "expires_in_past"
        )
    if role is Role.LAWYER:
        raise ValidationFailed.of_field(
            "role", "API keys are for machine clients; a lawyer signs in personally", "invalid_role"
        )
    if role is Role.AGENCY_OFFICER and agency_id is None:
        raise ValidationFailed.of_field(
            "agency_id", "an agency_officer key must name its agency", "required"
        )
    if agency_id is not None and await reference_repo.get_agency(session, agency_id) is None:
        raise ValidationFailed.of_field("agency_id", "no such agency", "unknown_agency")
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        name=name,
        role=role.value,
        agency_id=agency_id,
        prefix=plaintext[:12],
        key_hash=hash_key(plaintext),
        created_by=actor.sub,
        expires_at=end_of_day(expires_on) if expires_on is not None else None,
    )
    repo.add(session, api_key)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="api_key.create",
        object_type="api_key",
        object_id=api_key.id,
        changes={
            "name": name,
            "role": role.value,
            "agency_id": agency_id,
            **({"expires_on": expires_on.isoformat()} if expires_on else {}),
        },
    )
    return api_key, plaintext


async def revoke_api_key(session: AsyncSession, *, actor: Actor, key_id: uuid.UUID) -> ApiKey:
    api_key = await repo.get(session, key_id)
    if api_key is None:
        raise NotFound("no such API key")
    if api_key.revoked_at is None:
        api_key.revoked_at = now_utc()
        await session.flush()
        audit.record(
            session, actor=actor, action="api_key.revoke", object_type="api_key", object_id=key_id
        )
    return api_key


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in Asia/Shanghai."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=SHANGHAI)


async def actor_from_api_key(session: AsyncSession, plaintext: str) -> Actor:
    api_key = await repo.find_active_by_hash(session, hash_key(plaintext))
    if api_key is None:
        raise Unauthorized("the API key is not valid or has been revoked", code="invalid_api_key")
    if api_key.expires_at is not None and api_key.expires_at <= now_utc():
        raise Unauthorized("the API key has expired", code="api_key_expired")
    actor = Actor(
        sub=f"api-key:{api_key.id}",
        role=Role(api_key.role),
        agency_id=api_key.agency_id,
        via="api_key",
    )
    ensure_role_claims(actor)
    return actor


async def list_api_keys(
    session: AsyncSession, *, cursor: str | None, limit: int
) -> Page[ApiKeyOut]:
    """A page of the keys, as they are described (never the keys themselves)."""
    found = await repo.list_page(session, after=BY_ID.decode(cursor), limit=limit)
    return BY_ID.page(found, ApiKeyOut.model_validate)
