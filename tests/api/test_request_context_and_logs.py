"""Request ids and the JSON log lines (SPEC 3, 4.3): every line carries the request id, and
identity and phone numbers never appear in clear in a log line or an error response."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import structlog

from app.db.session import Database
from app.domain.audit.context import RequestContext, current_request
from app.domain.common.identifiers import resident_id_check_char
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.conftest import CLIENT_ADDRESS
from tests.support.problems import assert_problem

# A valid GB 11643 number (Liaocheng address code, born 1990-03-07) and a mobile number.
ID_BODY = "37150219900307123"
ID_NUMBER = ID_BODY + resident_id_check_char(ID_BODY)
MOBILE = "13912345678"


# --- request id ---------------------------------------------------------------------------


async def test_an_offered_request_id_is_echoed(client):
    response = await client.get("/healthz", headers={"X-Request-ID": "trace-abc.123:x_y-z"})
    assert response.headers["X-Request-ID"] == "trace-abc.123:x_y-z"


async def test_a_request_id_is_generated_when_none_is_offered(client):
    first = (await client.get("/healthz")).headers["X-Request-ID"]
    second = (await client.get("/healthz")).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.parametrize(
    "offered",
    ["has spaces in it", "x" * 65, "<script>alert(1)</script>", "line\tbreak", "semi;colon"],
)
async def test_unsafe_request_ids_are_replaced(client, offered):
    response = await client.get("/healthz", headers={"X-Request-ID": offered})
    echoed = response.headers["X-Request-ID"]
    assert echoed != offered
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)


async def test_the_request_context_ends_with_the_request(client):
    # The test client runs the app in the test's own context: what a request set and did
    # not reset would still be there for the code that runs next.
    await client.get("/healthz", headers={"X-Request-ID": "ended-request"})
    assert current_request() == RequestContext()
    assert "request_id" not in structlog.contextvars.get_contextvars()


async def test_error_bodies_carry_the_request_id(client):
    response = await client.get("/api/v1/policy", headers={"X-Request-ID": "err-42"})
    body = assert_problem(response, 401)
    assert body["request_id"] == "err-42"
    assert response.headers["X-Request-ID"] == "err-42"


# --- logs ---------------------------------------------------------------------------------

LogLines = Callable[[], list[dict[str, Any]]]


@asynccontextmanager
async def logged_client(
    capsys: pytest.CaptureFixture[str], settings: Settings, db: Database
) -> AsyncIterator[tuple[httpx.AsyncClient, LogLines]]:
    """A client on an app created while stdout is captured, and the JSON lines it writes.

    The app is created here, inside the test, because the log handler binds to whatever
    ``sys.stdout`` is at that moment, and capsys captures only while the test runs."""
    app = create_app(settings, database=db)

    async def explode() -> None:
        raise RuntimeError(f"could not process applicant {ID_NUMBER}, phone {MOBILE}")

    app.add_api_route("/api/v1/test-explode-logged", explode, methods=["GET"])
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        def lines() -> list[dict[str, Any]]:
            out = capsys.readouterr().out
            return [json.loads(line) for line in out.splitlines() if line.strip()]

        lines()  # whatever came before is not this test's
        yield client, lines


async def test_access_log_line_is_json_with_request_id_route_and_status(capsys, settings, db, auth):
    async with logged_client(capsys, settings, db) as (client, lines):
        await client.get(
            "/api/v1/policy?on=2024-02-10",
            headers={**auth(Role.ADMIN), "X-Request-ID": "log-check-1"},
        )
        records = [r for r in lines() if r.get("event") == "request"]
    assert len(records) == 1
    record = records[0]
    assert record["request_id"] == "log-check-1"
    assert record["route"] == "/api/v1/policy"
    assert record["status"] == 200
    assert record["method"] == "GET"
    assert record["level"] == "info"
    assert "timestamp" in record


async def test_a_request_id_holding_a_phone_shaped_run_is_logged_whole(capsys, settings, db, auth):
    # One generated id in ~200 holds a run of digits in a mobile's or an identity number's
    # shape (here "13912345678"): the log line must still carry the id the response gave.
    offered = "621d3c13912345678a4e388983873272"
    async with logged_client(capsys, settings, db) as (client, lines):
        response = await client.get(
            "/api/v1/policy?on=2024-02-10", headers={**auth(Role.ADMIN), "X-Request-ID": offered}
        )
        records = [r for r in lines() if r.get("event") == "request"]
    assert response.headers["X-Request-ID"] == offered
    assert [r["request_id"] for r in records] == [offered]


async def test_every_service_line_of_a_request_carries_its_id(capsys, settings, db, auth):
    async with logged_client(capsys, settings, db) as (client, lines):
        await client.post(
            "/api/v1/api-keys",
            json={"name": "logging", "role": "supervisor"},
            headers={**auth(Role.ADMIN), "X-Request-ID": "log-check-2"},
        )
        written = [r for r in lines() if r.get("logger", "").startswith("adr")]
    assert written
    assert all(r.get("request_id") == "log-check-2" for r in written)


async def test_personal_data_in_a_request_never_reaches_logs_or_error_bodies(
    capsys, settings, db, auth
):
    admin = auth(Role.ADMIN)
    async with logged_client(capsys, settings, db) as (client, lines):
        responses = [
            # In the path of an unknown route (a 404 says where it looked).
            await client.get(f"/api/v1/people/{ID_NUMBER}/{MOBILE}", headers=admin),
            # As the names of unknown fields (a 422 names the offending fields).
            await client.post(
                "/api/v1/api-keys",
                json={"name": "x", "role": "supervisor", ID_NUMBER: MOBILE, MOBILE: ID_NUMBER},
                headers=admin,
            ),
            # As values that fail validation.
            await client.post(
                "/api/v1/api-keys",
                json={"name": ID_NUMBER * 12, "role": MOBILE, "agency_id": ID_NUMBER},
                headers=admin,
            ),
            await client.get(f"/api/v1/policy?on={ID_NUMBER}", headers=admin),
            # In other headers, without credentials.
            await client.get(
                "/api/v1/audit", headers={"X-Caller-Phone": MOBILE, "X-Caller-ID": ID_NUMBER}
            ),
            # In the path of a real route, refused (the refusal is audited) or invalid.
            await client.delete(f"/api/v1/api-keys/{MOBILE}"),
            await client.delete(f"/api/v1/api-keys/{ID_NUMBER}", headers=admin),
            # In an exception message that reaches the last line of defence.
            await client.get("/api/v1/test-explode-logged"),
        ]
        output = lines()
    for response in responses:
        assert response.status_code >= 400, response.text
        assert_problem(response, response.status_code)
        assert ID_NUMBER not in response.text, response.text
        assert MOBILE not in response.text, response.text
    assert output
    text = json.dumps(output, ensure_ascii=False)
    assert ID_NUMBER not in text
    assert MOBILE not in text
    # Masked, not dropped: the masked forms are there for the operator.
    assert f"{ID_NUMBER[:4]}**********{ID_NUMBER[-4:]}" in text
    assert f"{MOBILE[:3]}****{MOBILE[-4:]}" in text


async def test_a_404_still_says_where_it_looked_masked(client, auth):
    response = await client.get(f"/api/v1/people/{ID_NUMBER}", headers=auth(Role.ADMIN))
    body = assert_problem(response, 404, "not_found")
    assert body["instance"] == f"/api/v1/people/{ID_NUMBER[:4]}**********{ID_NUMBER[-4:]}"


async def test_a_crash_is_logged_with_its_masked_traceback_and_request_id(capsys, settings, db):
    async with logged_client(capsys, settings, db) as (client, lines):
        response = await client.get(
            "/api/v1/test-explode-logged", headers={"X-Request-ID": "crash-log-1"}
        )
        records = lines()
    assert_problem(response, 500, "internal_error")
    crash = [r for r in records if r.get("event") == "unhandled_error"]
    assert len(crash) == 1
    assert crash[0]["request_id"] == "crash-log-1"
    assert crash[0]["level"] == "error"
    assert "RuntimeError" in crash[0]["exception"]  # the operator gets the traceback…
    assert ID_NUMBER not in crash[0]["exception"]  # …without the personal data in it
    assert MOBILE not in crash[0]["exception"]
    access = [r for r in records if r.get("event") == "request"]
    assert [(r["route"], r["status"]) for r in access] == [("/api/v1/test-explode-logged", 500)]
