"""API keys for machine clients (admin only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.api.deps import AdminActor, Cursor, Limit, SessionDep
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.auth import api_keys as service
from app.domain.auth.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from app.domain.paging import Page

router = APIRouter(prefix="/api-keys", tags=["api keys"])


@router.post(
    "",
    status_code=201,
    summary="Create an API key; the key is shown in this response only",
    operation_id="create_api_key",
    responses=WRITE_ERRORS,
)
async def create_api_key(
    body: ApiKeyIn, session: SessionDep, actor: AdminActor, response: Response
) -> ApiKeyCreated:
    api_key, plaintext = await service.create_api_key(
        session,
        actor=actor,
        name=body.name,
        role=body.role,
        agency_id=body.agency_id,
        expires_on=body.expires_on,
    )
    response.headers["Location"] = f"/api/v1/api-keys/{api_key.id}"
    return ApiKeyCreated.model_validate(
        {**ApiKeyOut.model_validate(api_key).model_dump(), "key": plaintext}
    )


@router.get(
    "",
    summary="List API keys (never the keys themselves)",
    operation_id="list_api_keys",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_api_keys(
    session: SessionDep, actor: AdminActor, limit: Limit = 50, cursor: Cursor = None
) -> Page[ApiKeyOut]:
    return await service.list_api_keys(session, cursor=cursor, limit=limit)


@router.delete(
    "/{key_id}",
    summary="Revoke an API key (it stops working at once)",
    operation_id="revoke_api_key",
    responses={**AUTH_ERRORS, **problem_responses(404)},
)
async def revoke_api_key(key_id: uuid.UUID, session: SessionDep, actor: AdminActor) -> ApiKeyOut:
    return ApiKeyOut.model_validate(
        await service.revoke_api_key(session, actor=actor, key_id=key_id)
    )
