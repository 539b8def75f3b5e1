"""Hand-made JWTs for the authentication tests: valid ones and every kind of bad one."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import orjson

from app.settings import Settings


def claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Claims the service accepts, changed by ``overrides`` (``None`` removes a claim)."""
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "sub": "token-test",
        "role": "admin",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=10)).timestamp()),
    }
    for name, value in overrides.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


def sign(payload: dict[str, Any], key: Any, algorithm: str) -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_with_raw_secret(payload: dict[str, Any], secret: bytes) -> str:
    """HS256 built by hand: PyJWT refuses a PEM key as an HMAC secret, an attacker does not."""
    signing_input = ".".join(
        [
            _b64(orjson.dumps({"alg": "HS256", "typ": "JWT"})),
            _b64(orjson.dumps(payload)),
        ]
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def unsigned(payload: dict[str, Any]) -> str:
    """``alg: none``: no signature at all."""
    header = _b64(orjson.dumps({"alg": "none", "typ": "JWT"}))
    return f"{header}.{_b64(orjson.dumps(payload))}."


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
