"""Settings (SPEC 4.1, 5): typed, from ``ADR_`` variables; the public development secrets
work only in development on the embedded SQLite file (served on loopback, checked by ``adr
serve``): PostgreSQL, another ADR_ENV or another address refuses to start and names the
settings to set; SQLite is refused in production."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from pydantic import ValidationError

from app.settings import Settings

REAL: dict[str, Any] = {
    "jwt_secret": "a-real-secret-of-sufficient-length-0123456789",
    "pii_keys": {"2026": base64.urlsafe_b64encode(b"r" * 32).decode()},
    "pii_active_key_id": "2026",
    "pii_hash_key": "a-real-hash-key-of-sufficient-length",
    "audit_key": "a-real-audit-chain-key-of-sufficient-length",
}
POSTGRES = "postgresql+asyncpg://adr@db:5432/adr"
SECRET_NAMES = ("ADR_JWT_SECRET", "ADR_PII_KEYS", "ADR_PII_HASH_KEY", "ADR_AUDIT_KEY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ADR_"):
            monkeypatch.delenv(name)


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_development_runs_on_the_development_defaults():
    settings = _settings()
    assert settings.env == "development"
    assert settings.database_url.startswith("sqlite+aiosqlite://")
    assert settings.jwt_secret is not None


@pytest.mark.parametrize("env", ["production", "test"])
def test_outside_development_every_default_secret_is_refused_by_name(env):
    with pytest.raises(ValidationError) as raised:
        _settings(env=env, database_url=POSTGRES)
    message = str(raised.value)
    for name in SECRET_NAMES:
        assert name in message


def test_development_on_postgresql_refuses_the_development_secrets_by_name():
    with pytest.raises(ValidationError) as raised:
        _settings(database_url=POSTGRES)
    message = str(raised.value)
    assert "PostgreSQL" in message
    for name in SECRET_NAMES:
        assert name in message


def test_development_on_postgresql_with_real_keys_is_accepted():
    settings = _settings(database_url=POSTGRES, **REAL)
    assert settings.development_secrets_in_use() == []


@pytest.mark.parametrize("left_default", ["jwt_secret", "pii_keys", "pii_hash_key", "audit_key"])
def test_each_default_secret_is_refused_on_its_own(left_default):
    values = {k: v for k, v in REAL.items() if k != left_default}
    if left_default == "pii_keys":
        values.pop("pii_active_key_id")
    with pytest.raises(ValidationError) as raised:
        _settings(env="production", database_url=POSTGRES, **values)
    expected = {
        "jwt_secret": "ADR_JWT_SECRET",
        "pii_keys": "ADR_PII_KEYS",
        "pii_hash_key": "ADR_PII_HASH_KEY",
        "audit_key": "ADR_AUDIT_KEY",
    }[left_default]
    assert expected in str(raised.value)
    others = set(SECRET_NAMES) - {expected}
    assert not any(other in str(raised.value) for other in others)


def test_production_with_real_secrets_is_accepted():
    settings = _settings(env="production", database_url=POSTGRES, **REAL)
    assert settings.env == "production"


def test_production_refuses_the_embedded_sqlite_file():
    with pytest.raises(ValidationError, match="refuses the embedded SQLite file"):
        _settings(env="production", **REAL)


def test_a_short_audit_key_is_refused():
    with pytest.raises(ValidationError, match="audit_key"):
        _settings(env="production", database_url=POSTGRES, **{**REAL, "audit_key": "short"})


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_development_secrets_may_be_served_on_loopback(host):
    assert _settings().unsafe_for_host(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20"])  # noqa: S104
def test_development_secrets_are_refused_on_any_other_address(host):
    refusal = _settings().unsafe_for_host(host)
    assert refusal is not None
    for name in SECRET_NAMES:
        assert name in refusal
    assert _settings(**REAL).unsafe_for_host(host) is None


def test_production_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ADR_ENV", "production")
    monkeypatch.setenv("ADR_DATABASE_URL", "postgresql+asyncpg://adr@db:5432/adr")
    with pytest.raises(ValidationError, match="ADR_JWT_SECRET"):
        Settings(_env_file=None)
    monkeypatch.setenv("ADR_JWT_SECRET", REAL["jwt_secret"])
    monkeypatch.setenv("ADR_PII_KEYS", json.dumps(REAL["pii_keys"]))
    monkeypatch.setenv("ADR_PII_ACTIVE_KEY_ID", "2026")
    monkeypatch.setenv("ADR_PII_HASH_KEY", REAL["pii_hash_key"])
    monkeypatch.setenv("ADR_AUDIT_KEY", REAL["audit_key"])
    settings = Settings(_env_file=None)
    assert settings.env == "production"
    assert settings.database_url == "postgresql+asyncpg://adr@db:5432/adr"
    assert settings.pii_keys["2026"].get_secret_value() == REAL["pii_keys"]["2026"]


def test_a_short_jwt_secret_is_refused():
    with pytest.raises(ValidationError, match="at least 32 characters"):
        _settings(
            env="production",
            database_url=POSTGRES,
            **{**REAL, "jwt_secret": "short-but-not-default"},
        )


def test_only_a_public_key_is_enough_outside_development():
    settings = _settings(
        env="production",
        database_url=POSTGRES,
        **{**REAL, "jwt_secret": None, "jwt_public_key": "-----BEGIN PUBLIC KEY-----\n…"},
    )
    assert settings.jwt_secret is None


def test_a_public_key_only_development_setup_mints_no_hs256_secret():
    # An RS256/ES256-only deployment needs no HS secret, and gets none by default either.
    settings = _settings(jwt_public_key="-----BEGIN PUBLIC KEY-----\n…")
    assert settings.jwt_secret is None


def test_neither_secret_nor_public_key_is_refused_outside_development():
    values = {k: v for k, v in REAL.items() if k != "jwt_secret"}
    with pytest.raises(ValidationError, match=r"ADR_JWT_SECRET \(or ADR_JWT_PUBLIC_KEY\)"):
        _settings(env="production", database_url=POSTGRES, **values)


@pytest.mark.parametrize(
    "url",
    [
        "mysql+aiomysql://adr@db/adr",
        "postgresql://adr@db/adr",  # the sync driver would block the event loop
        "sqlite:///./adr.db",
        "postgresql+psycopg2://adr@db/adr",
        "",
    ],
)
def test_an_unknown_database_driver_is_refused(url):
    with pytest.raises(ValidationError, match="database_url"):
        _settings(database_url=url)


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///./adr.db", "postgresql+asyncpg://adr:pw@db:5432/adr"]
)
def test_the_two_supported_drivers_are_accepted(url):
    assert _settings(database_url=url, **REAL).database_url == url


def test_the_active_pii_key_must_exist():
    with pytest.raises(ValidationError, match="ADR_PII_ACTIVE_KEY_ID"):
        _settings(env="production", database_url=POSTGRES, **{**REAL, "pii_active_key_id": "2027"})


@pytest.mark.parametrize(
    ("name", "value"),
    [("max_body_bytes", 10), ("db_pool_size", 0), ("jwt_leeway_s", 3600), ("env", "staging")],
)
def test_out_of_range_values_are_refused(name, value):
    with pytest.raises(ValidationError, match=name):
        _settings(**{name: value})


def test_the_body_limit_defaults_to_one_mib():
    assert _settings().max_body_bytes == 1024 * 1024
