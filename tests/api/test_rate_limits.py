"""Rate limits (SPEC 3): a budget of requests per minute per caller, a separate budget for
reports and exports, 429 ``rate_limited`` with ``Retry-After`` and ``RateLimit-*``, health
and metrics never limited; shared by every process through Redis when configured."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from app.api.budgets import Budget, budget_of
from app.db.session import Database
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.support.databases import TEST_SECRETS
from tests.support.problems import assert_problem
from tests.support.redis_probe import redis_url
from tests.support.tokens import bearer, claims, sign

POLICY = "/api/v1/policy"
ClientFactory = Callable[..., Any]


@pytest.fixture
async def limited(db: Database, settings: Settings) -> AsyncIterator[ClientFactory]:
    """``await limited(per_minute=…, address=…, **settings)`` → a client on an app with those
    budgets (on the test's database); apps built with the same ``redis_url`` and prefix
    share their budgets as separate processes would."""
    clients: list[httpx.AsyncClient] = []

    async def make(
        per_minute: int = 3, reports: int = 2, address: str = "198.51.100.1", **overrides: Any
    ) -> httpx.AsyncClient:
        values: dict[str, Any] = {
            "env": "test",
            "database_url": settings.database_url,
            **TEST_SECRETS,
            "rate_limit_per_minute": per_minute,
            "report_rate_limit_per_minute": reports,
            **overrides,
        }
        app = create_app(Settings(_env_file=None, **values), database=db)
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def _admin(settings: Settings, sub: str = "admin-rate") -> dict[str, str]:
    token = sign(claims(settings, sub=sub), TEST_SECRETS["jwt_secret"], "HS256")
    return bearer(token)


def assert_rate_limited(response: httpx.Response, limit: int) -> None:
    body = assert_problem(response, 429, "rate_limited")
    assert str(limit) in body["detail"]
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["ratelimit-limit"] == str(limit)
    assert response.headers["ratelimit-remaining"] == "0"
    assert 0 <= int(response.headers["ratelimit-reset"]) <= 60


async def test_a_caller_over_the_budget_gets_429_with_the_headers(limited, settings):
    client = await limited(per_minute=3)
    headers = _admin(settings)
    remaining = []
    for _ in range(3):
        response = await client.get(POLICY, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["ratelimit-limit"] == "3"
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == [2, 1, 0]
    refused = await client.get(POLICY, headers=headers)
    assert_rate_limited(refused, 3)
    # Refused requests are not served: a write is refused before it runs.
    write = await client.post(
        "/api/v1/api-keys", json={"name": "late", "role": "supervisor"}, headers=headers
    )
    assert_rate_limited(write, 3)
    listed = await (await limited(per_minute=100)).get("/api/v1/api-keys", headers=headers)
    assert all(k["name"] != "late" for k in listed.json()["items"])


async def test_each_subject_has_a_budget_of_its_own(limited, settings):
    client = await limited(per_minute=2)
    for _ in range(2):
        assert (await client.get(POLICY, headers=_admin(settings, "alice"))).status_code == 200
    assert_rate_limited(await client.get(POLICY, headers=_admin(settings, "alice")), 2)
    assert (await client.get(POLICY, headers=_admin(settings, "bob"))).status_code == 200


async def test_anonymous_callers_are_counted_by_address(limited):
    first = await limited(per_minute=2, address="198.51.100.7")
    for _ in range(2):
        assert_problem(await first.get(POLICY), 401)
    assert_rate_limited(await first.get(POLICY), 2)
    # A header claiming another address buys no new budget (only a trusted proxy's counts,
    # and uvicorn resolves that before the app sees the request)…
    assert_problem(await first.get(POLICY, headers={"X-Forwarded-For": "1.2.3.4"}), 429)
    # …while another address really is another caller.
    other = await limited(per_minute=2, address="198.51.100.8")
    assert_problem(await other.get(POLICY), 401)


async def test_made_up_credentials_spend_the_address_budget(limited, settings):
    client = await limited(per_minute=3)
    # Each made-up token or key is a new "caller" to a naive limiter; here they all pay from
    # the one address they come from.
    forged_token = bearer(sign(claims(settings), "not-the-secret-0123456789abcdef01", "HS256"))
    assert_problem(await client.get(POLICY, headers=forged_token), 401)
    assert_problem(await client.get(POLICY, headers={"X-API-Key": "adr_guess-1"}), 401)
    assert_problem(await client.get(POLICY, headers={"X-API-Key": "adr_guess-2"}), 401)
    assert_rate_limited(await client.get(POLICY, headers={"X-API-Key": "adr_guess-3"}), 3)
    assert_rate_limited(await client.get(POLICY), 3)


async def test_a_valid_api_key_has_its_own_budget(limited, settings):
    client = await limited(per_minute=2)
    created = await (await limited(per_minute=100)).post(
        "/api/v1/api-keys", json={"name": "job", "role": "supervisor"}, headers=_admin(settings)
    )
    key = {"X-API-Key": created.json()["key"]}
    for _ in range(2):
        assert (await client.get(POLICY, headers=key)).status_code == 200
    assert_rate_limited(await client.get(POLICY, headers=key), 2)
    assert (await client.get(POLICY, headers=_admin(settings))).status_code == 200


async def test_reports_and_exports_have_a_separate_budget(limited, settings):
    client = await limited(per_minute=10, reports=2)
    headers = _admin(settings)
    # Statistics, archives and exports spend the report budget whether or not the route
    # exists yet (they are being built): the budget is decided by path and format.
    report_requests = [
        ("/api/v1/statistics/cases", {"year": 2026}),
        (f"/api/v1/lawyers/{uuid.uuid4()}/archive", {"year": 2026}),
        ("/api/v1/cases", {"format": "csv"}),
    ]
    for path, params in report_requests[:2]:
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code != 429
        assert response.headers["ratelimit-limit"] == "2"
    path, params = report_requests[2]
    assert_rate_limited(await client.get(path, params=params, headers=headers), 2)
    # …while the ordinary budget is untouched.
    ordinary = await client.get(POLICY, headers=headers)
    assert ordinary.status_code == 200
    assert ordinary.headers["ratelimit-limit"] == "10"
    assert ordinary.headers["ratelimit-remaining"] == "9"


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
async def test_health_and_metrics_are_never_limited(limited, path):
    client = await limited(per_minute=1)
    for _ in range(5):
        response = await client.get(path)
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers


def test_the_budget_is_decided_by_path_and_format():
    assert budget_of("/healthz") is None
    assert budget_of("/readyz") is None
    assert budget_of("/metrics") is None
    assert budget_of("/api/v1/cases") is Budget.DEFAULT
    assert budget_of("/api/v1/cases", b"format=json") is Budget.DEFAULT
    assert budget_of("/api/v1/cases", b"status=closed&format=XLSX") is Budget.REPORT
    assert budget_of("/api/v1/activities", b"format=csv") is Budget.REPORT
    assert budget_of("/api/v1/statistics/lawyers", b"year=2026") is Budget.REPORT
    assert budget_of("/api/v1/statistics") is Budget.REPORT
    assert budget_of("/api/v1/statisticsx") is Budget.DEFAULT
    assert budget_of(f"/api/v1/lawyers/{uuid.uuid4()}/archive") is Budget.REPORT
    assert budget_of(f"/api/v1/lawyers/{uuid.uuid4()}") is Budget.DEFAULT
    assert budget_of("/api/v1/cases", b"q=format%3Dcsv") is Budget.DEFAULT


async def test_every_operation_documents_429_and_503(client):
    schema = (await client.get("/openapi.json")).json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "503" in responses, (method, path)
            assert "Retry-After" in responses["503"]["headers"]
            if path in {"/healthz", "/readyz", "/metrics"}:
                assert "429" not in responses, path
                continue
            assert "429" in responses, (method, path)
            assert set(responses["429"]["headers"]) == {
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            }
            problem = responses["429"]["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}


# --- shared through Redis -------------------------------------------------------------------


@pytest.fixture
def redis_prefix() -> str:
    """Keys of this test alone, so parallel and earlier runs never share a window."""
    return f"adr-test-{uuid.uuid4().hex}"


@pytest.mark.redis
async def test_processes_share_one_budget_through_redis(limited, settings, redis_prefix):
    shared = {"redis_url": redis_url(), "rate_limit_key_prefix": redis_prefix}
    first = await limited(per_minute=3, **shared)
    second = await limited(per_minute=3, **shared)
    headers = _admin(settings)
    assert (await first.get(POLICY, headers=headers)).status_code == 200
    assert (await second.get(POLICY, headers=headers)).status_code == 200
    third = await first.get(POLICY, headers=headers)
    assert third.headers["ratelimit-remaining"] == "0"
    assert_rate_limited(await second.get(POLICY, headers=headers), 3)
    # A process counting alone (no Redis) would still have had room:
    alone = await limited(per_minute=3)
    assert (await alone.get(POLICY, headers=headers)).status_code == 200


@pytest.mark.redis
async def test_the_report_budget_is_shared_through_redis_too(limited, settings, redis_prefix):
    shared = {"redis_url": redis_url(), "rate_limit_key_prefix": redis_prefix}
    first = await limited(reports=1, **shared)
    second = await limited(reports=1, **shared)
    headers = _admin(settings)
    assert (await first.get("/api/v1/statistics/cases", headers=headers)).status_code != 429
    refused = await second.get("/api/v1/cases", params={"format": "xlsx"}, headers=headers)
    assert_rate_limited(refused, 1)


async def test_without_redis_answering_each_process_still_limits(limited, settings):
    # Nothing listens on this port: the process counts alone instead of failing requests.
    client = await limited(per_minute=2, redis_url="redis://127.0.0.1:1/0")
    headers = _admin(settings)
    for _ in range(2):
        assert (await client.get(POLICY, headers=headers)).status_code == 200
    assert_rate_limited(await client.get(POLICY, headers=headers), 2)


async def test_a_role_token_works_under_limits(limited, auth):
    client = await limited(per_minute=5)
    response = await client.get(POLICY, headers=auth(Role.CENTER_COORDINATOR))
    assert response.status_code == 200
    assert response.headers["ratelimit-remaining"] == "4"
