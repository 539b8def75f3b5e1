"""Bearer tokens (SPEC 4.1): HS256 with the shared secret, RS256/ES256 with a configured public
key, algorithms pinned per key so a token cannot pick how it is checked."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from app.db.session import Database
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.conftest import CLIENT_ADDRESS
from tests.support.databases import TEST_SECRETS
from tests.support.problems import assert_problem
from tests.support.tokens import bearer, claims, hs256_with_raw_secret, sign

ME = "/api/v1/api-keys"  # admin only: a 200 proves the role came through


def _public_pem(private_key: Any) -> str:
    pem: bytes = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


ClientFactory = Callable[..., Any]


@pytest.fixture
async def client_with(db: Database, settings: Settings) -> AsyncIterator[ClientFactory]:
    """``await client_with(jwt_public_key=…, jwt_secret=…)`` → a client on an app built with
    those settings (on the test's database)."""
    clients: list[httpx.AsyncClient] = []

    async def make(**overrides: Any) -> httpx.AsyncClient:
        values: dict[str, Any] = {
            "env": "test",
            "database_url": settings.database_url,
            "log_json": True,
            **TEST_SECRETS,
            **overrides,
        }
        app = create_app(Settings(_env_file=None, **values), database=db)
        transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def test_rs256_token_is_verified_with_the_configured_public_key(
    client_with, settings, rsa_key
):
    client = await client_with(jwt_public_key=_public_pem(rsa_key))
    response = await client.get(ME, headers=bearer(sign(claims(settings), rsa_key, "RS256")))
    assert response.status_code == 200, response.text


async def test_es256_token_is_verified_with_the_configured_public_key(
    client_with, settings, ec_key
):
    client = await client_with(jwt_public_key=_public_pem(ec_key))
    response = await client.get(ME, headers=bearer(sign(claims(settings), ec_key, "ES256")))
    assert response.status_code == 200, response.text


async def test_asymmetric_token_signed_by_another_key_is_refused(client_with, settings, rsa_key):
    client = await client_with(jwt_public_key=_public_pem(rsa_key))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = await client.get(ME, headers=bearer(sign(claims(settings), stranger, "RS256")))
    assert_problem(response, 401, "invalid_token")


async def test_rs256_token_is_refused_when_only_an_ec_key_is_configured(
    client_with, settings, rsa_key, ec_key
):
    client = await client_with(jwt_public_key=_public_pem(ec_key))
    response = await client.get(ME, headers=bearer(sign(claims(settings), rsa_key, "RS256")))
    assert_problem(response, 401, "invalid_token")


async def test_rs256_token_is_refused_when_no_public_key_is_configured(client, settings, rsa_key):
    response = await client.get(ME, headers=bearer(sign(claims(settings), rsa_key, "RS256")))
    assert_problem(response, 401, "invalid_token")


async def test_asymmetric_claims_are_checked_too(client_with, settings, rsa_key):
    client = await client_with(jwt_public_key=_public_pem(rsa_key))
    for bad in (
        claims(settings, aud="other"),
        claims(settings, iss="other"),
        claims(settings, exp=1),
    ):
        response = await client.get(ME, headers=bearer(sign(bad, rsa_key, "RS256")))
        assert_problem(response, 401)


async def test_algorithm_confusion_hs256_signed_with_the_public_key_is_refused(
    client_with, settings, rsa_key
):
    # The classic attack: the public key is public, so sign HS256 with its PEM as the secret
    # and hope the server verifies with "the key" whatever the algorithm says.
    public_pem = _public_pem(rsa_key)
    client = await client_with(jwt_public_key=public_pem)
    forged = hs256_with_raw_secret(claims(settings), public_pem.encode())
    assert_problem(await client.get(ME, headers=bearer(forged)), 401, "invalid_token")


async def test_hs256_is_refused_when_no_secret_is_configured(client_with, settings, rsa_key):
    public_pem = _public_pem(rsa_key)
    client = await client_with(jwt_public_key=public_pem, jwt_secret=None)
    for token in (
        hs256_with_raw_secret(claims(settings), public_pem.encode()),
        hs256_with_raw_secret(claims(settings), b""),
        sign(claims(settings), TEST_SECRETS["jwt_secret"], "HS256"),
    ):
        assert_problem(await client.get(ME, headers=bearer(token)), 401, "invalid_token")
    # …while the asymmetric tokens still work.
    good = sign(claims(settings), rsa_key, "RS256")
    assert (await client.get(ME, headers=bearer(good))).status_code == 200


# Signed with the real secret: refused for the algorithm, not for the key (whose length
# PyJWT rightly thinks short for SHA-384/512).
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("algorithm", ["HS384", "HS512", "PS256", "RS512"])
async def test_algorithms_other_than_the_pinned_ones_are_refused(
    client_with, settings, rsa_key, algorithm
):
    client = await client_with(jwt_public_key=_public_pem(rsa_key))
    key: Any = rsa_key if algorithm.startswith(("PS", "RS")) else TEST_SECRETS["jwt_secret"]
    token = sign(claims(settings), key, algorithm)
    assert_problem(await client.get(ME, headers=bearer(token)), 401, "invalid_token")


async def test_configured_issuer_and_audience_are_the_ones_checked(client_with, settings):
    client = await client_with(jwt_issuer="city-idp", jwt_audience="adr-prod")
    secret = TEST_SECRETS["jwt_secret"]
    ours = sign(claims(settings, iss="city-idp", aud="adr-prod"), secret, "HS256")
    assert (await client.get(ME, headers=bearer(ours))).status_code == 200
    defaults = sign(claims(settings), secret, "HS256")  # iss "adr", aud "adr-api"
    assert_problem(await client.get(ME, headers=bearer(defaults)), 401, "invalid_token")


async def test_a_token_expired_within_the_leeway_is_still_accepted(client, settings):
    recent = int(time.time()) - 5  # the default leeway is 30 s, for clock skew
    token = sign(claims(settings, exp=recent), TEST_SECRETS["jwt_secret"], "HS256")
    assert (await client.get(ME, headers=bearer(token))).status_code == 200


# --- role claims ----------------------------------------------------------------------------


async def test_agency_officer_token_without_agency_id_is_refused(client, settings):
    token = sign(claims(settings, role="agency_officer"), TEST_SECRETS["jwt_secret"], "HS256")
    body = assert_problem(await client.get("/api/v1/policy", headers=bearer(token)), 401)
    assert body["code"] == "invalid_token"
    assert "agency_id" in body["detail"]


async def test_lawyer_token_without_lawyer_id_is_refused(client, settings):
    token = sign(claims(settings, role="lawyer"), TEST_SECRETS["jwt_secret"], "HS256")
    assert_problem(await client.get("/api/v1/policy", headers=bearer(token)), 401, "invalid_token")


async def test_agency_id_that_is_not_a_uuid_is_refused(client, settings):
    token = sign(
        claims(settings, role="agency_officer", agency_id="county-office"),
        TEST_SECRETS["jwt_secret"],
        "HS256",
    )
    assert_problem(await client.get("/api/v1/policy", headers=bearer(token)), 401, "invalid_token")


async def test_agency_officer_with_agency_id_is_accepted(client, auth):
    headers = auth(Role.AGENCY_OFFICER, agency_id=uuid.uuid4())
    assert (await client.get("/api/v1/policy", headers=headers)).status_code == 200


@pytest.mark.parametrize("scheme", ["Basic", "Token", "bearer-ish"])
async def test_other_authorization_schemes_are_401(client, auth, scheme):
    token = auth(Role.ADMIN)["Authorization"].split()[1]
    response = await client.get(ME, headers={"Authorization": f"{scheme} {token}"})
    assert_problem(response, 401)
