"""A small world for activities: two agencies with a lawyer each, the seeded center, and
headers for everyone who records, confirms or reads."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from app.clock import today_shanghai
from app.domain.reference.ids import agency_id
from app.states.codes import Role
from tests.support.factories import API, create_agency, create_lawyer

ACTIVITIES = f"{API}/activities"
CENTER_ID = str(agency_id("city-reconciliation-center"))


def yesterday() -> str:
    return (today_shanghai() - timedelta(days=1)).isoformat()


def activity_body(lawyer_ids: list[str], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "law_lecture",
        "occurred_on": yesterday(),
        "lawyer_ids": lawyer_ids,
        "title": "为镇街干部讲授行政复议法",
        "participants": 40,
    }
    body.update(overrides)
    return body


class World:
    def __init__(self, client: Any, auth: Any) -> None:
        self.client, self.auth = client, auth
        self.admin = auth(Role.ADMIN)
        self.supervisor = auth(Role.SUPERVISOR, sub="bureau-wang")
        self.coordinator = auth(Role.CENTER_COORDINATOR, sub="center-li")

    async def build(self) -> World:
        self.agency = await create_agency(self.client, self.admin)
        self.other_agency = await create_agency(
            self.client, self.admin, level="county", region_code="371521"
        )
        self.lawyer = await create_lawyer(self.client, self.admin, self.agency["id"])
        self.colleague = await create_lawyer(self.client, self.admin, self.agency["id"])
        self.other_lawyer = await create_lawyer(self.client, self.admin, self.other_agency["id"])
        self.officer = self.officer_of(self.agency)
        self.other_officer = self.officer_of(self.other_agency)
        return self

    def officer_of(self, agency: dict[str, Any]) -> dict[str, str]:
        made: dict[str, str] = self.auth(
            Role.AGENCY_OFFICER,
            sub=f"officer-{agency['id'][:6]}",
            agency_id=uuid.UUID(agency["id"]),
        )
        return made

    def as_lawyer(self, lawyer: dict[str, Any]) -> dict[str, str]:
        made: dict[str, str] = self.auth(
            Role.LAWYER, sub=f"lawyer-{lawyer['id'][:8]}", lawyer_id=uuid.UUID(lawyer["id"])
        )
        return made

    async def record(self, headers: dict[str, str], **overrides: Any) -> Any:
        lawyer_ids = overrides.pop("lawyer_ids", [self.lawyer["id"]])
        return await self.client.post(
            ACTIVITIES, json=activity_body(lawyer_ids, **overrides), headers=headers
        )

    async def submitted(self, **overrides: Any) -> dict[str, Any]:
        """A record the lawyer made of their own work, waiting for their agency."""
        response = await self.record(self.as_lawyer(self.lawyer), **overrides)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def act(
        self, headers: dict[str, str], activity: dict[str, Any], action: str, **body: Any
    ) -> Any:
        return await self.client.post(
            f"{ACTIVITIES}/{activity['id']}/{action}", json=body or None, headers=headers
        )


@pytest.fixture
async def world(client: Any, auth: Any) -> World:
    return await World(client, auth).build()
