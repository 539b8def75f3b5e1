"""Test data made through the HTTP API (registry and pool), plus a few look-ups.

Helpers take the ``client`` and headers from the ``auth`` fixture, so that every object a
test relies on was created the way a user would create it.
"""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

import httpx

from app.clock import today_shanghai
from app.domain.common.identifiers import CREDIT_CODE_CHARSET, credit_code_check_char

API = "/api/v1"


def current_year() -> int:
    """The year the service calls "current" (Asia/Shanghai)."""
    return today_shanghai().year


def unique_suffix() -> str:
    return uuid.uuid4().hex[:10]


def valid_credit_code() -> str:
    """A random unified social credit code (GB 32100) with a correct check character."""
    body = "".join(CREDIT_CODE_CHARSET[b % len(CREDIT_CODE_CHARSET)] for b in uuid.uuid4().bytes)
    body = ("12371500" + body)[:17]
    return body + credit_code_check_char(body)


def with_wrong_check_char(code: str) -> str:
    """The same code with a check character that does not match."""
    wrong = next(c for c in CREDIT_CODE_CHARSET if c != code[17])
    return code[:17] + wrong


def seeded_agencies() -> list[dict[str, Any]]:
    """The agencies of the seed data file (what every test database starts with)."""
    text = (resources.files("app.db") / "seed_data" / "agencies.json").read_text("utf-8")
    data: list[dict[str, Any]] = json.loads(text)
    return data


def agency_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"聊城市测试局{unique_suffix()}",
        "short_name": "测试局",
        "kind": "administrative_organ",
        "level": "city",
        "region_code": "371500",
        "business_system": "natural_resources",
    }
    body.update(overrides)
    return body


async def create_agency(
    client: httpx.AsyncClient, admin: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    response = await client.post(f"{API}/agencies", json=agency_body(**overrides), headers=admin)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def lawyer_body(agency_id: uuid.UUID | str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "张明",
        "agency_id": str(agency_id),
        "certificate_no": f"GZ{uuid.uuid4().hex[:16].upper()}",
        "certificate_issued_on": "2022-03-01",
    }
    body.update(overrides)
    return body


async def create_lawyer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    agency_id: uuid.UUID | str,
    **overrides: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/lawyers", json=lawyer_body(agency_id, **overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def nominate(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    lawyer_id: uuid.UUID | str,
    year: int,
) -> httpx.Response:
    return await client.post(
        f"{API}/pool/memberships",
        json={"lawyer_id": str(lawyer_id), "year": year},
        headers=headers,
    )


async def nominated(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    lawyer_id: uuid.UUID | str,
    year: int,
) -> dict[str, Any]:
    response = await nominate(client, headers, lawyer_id, year)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def decide(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    membership_id: uuid.UUID | str,
    action: str,
    reason: str | None = None,
) -> httpx.Response:
    body = {"reason": reason} if reason is not None else None
    return await client.post(
        f"{API}/pool/memberships/{membership_id}/{action}", json=body, headers=headers
    )


async def audit_records(
    client: httpx.AsyncClient, reader: dict[str, str], **filters: Any
) -> list[dict[str, Any]]:
    """Audit records matching the filters (action, object_id, …), newest first."""
    response = await client.get(f"{API}/audit", params={"limit": 200, **filters}, headers=reader)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def list_all(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, following ``next_cursor`` to the end."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"{API}{path}", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the list never ended")


def field_errors(response: httpx.Response) -> dict[str, str]:
    """{field: code} of a 422 problem."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["code"] for e in response.json()["errors"]}
