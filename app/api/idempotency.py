"""Idempotent create-style POSTs (SPEC 3): ``Idempotency-Key``, the HTTP side.

The same key with the same body returns the first response again (``Idempotent-Replayed:
true``); with another body, 422 ``idempotency_key_reused``; while the first request still
runs, 409 ``idempotency_key_in_flight``. Keys belong to one caller; what is kept, for how
long and in which transaction is ``app/domain/idempotency.py``. Here: what makes two
requests the same, and the responses.

A replay is an answer about an object: before it is sent, the caller's present right to see
that object is checked again (``visible``), so that a caller whose role or agency changed
since the first request gets the 404 a fresh read would give, not the stored body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.deps import CurrentActor, SessionDep
from app.domain import idempotency
from app.domain.auth.actor import Actor
from app.errors import BadRequest


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


def _replay(answer: idempotency.Answer) -> Response:
    return Response(
        content=answer.body,
        status_code=answer.status,
        headers={**answer.headers, "Idempotent-Replayed": "true"},
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
        if self.key is None:
            return self._respond(await create())
        caller, key = self.actor.sub, self.key
        fingerprint = await self._fingerprint()

        if (replayed := await self._replay_or_claim(fingerprint, visible)) is not None:
            return replayed
        created = await create()
        response = self._respond(created)
        kept = {k: v for k, v in created.headers.items() if k in REPLAYED_HEADERS}
        await idempotency.remember(
            self.session,
            caller=caller,
            key=key,
            method=self.request.method,
            path=self.request.url.path,
            fingerprint=fingerprint,
            answer=idempotency.Answer(created.status, bytes(response.body).decode(), kept),
        )
        return response

    async def run_numbered(
        self,
        receive: Callable[[], Awaitable[Created]],
        number: Callable[[idempotency.KeyRow | None], Awaitable[str]],
        *,
        visible: Callable[[dict[str, Any]], Awaitable[object]],
        field: str = "case_no",
    ) -> Response:
        """As ``run``, for a create whose answer carries a number that only its last
        statement gives, while a lock is held until the commit (the intake's case number).
        ``receive`` checks and builds the answer; the answer is rendered with a marker in
        ``field``; ``number(key row or None)`` writes the object (and the key with its
        answer, in the same statement) and returns the number, which then replaces the
        marker: after the number, only a string replacement and the commit."""
        keep: idempotency.KeyToKeep | None = None
        if self.key is not None:
            fingerprint = await self._fingerprint()
            if (replayed := await self._replay_or_claim(fingerprint, visible)) is not None:
                return replayed
            keep = idempotency.KeyToKeep(
                self.actor.sub, self.key, self.request.method, self.request.url.path, fingerprint
            )
        created = await receive()
        marker = keep.marker if keep else idempotency.KeyToKeep.new_marker()
        setattr(created.body, field, marker)
        rendered = created.body.model_dump_json()
        row = None
        if keep is not None:
            kept = {k: v for k, v in created.headers.items() if k in REPLAYED_HEADERS}
            answer = idempotency.Answer(created.status, rendered, kept)
            row = keep.answer_row(answer)
        value = await number(row)
        setattr(created.body, field, value)
        return Response(
            content=rendered.replace(marker, value),
            status_code=created.status,
            headers=created.headers,
            media_type="application/json",
        )

    async def _fingerprint(self) -> str:
        return _fingerprint(self.request, await self.request.body())

    async def _replay_or_claim(
        self, fingerprint: str, visible: Callable[[dict[str, Any]], Awaitable[object]]
    ) -> Response | None:
        """The stored answer for the key, or None with the key's lock taken. A finished
        request is answered from its stored response without any lock, so that retries
        racing each other all replay. Only when there is none yet is the key's lock taken
        (without waiting: held means the first request still runs), and the store read
        again under it."""
        caller, key = self.actor.sub, str(self.key)

        async def replay() -> Response | None:
            answer = await idempotency.stored_answer(
                self.session, caller=caller, key=key, fingerprint=fingerprint
            )
            if answer is None:
                return None
            stored = orjson.loads(answer.body)
            await visible(stored if isinstance(stored, dict) else {})
            return _replay(answer)

        if (replayed := await replay()) is not None:
            return replayed
        await idempotency.claim(self.session, caller=caller, key=key)
        return await replay()

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
