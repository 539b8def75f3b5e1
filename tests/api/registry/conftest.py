"""Agencies and headers most registry and pool tests start from."""

import uuid
from typing import Any

import pytest

from app.states.codes import Role
from tests.support.factories import create_agency


@pytest.fixture
def admin(auth):
    return auth(Role.ADMIN)


@pytest.fixture
def supervisor(auth):
    return auth(Role.SUPERVISOR, sub="bureau-wang")


@pytest.fixture
def coordinator(auth):
    return auth(Role.CENTER_COORDINATOR, sub="center-li")


@pytest.fixture
async def agency(client, admin):
    """A city-level administrative organ, natural resources."""
    return await create_agency(client, admin, business_system="natural_resources")


@pytest.fixture
async def other_agency(client, admin):
    return await create_agency(
        client, admin, level="county", region_code="371521", business_system="market_regulation"
    )


@pytest.fixture
def officer(auth, agency):
    """The legal office of ``agency``."""
    return auth(Role.AGENCY_OFFICER, sub="officer-a", agency_id=uuid.UUID(agency["id"]))


@pytest.fixture
def other_officer(auth, other_agency):
    return auth(Role.AGENCY_OFFICER, sub="officer-b", agency_id=uuid.UUID(other_agency["id"]))


@pytest.fixture
def as_lawyer(auth):
    """Headers of the public lawyer with this id."""

    def headers(lawyer: dict[str, Any]) -> dict[str, str]:
        made: dict[str, str] = auth(
            Role.LAWYER, sub=f"lawyer-{lawyer['id'][:8]}", lawyer_id=uuid.UUID(lawyer["id"])
        )
        return made

    return headers
