"""JWT bearer tokens issued by the city's identity provider (SPEC 4.1).

Algorithms are pinned per key: an HS256 token is only ever checked against the shared
secret, an RS256/ES256 token only against the configured public key, so a token cannot
choose its own verification (the classic algorithm-confusion attack).
"""

from __future__ import annotations

import functools
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from app.domain.auth.actor import Actor
from app.errors import Unauthorized
from app.settings import Settings
from app.states.codes import Role

ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
# The longest ``sub`` the service records (actor columns are 200 characters): a longer one
# is a bad credential, refused before anything tries to store it.
MAX_SUB_LENGTH = 200


def _uuid_claim(claims: dict[str, Any], name: str) -> uuid.UUID | None:
    value = claims.get(name)
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Unauthorized(f"claim {name!r} is not a UUID", code="invalid_token") from None


def actor_from_token(token: str, settings: Settings) -> Actor:
    """Verify a bearer token and return the actor it names, or raise 401 ``invalid_token``."""
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    actor, issued, expires = _verified(
        token,
        secret,
        settings.jwt_public_key,
        settings.jwt_audience,
        settings.jwt_issuer,
        settings.jwt_leeway_s,
    )
    # A verified token is remembered, but its expiry and age are checked on every use.
    now = time.time()
    if now > expires + settings.jwt_leeway_s:
        raise Unauthorized("the token has expired", code="token_expired")
    if now > issued + settings.jwt_max_age_s + settings.jwt_leeway_s:
        raise Unauthorized(
            f"the token was issued more than {settings.jwt_max_age_s} s ago; sign in again",
            code="token_expired",
        )
    return actor


# A client sends the same token with every request for hours; checking its signature and
# claims once (the result depends only on the token and the verification settings) saves
# ~0.3 ms per request. Failures are not cached (exceptions never are).
@functools.lru_cache(maxsize=4096)
def _verified(
    token: str,
    secret: str | None,
    public_key: str | None,
    audience: str,
    issuer: str,
    leeway_s: int,
) -> tuple[Actor, float, float]:
    try:
        algorithm = jwt.get_unverified_header(token).get("alg", "")
        if algorithm == "HS256" and secret is not None:
            key: Any = secret
        elif algorithm in ASYMMETRIC_ALGORITHMS and public_key:
            key = public_key
        else:
            raise Unauthorized(
                f"tokens signed with {algorithm!r} are not accepted", code="invalid_token"
            )
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            leeway=leeway_s,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired", code="token_expired") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"the token is not valid: {exc}", code="invalid_token") from None
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub or len(sub) > MAX_SUB_LENGTH:
        raise Unauthorized(
            f"claim 'sub' must be text of 1..{MAX_SUB_LENGTH} characters", code="invalid_token"
        )
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise Unauthorized("the token carries no known role", code="invalid_token") from None
    actor = Actor(
        sub=sub,
        role=role,
        agency_id=_uuid_claim(claims, "agency_id"),
        lawyer_id=_uuid_claim(claims, "lawyer_id"),
    )
    ensure_role_claims(actor)
    return actor, float(claims["iat"]), float(claims["exp"])


def ensure_role_claims(actor: Actor) -> None:
    """An agency officer acts for an agency and a lawyer is a lawyer: without the id the
    object-level rules could not be applied, so such a credential is refused outright."""
    if actor.role is Role.AGENCY_OFFICER and actor.agency_id is None:
        raise Unauthorized("an agency_officer credential needs agency_id", code="invalid_token")
    if actor.role is Role.LAWYER and actor.lawyer_id is None:
        raise Unauthorized("a lawyer credential needs lawyer_id", code="invalid_token")


def mint_token(
    settings: Settings,
    *,
    sub: str,
    role: Role,
    agency_id: uuid.UUID | None = None,
    lawyer_id: uuid.UUID | None = None,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    """A development token signed with the HS256 secret (``adr token``, tests)."""
    if settings.jwt_secret is None:
        raise RuntimeError("ADR_JWT_SECRET is not set: cannot mint HS256 tokens")
    # Tokens live on the wall clock: PyJWT checks them against it, not against app.clock.
    issued = now or datetime.now(UTC)  # noqa: TID251
    claims: dict[str, Any] = {
        "sub": sub,
        "role": role.value,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": issued + ttl,
    }
    if agency_id is not None:
        claims["agency_id"] = str(agency_id)
    if lawyer_id is not None:
        claims["lawyer_id"] = str(lawyer_id)
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
