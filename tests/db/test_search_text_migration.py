"""Migration a7d3c9e15b42 masks the identity and phone numbers in the title, facts and claims
of the cases stored before it (SPEC 3: the searched text holds no number), on both
databases, and changes nothing else."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from alembic import command
from sqlalchemy import text

from app.cli import alembic_config
from app.db.session import create_engine
from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.states.codes import Role
from tests.conftest import CLIENT_ADDRESS
from tests.support.databases import owner_url
from tests.support.databases import test_settings as settings_for
from tests.support.factories import case_body, masked_id, masked_mobile, mobile, resident_id
from tests.support.scratch import scratch_database

BEFORE = "5b2f0c81d7e4"


async def _a_case(url: str) -> str:
    settings = settings_for(url)
    app: Any = create_app(settings)
    headers = {"Authorization": f"Bearer {mint_token(settings, sub='m', role=Role.ADMIN)}"}
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            organs = await client.get(
                "/api/v1/agencies", params={"kind": "administrative_organ"}, headers=headers
            )
            organ = organs.json()["items"][0]["id"]
            created = await client.post(
                "/api/v1/cases", json=case_body(organ, organ), headers=headers
            )
            assert created.status_code == 201, created.text
            return str(created.json()["id"])
    finally:
        await app.state.db.engine.dispose()


async def _sql(url: str, sql: str, **params: Any) -> Any:
    engine = create_engine(settings_for(url))
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return result.all() if result.returns_rows else None
    finally:
        await engine.dispose()


async def test_existing_cases_are_masked_by_the_migration():
    async with scratch_database("searchmask") as url:
        case_id = await _a_case(url)
        owner = owner_url(url)
        config = alembic_config(owner)
        await asyncio.to_thread(command.downgrade, config, BEFORE)
        # As stored before: numbers in clear (written behind the service's back here).
        phone, number = mobile(), resident_id()
        title, facts, claims = f"来电{phone}", f"身份证{number}，电话{phone}。", "请求依法处理"
        await _sql(
            owner,
            "UPDATE cases SET title = :t, facts = :f, claims = :c",
            t=title,
            f=facts,
            c=claims,
        )
        await asyncio.to_thread(command.upgrade, config, "head")
        [(stored_title, stored_facts, stored_claims)] = await _sql(
            owner, "SELECT title, facts, claims FROM cases"
        )
        assert stored_title == f"来电{masked_mobile(phone)}"
        assert stored_facts == f"身份证{masked_id(number)}，电话{masked_mobile(phone)}。"
        assert stored_claims == claims
        assert case_id
