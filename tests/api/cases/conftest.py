"""Headers and seeded agencies the case tests start from.

Cases are taken in by the intake agency ``intake`` (an administrative organ's legal office)
against the respondent ``respondent``; ``bystander`` is a third administrative organ whose
officer sees neither.
"""

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.states.codes import Role
from tests.support.factories import agencies_of_kind

Headers = dict[str, str]


@pytest.fixture
def admin(auth) -> Headers:
    headers: Headers = auth(Role.ADMIN, sub="admin-zhao")
    return headers


@pytest.fixture
def coordinator(auth) -> Headers:
    headers: Headers = auth(Role.CENTER_COORDINATOR, sub="center-li")
    return headers


@pytest.fixture
def supervisor(auth) -> Headers:
    headers: Headers = auth(Role.SUPERVISOR, sub="bureau-wang")
    return headers


@pytest.fixture
async def organs(client, admin) -> list[dict[str, Any]]:
    """The seeded administrative organs (at least three)."""
    found = await agencies_of_kind(client, admin, "administrative_organ")
    assert len(found) >= 3
    return found


@pytest.fixture
def intake(organs) -> str:
    return str(organs[0]["id"])


@pytest.fixture
def respondent(organs) -> str:
    return str(organs[1]["id"])


@pytest.fixture
def bystander(organs) -> str:
    return str(organs[2]["id"])


@pytest.fixture
async def center(client, admin) -> str:
    """The reconciliation center (not an administrative organ)."""
    return str((await agencies_of_kind(client, admin, "reconciliation_center"))[0]["id"])


@pytest.fixture
async def justice_bureau(client, admin) -> str:
    return str((await agencies_of_kind(client, admin, "judicial_bureau"))[0]["id"])


@pytest.fixture
def officer_of(auth) -> Callable[[str], Headers]:
    """Headers of the legal officer of an agency."""

    def headers(agency_id: str) -> Headers:
        made: Headers = auth(
            Role.AGENCY_OFFICER, sub=f"officer-{agency_id[:8]}", agency_id=uuid.UUID(agency_id)
        )
        return made

    return headers
