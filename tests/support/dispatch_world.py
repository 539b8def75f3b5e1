"""A small world for dispatch and outcome tests (SPEC 2.7, 2.8), built through the HTTP API:
agencies, public lawyers approved into this year's pool, classified cases, offers and answers.

Every lawyer gets an agency of their own by default (the pool quota is per agency), so a test
controls exactly who is in the pool; the test's transaction is rolled back afterwards, so the
world starts empty each time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import httpx

from app.states.codes import Role
from tests.support.factories import (
    API,
    Json,
    audit_records,
    case_body,
    conditions_met,
    create_agency,
    create_case,
    create_lawyer,
    current_year,
    days_ago,
    decide,
    list_all,
    nominated,
    today,
)
from tests.support.factories import (
    classify as classify_case,
)

SYSTEM = "natural_resources"
OTHER_SYSTEM = "housing_construction"
CITY = "371500"
YANGGU = "371521"  # 阳谷县: the respondent's county in ranking tests

Headers = dict[str, str]
TokenFactory = Callable[..., Headers]


def outcome_body(kind: str, **overrides: Any) -> Json:
    """An outcome body with the parts its type needs (SPEC 2.8)."""
    body: Json = {
        "type": kind,
        "concluded_on": today().isoformat(),
        "summary": "经调解，双方达成一致",
    }
    if kind in ("reconciled", "mediated"):
        body["agreement"] = {
            "document_no": "聊和解字〔2026〕1号",
            "performance_due_on": (today() + timedelta(days=30)).isoformat(),
        }
    if kind.startswith("referred_"):
        body["referral"] = {"authority": "聊城市人民政府行政复议办公室", "note": "已告知期限"}
    body.update(overrides)
    return body


def ids(items: Sequence[Json], key: str = "lawyer_id") -> list[str]:
    return [item[key] for item in items]


class DispatchWorld:
    """Helpers over one test's ``client`` and ``auth`` fixtures."""

    def __init__(self, client: httpx.AsyncClient, auth: TokenFactory) -> None:
        self.client = client
        self.auth = auth
        self.admin = auth(Role.ADMIN, sub="admin-1")
        self.coordinator = auth(Role.CENTER_COORDINATOR, sub="coordinator-1")
        self.supervisor = auth(Role.SUPERVISOR, sub="supervisor-1")

    # --- people ----------------------------------------------------------------------------

    def officer(self, agency_id: str) -> Headers:
        return self.auth(
            Role.AGENCY_OFFICER, sub=f"officer-{agency_id}", agency_id=uuid.UUID(agency_id)
        )

    def as_lawyer(self, lawyer: Json | str) -> Headers:
        lawyer_id = lawyer if isinstance(lawyer, str) else lawyer["id"]
        return self.auth(Role.LAWYER, sub=f"lawyer-{lawyer_id}", lawyer_id=uuid.UUID(lawyer_id))

    async def agency(
        self,
        *,
        region_code: str = CITY,
        level: str = "city",
        business_system: str = SYSTEM,
        kind: str = "administrative_organ",
    ) -> Json:
        return await create_agency(
            self.client,
            self.admin,
            kind=kind,
            level=level,
            region_code=region_code,
            business_system=business_system,
        )

    async def respondent(self, *, region_code: str = CITY) -> Json:
        """A new administrative organ to be the respondent of cases."""
        level = "city" if region_code == CITY else "county"
        return await self.agency(region_code=region_code, level=level)

    async def lawyer(
        self,
        agency: Json | None = None,
        *,
        specialties: Sequence[str] = (SYSTEM,),
        pool: str | None = "approved",
        name: str = "张明",
        region_code: str = CITY,
    ) -> Json:
        """A public lawyer (in an agency of their own unless one is given), nominated to and
        by default approved in this year's pool."""
        if agency is None:
            agency = await self.agency(
                region_code=region_code, level="city" if region_code == CITY else "county"
            )
        lawyer = await create_lawyer(
            self.client, self.admin, agency["id"], name=name, specialties=list(specialties)
        )
        if pool is not None:
            membership = await nominated(
                self.client, self.officer(agency["id"]), lawyer["id"], current_year()
            )
            if pool == "approved":
                approved = await decide(self.client, self.coordinator, membership["id"], "approve")
                assert approved.status_code == 200, approved.text
        return lawyer

    async def suspend(self, lawyer: Json) -> None:
        response = await self.client.put(
            f"{API}/lawyers/{lawyer['id']}/certificate-status",
            json={"status": "suspended", "reason": "暂停执业"},
            headers=self.supervisor,
        )
        assert response.status_code == 200, response.text

    async def on_leave_today(self, lawyer: Json) -> None:
        body = {
            "from_date": (today() - timedelta(days=1)).isoformat(),
            "to_date": (today() + timedelta(days=1)).isoformat(),
            "reason": "年休假",
        }
        response = await self.client.post(
            f"{API}/lawyers/{lawyer['id']}/unavailability", json=body, headers=self.coordinator
        )
        assert response.status_code == 201, response.text

    # --- cases -----------------------------------------------------------------------------

    async def case(
        self,
        respondent: Json | None = None,
        *,
        classify: bool = True,
        business_system: str = SYSTEM,
    ) -> Json:
        """A case taken in by the center and (by default) classified, all four conditions
        met, under ``business_system``."""
        if respondent is None:
            respondent = await self.respondent()
        body = case_body(
            respondent["id"],
            respondent["id"],
            act={"type": "expropriation", "made_on": days_ago(40), "known_on": days_ago(30)},
            title="征收补偿争议",
            facts="申请人认为征收补偿标准过低。",
            claims="请求提高补偿标准",
        )
        case = await create_case(self.client, self.coordinator, body)
        if classify:
            classification = {
                "conditions": conditions_met(),
                "business_system": business_system,
                "act_type": "expropriation",
                "priority": "normal",
                "recommended_channel": "reconciliation",
            }
            response = await classify_case(
                self.client, self.coordinator, case["id"], classification
            )
            assert response.status_code in (200, 201), response.text
            assert response.json()["status"] == "classified", response.text
            case = response.json()
        return case

    async def get_case(self, case_id: str) -> Json:
        response = await self.client.get(f"{API}/cases/{case_id}", headers=self.coordinator)
        assert response.status_code == 200, response.text
        found: Json = response.json()
        return found

    async def status(self, case_id: str) -> str:
        return str((await self.get_case(case_id))["status"])

    async def events(self, case_id: str) -> list[Json]:
        response = await self.client.get(f"{API}/cases/{case_id}/events", headers=self.coordinator)
        assert response.status_code == 200, response.text
        items: list[Json] = response.json()["items"]
        return items

    async def event_types(self, case_id: str) -> list[str]:
        return [e["type"] for e in await self.events(case_id)]

    # --- dispatch --------------------------------------------------------------------------

    async def candidates(
        self, case_id: str, role: str = "presiding", headers: Headers | None = None
    ) -> Json:
        response = await self.client.get(
            f"{API}/cases/{case_id}/dispatch-candidates",
            params={"role": role},
            headers=headers or self.coordinator,
        )
        assert response.status_code == 200, response.text
        found: Json = response.json()
        return found

    async def dispatch(
        self,
        case_id: str,
        role: str = "presiding",
        *,
        lawyer_id: str | None = None,
        reason: str | None = None,
        headers: Headers | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        body: Json = {"role": role}
        if lawyer_id is not None:
            body["lawyer_id"] = lawyer_id
        if reason is not None:
            body["reason"] = reason
        sent = dict(headers or self.coordinator)
        if key is not None:
            sent["Idempotency-Key"] = key
        return await self.client.post(f"{API}/cases/{case_id}/dispatch", json=body, headers=sent)

    async def offer(
        self, case_id: str, role: str = "presiding", *, lawyer_id: str | None = None
    ) -> Json:
        response = await self.dispatch(case_id, role, lawyer_id=lawyer_id)
        assert response.status_code == 201, response.text
        created: Json = response.json()
        return created

    async def load(self, lawyer: Json, n: int) -> list[Json]:
        """``n`` open presiding offers for ``lawyer``, each on a new classified case."""
        offers = []
        for _ in range(n):
            case = await self.case()
            offers.append(await self.offer(case["id"], lawyer_id=lawyer["id"]))
        return offers

    async def assignment(self, assignment_id: str, headers: Headers | None = None) -> Json:
        response = await self.client.get(
            f"{API}/assignments/{assignment_id}", headers=headers or self.coordinator
        )
        assert response.status_code == 200, response.text
        found: Json = response.json()
        return found

    async def assignments(self, headers: Headers | None = None, **params: Any) -> list[Json]:
        """Every assignment the caller sees with these filters (following the cursor)."""
        query: dict[str, Any] = {"limit": 200, **params}
        return await list_all(
            self.client, headers or self.coordinator, f"{API}/assignments", **query
        )

    async def live_offer(self, case_id: str) -> Json | None:
        live = [
            a
            for a in await self.assignments(case_id=case_id)
            if a["role"] == "presiding" and a["status"] in ("offered", "conflict_reported")
        ]
        assert len(live) <= 1, live
        return live[0] if live else None

    # --- answers ---------------------------------------------------------------------------

    async def answer(
        self,
        assignment: Json,
        action: str,
        body: Json | None = None,
        headers: Headers | None = None,
    ) -> httpx.Response:
        return await self.client.post(
            f"{API}/assignments/{assignment['id']}/{action}",
            json=body,
            headers=headers or self.as_lawyer(assignment["lawyer_id"]),
        )

    async def accept(self, assignment: Json) -> Json:
        response = await self.answer(assignment, "accept")
        assert response.status_code == 200, response.text
        accepted: Json = response.json()
        return accepted

    async def decline(self, assignment: Json, reason: str, note: str | None = None) -> Json:
        body: Json = {"reason": reason}
        if note is not None:
            body["note"] = note
        response = await self.answer(assignment, "decline", body)
        assert response.status_code == 200, response.text
        declined: Json = response.json()
        return declined

    async def decide(
        self,
        assignment: Json,
        lawyer: Json,
        decision: str,
        note: str | None = None,
        decided_by: str = "王局长",
    ) -> httpx.Response:
        body: Json = {"decision": decision, "decided_by": decided_by}
        if note is not None:
            body["note"] = note
        return await self.answer(
            assignment, "conflict-decision", body, headers=self.officer(lawyer["agency_id"])
        )

    async def in_mediation(self, case: Json | None = None) -> tuple[Json, Json, Json]:
        """(case, presiding lawyer, accepted assignment): a case whose presiding offer was
        accepted."""
        lawyer = await self.lawyer()
        if case is None:
            case = await self.case()
        offer = await self.offer(case["id"], lawyer_id=lawyer["id"])
        accepted = await self.accept(offer)
        return case, lawyer, accepted

    # --- outcome ---------------------------------------------------------------------------

    async def outcome(
        self,
        case_id: str,
        body: Json,
        headers: Headers | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        sent = dict(headers or self.coordinator)
        if key is not None:
            sent["Idempotency-Key"] = key
        return await self.client.post(f"{API}/cases/{case_id}/outcome", json=body, headers=sent)

    async def follow_up(
        self, case_id: str, what: str, body: Json | None = None, headers: Headers | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"{API}/cases/{case_id}/{what}", json=body, headers=headers or self.coordinator
        )

    async def audit(self, **filters: Any) -> list[Json]:
        return await audit_records(self.client, self.admin, **filters)
