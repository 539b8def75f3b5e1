"""Typed settings: the only module that reads the environment.

Every variable is prefixed ``ADR_`` and may also come from a ``.env`` file. Secrets have
development defaults so that ``make run`` works with no configuration, and those defaults
are refused when ``ADR_ENV`` is anything but ``development``.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development-only secrets: public knowledge, so they must never protect real data.
_DEV_JWT_SECRET = "dev-only-jwt-secret-do-not-use-in-production-0000"  # noqa: S105
_DEV_PII_KEY = base64.urlsafe_b64encode(b"dev-only-pii-key-not-for-prod-00").decode()
_DEV_PII_HASH_KEY = "dev-only-pii-hash-key-not-for-production"

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./adr.db"
MIB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ADR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_SQLITE_URL
    db_pool_size: int = Field(10, ge=1, le=200)
    db_max_overflow: int = Field(10, ge=0, le=200)
    db_pool_timeout_s: float = Field(10.0, gt=0)
    # A streaming replica for statistics and exports (SPEC 5). When unset, or when it does
    # not answer within the connect timeout, they read from the primary.
    database_replica_url: str | None = None
    replica_connect_timeout_s: float = Field(1.0, gt=0, le=30)
    # After a failed connection the replica is left alone this long (no connect timeout paid
    # by every report request while it is down).
    replica_retry_after_s: float = Field(15.0, ge=0)

    jwt_secret: SecretStr | None = SecretStr(_DEV_JWT_SECRET)
    # PEM public key for RS256/ES256 tokens; when set, asymmetric algorithms are accepted.
    jwt_public_key: str | None = None
    jwt_issuer: str = "adr"
    jwt_audience: str = "adr-api"
    jwt_leeway_s: int = Field(30, ge=0, le=300)

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
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite://… or postgresql+asyncpg://…")
        return value

    @field_validator("database_replica_url")
    @classmethod
    def _replica_driver(cls, value: str | None) -> str | None:
        if value and not value.startswith("postgresql+asyncpg://"):
            raise ValueError("a replica is PostgreSQL: use postgresql+asyncpg://…")
        return value or None

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.env == "development":
            return self
        unsafe = []
        if self.jwt_secret is not None and self.jwt_secret.get_secret_value() == _DEV_JWT_SECRET:
            unsafe.append("ADR_JWT_SECRET")
        if any(k.get_secret_value() == _DEV_PII_KEY for k in self.pii_keys.values()):
            unsafe.append("ADR_PII_KEYS")
        if self.pii_hash_key.get_secret_value() == _DEV_PII_HASH_KEY:
            unsafe.append("ADR_PII_HASH_KEY")
        if unsafe:
            raise ValueError(
                f"ADR_ENV={self.env} refuses the development defaults of: {', '.join(unsafe)}"
            )
        if self.jwt_secret is not None and len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("ADR_JWT_SECRET must be at least 32 characters")
        return self

    @model_validator(mode="after")
    def _active_pii_key_exists(self) -> Settings:
        if self.pii_active_key_id not in self.pii_keys:
            raise ValueError("ADR_PII_ACTIVE_KEY_ID must name a key in ADR_PII_KEYS")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
