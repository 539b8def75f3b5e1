"""The audit chain on a database of its own, where requests really commit and really run at
the same time (the per-test transaction of the other tests shares one connection)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import pairwise
from typing import Any

import httpx
import pytest

from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.states.codes import Role
from tests.support.audit import close_failure_minutes
from tests.support.databases import test_settings as settings_for
from tests.support.scratch import scratch_database


@pytest.fixture
async def committed() -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client on an app with its own engine on its own, committed database."""
    async with scratch_database("audit") as url:
        settings = settings_for(url)
        app: Any = create_app(settings)
        admin = {"Authorization": f"Bearer {mint_token(settings, sub='root', role=Role.ADMIN)}"}
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield c, admin
        finally:
            await app.state.db.engine.dispose()


async def _all_records(client: httpx.AsyncClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/audit", params=params, headers=admin)).json()
        records.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return records


async def test_refusals_are_kept_although_the_request_is_rolled_back(committed):
    client, admin = committed
    created = await client.post(
        "/api/v1/api-keys", json={"name": "reporting", "role": "supervisor"}, headers=admin
    )
    key = created.json()["key"]
    # The key's lookup opened the request's transaction before the role check refused it:
    # the refusal is written in a transaction of its own, which must not wait for that one.
    refused = await client.post(
        "/api/v1/api-keys", json={"name": "x", "role": "admin"}, headers={"X-API-Key": key}
    )
    assert refused.status_code == 403
    unknown = await client.get("/api/v1/api-keys", headers={"X-API-Key": "adr_unknown"})
    assert unknown.status_code == 401
    # The failed authentication is counted; its record comes when its minute is over.
    app = client._transport.app
    await close_failure_minutes(app.state.db, app.state.settings)
    records = await _all_records(client, admin)
    assert [(r["action"], r["outcome"]) for r in reversed(records)] == [
        ("api_key.create", "success"),
        ("authz.refused", "denied"),
        ("auth.refused", "denied"),
    ]
    report = (await client.get("/api/v1/audit/verify", headers=admin)).json()
    assert report["valid"] is True
    assert report["records_checked"] == 3


@pytest.mark.postgres_only
async def test_parallel_writes_keep_one_contiguous_valid_chain(committed):
    client, admin = committed
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/v1/api-keys",
                json={"name": f"parallel {n}", "role": "supervisor"},
                headers={**admin, "X-Request-ID": f"parallel-{n}"},
            )
            for n in range(30)
        )
    )
    assert [r.status_code for r in responses] == [201] * 30, [r.text for r in responses]
    records = await _all_records(client, admin)
    assert sorted(r["seq"] for r in records) == list(range(1, 31))
    assert {r["request_id"] for r in records} == {f"parallel-{n}" for n in range(30)}
    assert {r["object_id"] for r in records} == {r.json()["id"] for r in responses}
    ordered = sorted(records, key=lambda r: r["seq"])
    for previous, current in pairwise(ordered):
        assert current["prev_hash"] == previous["hash"]
    report = (await client.get("/api/v1/audit/verify", headers=admin)).json()
    assert report == {**report, "valid": True, "records_checked": 30, "last_seq": 30}
