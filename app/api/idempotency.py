"""Idempotent create-style POSTs (SPEC 3): ``Idempotency-Key``.

The same key with the same body returns the first response again (``Idempotent-Replayed:
true``); with another body, 422 ``idempotency_key_reused``; while the first request still
runs, 409 ``idempotency_key_in_flight``. Keys belong to one caller and live 72 hours. The
stored response is written in the same transaction as the write it protects: either both
commit or neither does, so a retry after a failure simply runs again.

A replay is an answer about an object: before it is sent, the caller's present right to see
that object is checked again (``visible``), so that a caller whose role or agency changed
since the first request gets the 404 a fresh read would give, not the stored body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.deps import CurrentActor, SessionDep
from app.clock import now_utc
from app.db.models import IdempotencyKey
from app.db.repositories import idempotency as repo
from app.domain.auth.actor import Actor
from app.errors import BadRequest, Conflict, ValidationFailed

KEY_LIFETIME = timedelta(hours=72)


@dataclass
class Created:
    """What a create-style handler produced: the body, status and headers to send."""

    body: BaseModel
    status: int = 201
    headers: dict[str, str] = field(default_factory=dict)


def _fingerprint(request: Request, body: bytes) -> str:
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    material = request.method.encode() + b" " + request.url.path.encode() + b"\n" + canonical
    return hashlib.sha256(material).hexdigest()


REPLAYED_HEADERS = ("Location", "ETag")


def _replay(row: IdempotencyKey) -> Response:
    headers = {**row.response_headers, "Idempotent-Replayed": "true"}
    return Response(
        content=row.response_body,
        status_code=row.response_status,
        headers=headers,
        media_type="application/json",
    )


class Idempotency:
    def __init__(self, request: Request, session: AsyncSession, actor: Actor, key: str | None):
        self.request, self.session, self.actor, self.key = request, session, actor, key

    async def run(
        self,
        create: Callable[[], Awaitable[Created]],
        *,
        visible: Callable[[dict[str, Any]], Awaitable[object]],
    ) -> Response:
        """Run ``create`` once per key; ``visible(stored body)`` raises (404) when the
        caller may no longer see what a replay would show."""
        self.visible = visible
        if self.key is None:
            return self._respond(await create())
        caller = self.actor.sub
        fingerprint = _fingerprint(self.request, await self.request.body())
        # A finished request is answered from its stored response without any lock, so that
        # retries racing each other all replay. Only when there is none yet is the key's lock
        # taken (without waiting: held means the first request still runs), and the store
        # read again under it.
        replay = await self._stored(caller, fingerprint)
        if replay is not None:
            return replay
        if not await repo.try_lock(self.session, caller, self.key):
            raise Conflict(
                "a request with this Idempotency-Key is still being processed; retry shortly",
                code="idempotency_key_in_flight",
                headers={"Retry-After": "1"},
            )
        replay = await self._stored(caller, fingerprint)
        if replay is not None:
            return replay
        created = await create()
        response = self._respond(created)
        self.session.add(
            IdempotencyKey(
                caller=caller,
                key=self.key,
                method=self.request.method,
                path=self.request.url.path,
                request_hash=fingerprint,
                response_status=created.status,
                response_body=bytes(response.body).decode(),
                response_headers={
                    k: v for k, v in created.headers.items() if k in REPLAYED_HEADERS
                },
                expires_at=now_utc() + KEY_LIFETIME,
            )
        )
        await self.session.flush()
        return response

    async def _stored(self, caller: str, fingerprint: str) -> Response | None:
        assert self.key is not None
        existing = await repo.find(self.session, caller, self.key)
        if existing is None:
            return None
        if existing.expires_at <= now_utc():
            await repo.remove(self.session, existing)
            return None
        if existing.request_hash != fingerprint:
            raise ValidationFailed(
                "this Idempotency-Key was used with another request",
                errors=[
                    {
                        "field": "header.Idempotency-Key",
                        "code": "idempotency_key_reused",
                        "message": "send a new key for a different request",
                    }
                ],
                code="idempotency_key_reused",
            )
        stored = orjson.loads(existing.response_body)
        await self.visible(stored if isinstance(stored, dict) else {})
        return _replay(existing)

    @staticmethod
    def _respond(created: Created) -> Response:
        return Response(
            content=created.body.model_dump_json(),
            status_code=created.status,
            headers=created.headers,
            media_type="application/json",
        )


async def get_idempotency(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=8,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="Makes a retry safe: the same key and body return the first answer. "
            "Required for API-key callers.",
        ),
    ] = None,
) -> Idempotency:
    if idempotency_key is None and actor.via == "api_key":
        raise BadRequest(
            "machine clients must send an Idempotency-Key on this request",
            code="idempotency_key_required",
        )
    return Idempotency(request, session, actor, idempotency_key)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
