"""The ``adr`` command (SPEC 5): development tokens the API accepts, API keys, migrate, and a
seed that can run again without changing anything."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import delete, func, select, update

from app import cli
from app.clock import SHANGHAI, today_shanghai
from app.db.models import Agency, ApiKey, BusinessSystem, CalendarYear, PolicyVersion
from app.db.session import create_database, transaction
from app.domain.policy.service import MEASURES_VERSION
from app.domain.reference.ids import agency_id, policy_version_id
from app.main import create_app
from app.settings import get_settings
from tests.conftest import CLIENT_ADDRESS
from tests.support.databases import TEST_SECRETS
from tests.support.databases import test_settings as settings_for
from tests.support.scratch import scratch_database


def _use_environment(monkeypatch: pytest.MonkeyPatch, database_url: str, env: str = "test") -> None:
    """Point the CLI (which reads the environment, as in production) at the test secrets."""
    monkeypatch.setenv("ADR_ENV", env)
    monkeypatch.setenv("ADR_DATABASE_URL", database_url)
    monkeypatch.setenv("ADR_JWT_SECRET", str(TEST_SECRETS["jwt_secret"]))
    monkeypatch.setenv("ADR_PII_KEYS", json.dumps(TEST_SECRETS["pii_keys"]))
    monkeypatch.setenv("ADR_PII_ACTIVE_KEY_ID", str(TEST_SECRETS["pii_active_key_id"]))
    monkeypatch.setenv("ADR_PII_HASH_KEY", str(TEST_SECRETS["pii_hash_key"]))
    monkeypatch.setenv("ADR_AUDIT_KEY", str(TEST_SECRETS["audit_key"]))


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    """Development mode (``adr token`` works only there), with the test database's keys."""
    _use_environment(monkeypatch, database_url, env="development")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _printed(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.strip()


# --- token ----------------------------------------------------------------------------------


async def test_token_prints_a_jwt_the_api_accepts(cli_env, capsys, client):
    capsys.readouterr()
    assert cli.main(["token", "--role", "admin"]) == 0
    token = _printed(capsys)
    assert token.count(".") == 2
    response = await client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


async def test_token_carries_the_claims_asked_for(cli_env, capsys, client, settings):
    agency_id = uuid.uuid4()
    capsys.readouterr()
    cli.main(["token", "--role", "agency_officer", "--agency-id", str(agency_id), "--ttl", "600"])
    token = _printed(capsys)
    claims = jwt.decode(
        token,
        str(TEST_SECRETS["jwt_secret"]),
        algorithms=["HS256"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert claims["role"] == "agency_officer"
    assert claims["agency_id"] == str(agency_id)
    assert claims["sub"] == "dev-agency_officer"
    assert claims["exp"] - claims["iat"] == 600
    response = await client.get("/api/v1/policy", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


async def test_token_for_a_lawyer_with_a_chosen_subject(cli_env, capsys, settings):
    lawyer_id = uuid.uuid4()
    capsys.readouterr()
    cli.main(["token", "--role", "lawyer", "--lawyer-id", str(lawyer_id), "--sub", "li.ming"])
    claims = jwt.decode(_printed(capsys), options={"verify_signature": False})
    assert (claims["sub"], claims["lawyer_id"]) == ("li.ming", str(lawyer_id))


async def test_an_expired_cli_token_is_refused(cli_env, capsys, client):
    capsys.readouterr()
    cli.main(["token", "--role", "admin", "--ttl", "-120"])
    token = _printed(capsys)
    response = await client.get("/api/v1/policy", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


@pytest.mark.parametrize("env", ["test", "production"])
def test_token_is_refused_outside_development(monkeypatch, capsys, env):
    _use_environment(monkeypatch, "postgresql+asyncpg://adr@db:5432/adr", env=env)
    get_settings.cache_clear()
    try:
        assert cli.main(["token", "--role", "admin"]) == 2
    finally:
        get_settings.cache_clear()
    printed = capsys.readouterr()
    assert printed.out == ""
    assert "ADR_ENV=development" in printed.err


def test_cli_tokens_carry_iat(cli_env, capsys):
    capsys.readouterr()
    cli.main(["token", "--role", "admin"])
    claims = jwt.decode(_printed(capsys), options={"verify_signature": False})
    assert claims["exp"] > claims["iat"] > 0


# --- serve refuses unsafe settings ------------------------------------------------------------


def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ADR_ENV", "ADR_DATABASE_URL", "ADR_JWT_SECRET", "ADR_PII_KEYS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("ADR_PII_ACTIVE_KEY_ID", "ADR_PII_HASH_KEY", "ADR_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("environment", "argv", "named"),
    [
        (
            {"ADR_DATABASE_URL": "postgresql+asyncpg://adr@db:5432/adr"},
            ["serve"],
            "PostgreSQL refuses the development defaults",
        ),
        ({}, ["serve", "--host", "0.0.0.0"], "serving on 0.0.0.0"),  # noqa: S104
        ({"ADR_ENV": "production"}, ["serve"], "refuses the embedded SQLite file"),
    ],
)
def test_serve_refuses_to_start_naming_the_missing_settings(
    monkeypatch, capsys, environment, argv, named
):
    _clean_environment(monkeypatch)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    started: list[object] = []
    monkeypatch.setattr(cli, "serve", lambda *args: started.append(args))
    get_settings.cache_clear()
    try:
        assert cli.main(argv) == 2
    finally:
        get_settings.cache_clear()
    assert started == []
    message = capsys.readouterr().err
    assert named in message
    assert "ADR_JWT_SECRET" in message
    assert "ADR_AUDIT_KEY" in message


def test_serve_starts_with_no_configuration_on_loopback(monkeypatch):
    # `make run`: no configuration at all, the embedded SQLite file, 127.0.0.1.
    _clean_environment(monkeypatch)
    started: list[object] = []
    monkeypatch.setattr(cli, "serve", lambda *args: started.append(args))
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--host", "127.0.0.1"]) == 0
    finally:
        get_settings.cache_clear()
    assert started == [("127.0.0.1", 8000, 1)]


@pytest.mark.parametrize(
    "argv",
    [["token"], ["token", "--role", "emperor"], ["token", "--role", "admin", "--agency-id", "x"]],
)
def test_token_refuses_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as raised:
        cli.main(argv)
    assert raised.value.code == 2
    assert "usage: adr" in capsys.readouterr().err


# --- migrate, seed, api-key create on a database of their own --------------------------------


@pytest.fixture
async def fresh_url(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    async with scratch_database("cli", migrated=False) as url:
        _use_environment(monkeypatch, url)
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


async def _counts(url: str) -> dict[str, Any]:
    database = create_database(settings_for(url), url=url)
    try:
        async with database.sessionmaker() as session:
            return {
                model.__tablename__: (
                    await session.execute(select(func.count()).select_from(model))
                ).scalar()
                for model in (BusinessSystem, Agency, PolicyVersion, CalendarYear)
            }
    finally:
        await database.engine.dispose()


async def _adr(*argv: str) -> int:
    # The commands run their own event loop (asyncio.run), so they get a thread of their own.
    return await asyncio.to_thread(cli.main, list(argv))


async def test_migrate_then_seed_twice_changes_nothing_the_second_time(fresh_url, capsys):
    assert await _adr("migrate") == 0
    capsys.readouterr()
    assert await _adr("seed") == 0
    first_report = capsys.readouterr().out
    first = await _counts(fresh_url)
    assert first["business_systems"] > 0
    assert first["agencies"] > 0
    assert first["policy_versions"] == 1
    assert "policy version: added" in first_report
    # The migration brought the 2022–2026 calendar; the seed finds it and adds none.
    assert first["calendar_years"] == 5
    assert "calendar years: 0 added" in first_report

    assert await _adr("seed") == 0
    second_report = capsys.readouterr().out
    assert await _counts(fresh_url) == first
    assert "business systems: 0 added, 0 updated; agencies: 0 added" in second_report
    assert "policy version: present" in second_report


async def test_recompute_deadlines_reports_what_changed(fresh_url, capsys):
    assert await _adr("migrate") == 0
    capsys.readouterr()
    assert await _adr("recompute-deadlines") == 0
    assert capsys.readouterr().out.strip() == "open cases whose due dates changed: 0"


async def _seeded_ids(url: str) -> tuple[dict[str, uuid.UUID], set[uuid.UUID]]:
    database = create_database(settings_for(url), url=url)
    try:
        async with database.sessionmaker() as session:
            agencies = (await session.execute(select(Agency.seed_key, Agency.id))).all()
            policies = set((await session.execute(select(PolicyVersion.id))).scalars())
            return {key: id_ for key, id_ in agencies if key}, policies
    finally:
        await database.engine.dispose()


async def test_seed_gives_stable_ids_and_keeps_the_random_ones_of_an_older_seed(fresh_url):
    assert await _adr("migrate") == 0
    assert await _adr("seed") == 0
    fresh, policies = await _seeded_ids(fresh_url)
    assert fresh["city-reconciliation-center"] == agency_id("city-reconciliation-center")
    assert fresh["city-justice"] == agency_id("city-justice")
    assert policies == {policy_version_id(MEASURES_VERSION["effective_from"])}  # type: ignore[arg-type]

    # An installation seeded before stable ids: its agency has a random id (which cases and
    # the audit trail name), and an agency the seed data gained since is missing.
    older = uuid.uuid4()
    database = create_database(settings_for(fresh_url), url=fresh_url)
    try:
        async with transaction(database.sessionmaker) as session:
            await session.execute(
                update(Agency).where(Agency.seed_key == "city-justice").values(id=older)
            )
            await session.execute(delete(Agency).where(Agency.seed_key == "city-audit"))
    finally:
        await database.engine.dispose()

    assert await _adr("seed") == 0
    agencies, _ = await _seeded_ids(fresh_url)
    assert agencies["city-justice"] == older  # kept: rewriting would break references
    assert agencies["city-audit"] == agency_id("city-audit")  # added: with its stable id
    assert agencies["city-reconciliation-center"] == agency_id("city-reconciliation-center")


async def test_migrate_is_idempotent(fresh_url):
    assert await _adr("migrate") == 0
    assert await _adr("migrate") == 0
    assert (await _counts(fresh_url))["policy_versions"] == 0  # migrating seeds nothing


async def test_api_key_create_prints_a_key_the_api_accepts(fresh_url, capsys):
    await _adr("migrate")
    await _adr("seed")
    capsys.readouterr()
    assert await _adr("api-key", "create", "--role", "supervisor", "--name", "report job") == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("adr_")
    app: Any = create_app(settings_for(fresh_url))
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/api/v1/audit", headers={"X-API-Key": key})
            assert response.status_code == 200, response.text
            # The key was created by the system, and that is on the record.
            [record] = response.json()["items"]
            assert (record["action"], record["actor_sub"]) == ("api_key.create", "system")
            refused = await client.get("/api/v1/api-keys", headers={"X-API-Key": key})
            assert refused.status_code == 403
    finally:
        await app.state.db.engine.dispose()


async def test_api_key_create_with_an_expiry_day(fresh_url, capsys):
    await _adr("migrate")
    capsys.readouterr()
    today = today_shanghai()
    argv = ["api-key", "create", "--role", "supervisor", "--name", "audit export"]
    assert await _adr(*argv, "--expires-on", today.isoformat()) == 0
    key = capsys.readouterr().out.strip()
    database = create_database(settings_for(fresh_url), url=fresh_url)
    try:
        async with database.sessionmaker() as session:
            [row] = (await session.execute(select(ApiKey))).scalars()
    finally:
        await database.engine.dispose()
    assert key.startswith(row.prefix)
    assert row.expires_at == datetime.combine(today + timedelta(days=1), time(), tzinfo=SHANGHAI)
    past = (today - timedelta(days=1)).isoformat()
    assert await _adr(*argv, "--expires-on", past) == 2
    assert "expiry day must be today or later" in capsys.readouterr().err
