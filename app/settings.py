"""Typed settings: the only module that reads the environment.

Every variable is prefixed ``ADR_`` and may also come from a ``.env`` file. Secrets have
development defaults so that ``make run`` works with no configuration, and those defaults
are accepted only where they cannot protect real data (SPEC 4.1): in development mode, on
the embedded SQLite file, served on a loopback address (the address is checked by ``adr
serve``, see ``unsafe_for_host``). PostgreSQL, ``ADR_ENV`` other than development, or a
non-loopback address with a development secret refuses to start and names the settings to
set; SQLite is refused in production.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development-only secrets: public knowledge, so they must never protect real data.
_DEV_JWT_SECRET = "dev-only-jwt-secret-do-not-use-in-production-0000"  # noqa: S105
_DEV_PII_KEY = base64.urlsafe_b64encode(b"dev-only-pii-key-not-for-prod-00").decode()
_DEV_PII_HASH_KEY = "dev-only-pii-hash-key-not-for-production"
_DEV_AUDIT_KEY = "dev-only-audit-chain-key-not-for-production-0000"
_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./adr.db"
MIB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ADR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_SQLITE_URL
    # Least privilege (SPEC 4.4): migrations run as the owner of the tables; the service
    # connects as ADR_DATABASE_URL's role, which `adr migrate` grants row privileges only.
    migration_database_url: str | None = None
    # "transaction": the service sits behind PgBouncer in transaction pooling (SPEC 5), so
    # no prepared statement may outlive its transaction (see app/db/session.py).
    database_pooler: Literal["none", "transaction"] = "none"
    # Connections per process: kept open up to db_pool_size. SQLAlchemy closes an overflow
    # connection as soon as it is returned, so a load that keeps more requests in flight
    # than the pool holds opened and closed a PostgreSQL backend for nearly every request
    # (measured at 64 connections on 2 workers: 239 new sessions in 5 s, reads at 695 rps
    # instead of 1,299; docs/performance.md, "v6"). The default holds the same 20 as
    # 10 + 10 overflow did, but keeps them; a request beyond them waits its turn
    # (db_pool_timeout_s, then 503). Mind max_connections: processes x pool size.
    db_pool_size: int = Field(20, ge=1, le=200)
    db_max_overflow: int = Field(0, ge=0, le=200)
    db_pool_timeout_s: float = Field(10.0, gt=0)
    # A streaming replica for statistics and exports (SPEC 5). When unset, or when it does
    # not answer within the connect timeout, they read from the primary.
    database_replica_url: str | None = None
    replica_connect_timeout_s: float = Field(1.0, gt=0, le=30)
    # After a failed connection the replica is left alone this long (no connect timeout paid
    # by every report request while it is down).
    replica_retry_after_s: float = Field(15.0, ge=0)

    # The HS256 secret. Unset: the development secret in development mode when no public
    # key is configured either; otherwise HS256 tokens are not accepted at all (an
    # RS256/ES256-only deployment needs no secret).
    jwt_secret: SecretStr | None = None
    # PEM public key for RS256/ES256 tokens; when set, asymmetric algorithms are accepted.
    jwt_public_key: str | None = None
    jwt_issuer: str = "adr"
    jwt_audience: str = "adr-api"
    jwt_leeway_s: int = Field(30, ge=0, le=300)
    # A token issued (``iat``) longer ago than this is refused, whatever its ``exp`` says.
    jwt_max_age_s: int = Field(43200, ge=60, le=30 * 86400)

    # The key of the audit chain's HMAC-SHA256 (SPEC 4.4); never stored in the database.
    audit_key: SecretStr = Field(SecretStr(_DEV_AUDIT_KEY), min_length=32)

    # Requests per minute per caller (SPEC 3); reports and exports have their own budget.
    rate_limit_per_minute: int = Field(1200, ge=1)
    report_rate_limit_per_minute: int = Field(60, ge=1)
    # Budgets shared by every process through Redis when set (redis://host:port/db);
    # counted per process otherwise.
    redis_url: str | None = None
    rate_limit_key_prefix: str = Field("adr-rate", min_length=1, max_length=100)

    # Every statement of a request is bounded (PostgreSQL's statement_timeout).
    statement_timeout_ms: int = Field(5000, ge=1, le=3_600_000)
    report_statement_timeout_ms: int = Field(30000, ge=1, le=3_600_000)

    # Field encryption keys for personal data: {"key id": "urlsafe base64 of 32 bytes"}.
    # New values are written with ``pii_active_key_id``; older ids stay readable.
    pii_keys: dict[str, SecretStr] = {"dev1": SecretStr(_DEV_PII_KEY)}
    pii_active_key_id: str = "dev1"
    pii_hash_key: SecretStr = SecretStr(_DEV_PII_HASH_KEY)

    max_body_bytes: int = Field(MIB, ge=1024)
    # Seconds between sweeps for expired offers and idempotency keys; 0 switches it off.
    sweep_interval_s: float = Field(60.0, ge=0)
    # Seconds between runs of the audit sealer, which chains new audit records; 0: off.
    audit_seal_interval_s: float = Field(1.0, ge=0)
    # Seconds between runs of the statistics' compactor (PostgreSQL), which folds the
    # rollups' deltas into their cells; 0: off (reports stay exact, only slower).
    statistics_compact_interval_s: float = Field(2.0, ge=0)
    # Seconds between runs of the event relay, which gives committed events their place in
    # the feed (the feed also runs it before reading); 0: off.
    event_relay_interval_s: float = Field(1.0, ge=0)
    # Seconds between rounds of webhook delivery in each API process; 0: off (then run
    # ``adr worker``).
    webhook_interval_s: float = Field(1.0, ge=0)
    # When set, webhooks are delivered only to addresses inside these networks (CIDRs,
    # e.g. ["10.0.0.0/8"]). Link-local and cloud-metadata addresses are refused always.
    webhook_allowed_networks: list[IPvAnyNetwork] = []
    webhook_timeout_s: float = Field(10.0, gt=0, le=60)
    log_level: str = "INFO"
    log_json: bool = True
    # Where each worker process writes its metrics for /metrics to add up; unset with one
    # process. Named as prometheus_client names it (it reads the variable itself), without
    # the prefix; ``adr serve --workers N`` sets it when it is unset.
    prometheus_multiproc_dir: str | None = Field(None, validation_alias="PROMETHEUS_MULTIPROC_DIR")

    @field_validator("database_url", "migration_database_url")
    @classmethod
    def _known_driver(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(
            ("sqlite+aiosqlite://", "postgresql+asyncpg://")
        ):
            raise ValueError("use sqlite+aiosqlite://… or postgresql+asyncpg://…")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://")):
            raise ValueError("use redis://host:port[/db] or rediss://…")
        return value or None

    @field_validator("database_replica_url")
    @classmethod
    def _replica_driver(cls, value: str | None) -> str | None:
        if value and not value.startswith("postgresql+asyncpg://"):
            raise ValueError("a replica is PostgreSQL: use postgresql+asyncpg://…")
        return value or None

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.env == "development" and self.jwt_secret is None and not self.jwt_public_key:
            self.jwt_secret = SecretStr(_DEV_JWT_SECRET)
        refusals = []
        if self.env == "production" and self.is_sqlite:
            refusals.append(
                "ADR_ENV=production refuses the embedded SQLite file: set ADR_DATABASE_URL "
                "to postgresql+asyncpg://…"
            )
        missing = self.development_secrets_in_use()
        if self.jwt_secret is None and not self.jwt_public_key:
            missing.insert(0, "ADR_JWT_SECRET (or ADR_JWT_PUBLIC_KEY)")
        if missing and (self.env != "development" or not self.is_sqlite):
            where = f"ADR_ENV={self.env}" if self.env != "development" else "PostgreSQL"
            refusals.append(
                f"{where} refuses the development defaults: set {', '.join(missing)} "
                "(development secrets work only on the embedded SQLite file on a loopback "
                "address)"
            )
        if self.jwt_secret is not None and len(self.jwt_secret.get_secret_value()) < 32:
            refusals.append("ADR_JWT_SECRET must be at least 32 characters")
        if refusals:
            raise ValueError("; ".join(refusals))
        return self

    def development_secrets_in_use(self) -> list[str]:
        """The settings still at their published development value, by variable name."""
        unsafe = []
        if self.jwt_secret is not None and self.jwt_secret.get_secret_value() == _DEV_JWT_SECRET:
            unsafe.append("ADR_JWT_SECRET")
        if any(k.get_secret_value() == _DEV_PII_KEY for k in self.pii_keys.values()):
            unsafe.append("ADR_PII_KEYS")
        if self.pii_hash_key.get_secret_value() == _DEV_PII_HASH_KEY:
            unsafe.append("ADR_PII_HASH_KEY")
        if self.audit_key.get_secret_value() == _DEV_AUDIT_KEY:
            unsafe.append("ADR_AUDIT_KEY")
        return unsafe

    def unsafe_for_host(self, host: str) -> str | None:
        """Why serving on ``host`` is refused (development secrets off loopback), or None."""
        unsafe = self.development_secrets_in_use()
        if unsafe and host not in _LOOPBACK_HOSTS:
            return (
                f"serving on {host} refuses the development defaults: set "
                f"{', '.join(unsafe)} (they work only on a loopback address)"
            )
        return None

    @model_validator(mode="after")
    def _active_pii_key_exists(self) -> Settings:
        if self.pii_active_key_id not in self.pii_keys:
            raise ValueError("ADR_PII_ACTIVE_KEY_ID must name a key in ADR_PII_KEYS")
        return self

    @property
    def audit_key_bytes(self) -> bytes:
        return self.audit_key.get_secret_value().encode()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def migration_url(self) -> str:
        """Where migrations run: the owner's connection, by default the service's own."""
        return self.migration_database_url or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
