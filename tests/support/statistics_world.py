"""A small world for the statistics (SPEC 2.15), built through the HTTP API, whose figures
the tests count by hand.

Cases received in 2024 (a fixed past year, ``received_at`` given) and in the current year
(received now); everything that the service dates itself (offers, closing, reopening) happens
now, in the current year. ``this_year`` is read from the clock the service uses.

    case  received  respondent  intake  channel     what happens
    c1    2024-03   R1          R1      petition    classified (SYSTEM), L1 accepts, mediated,
                                                    performance fulfilled, satisfaction 5
    c2    2024-03   R1          R1      visit       classified (OTHER_SYSTEM), L2 declines
    c3    2024-03   R2          R2      petition    not an administrative dispute
    c4    2024-03   R2          R2      complaint   collective (5 applicants), stays received
    c5    now       R1          R1      petition    classified, L1 accepts, referred to
                                                    litigation, satisfaction 3
    c6    now       R2          R2      letter      withdrawn while received
    c7    now       R1          R2      petition    stays received
    c8    now       R2          R2      petition    withdrawn, then reopened (→ classified)
    c9    now       R1          R1      petition    classified, offer to L1 expires

Remedy deadlines: c1 known_on 2024-02-29 (reconsideration due in late April 2024), c3
2024-03-01, c4 2024-03-05: each passes while the case is open. c2's act dates are from 2019:
every deadline (the outer limit 2024-01-02) passed before it came in. The current year's
cases were known of 10 days ago: nothing has passed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import SHANGHAI, now_utc, today_shanghai
from app.db.models import Assignment
from tests.support.dispatch_world import OTHER_SYSTEM, SYSTEM, DispatchWorld, outcome_body
from tests.support.factories import (
    API,
    Json,
    applicant,
    case_body,
    classify,
    conditions_met,
    create_case,
)

PAST_YEAR = 2024
PAST_RECEIVED_AT = "2024-03-10T10:00:00+08:00"
NOT_MET = {
    **conditions_met(),
    "organ_party": {"met": False, "note": "对方为村委会"},
}


class StatisticsWorld:
    def __init__(self, world: DispatchWorld, session: AsyncSession) -> None:
        self.w = world
        self.session = session
        self.cases: dict[str, Json] = {}
        self.agencies: dict[str, Json] = {}
        self.lawyers: dict[str, Json] = {}

    @property
    def this_year(self) -> int:
        return today_shanghai().year

    async def intake(
        self,
        name: str,
        *,
        respondent: str,
        intake: str | None = None,
        channel: str = "petition",
        received_at: str | None = None,
        known_on: str | None = None,
        made_on: str | None = None,
        applicants: int = 1,
    ) -> Json:
        today = today_shanghai()
        body = case_body(
            self.agencies[intake or respondent]["id"],
            self.agencies[respondent]["id"],
            channel=channel,
            applicants=[applicant() for _ in range(applicants)],
            act={
                "type": "administrative_penalty",
                "made_on": made_on or (today - timedelta(days=12)).isoformat(),
                "known_on": known_on or (today - timedelta(days=10)).isoformat(),
                "real_property": False,
            },
            title=f"统计测试案件{name}",
            facts="申请人对处罚决定不服。",
            claims="请求撤销",
        )
        if received_at is not None:
            body["received_at"] = received_at
        self.cases[name] = await create_case(self.w.client, self.w.coordinator, body)
        return self.cases[name]

    async def classify(self, name: str, system: str = SYSTEM, *, met: bool = True) -> None:
        body: Json = {
            "conditions": conditions_met() if met else NOT_MET,
            "business_system": system,
            "act_type": "administrative_penalty",
            "priority": "normal",
            "recommended_channel": "reconciliation",
        }
        if not met:
            body["referral_note"] = "已引导至乡镇人民调解委员会"
        response = await classify(self.w.client, self.w.coordinator, self.cases[name]["id"], body)
        assert response.status_code in (200, 201), response.text

    async def close(self, name: str, kind: str, **extra: Any) -> None:
        response = await self.w.outcome(self.cases[name]["id"], outcome_body(kind, **extra))
        assert response.status_code in (200, 201), response.text

    async def follow_up(self, name: str, what: str, body: Json) -> None:
        response = await self.w.follow_up(self.cases[name]["id"], what, body)
        assert response.status_code == 200, response.text

    async def expire(self, offer: Json) -> None:
        await self.session.execute(
            update(Assignment)
            .where(Assignment.id == uuid.UUID(offer["id"]))
            .values(respond_by=now_utc() - timedelta(minutes=5))
        )
        await self.session.commit()
        assert (await self.w.assignment(offer["id"]))["status"] == "expired"

    async def build(self) -> StatisticsWorld:
        w = self.w
        self.agencies["R1"] = await w.respondent()
        self.agencies["R2"] = await w.respondent(region_code="371521")
        self.agencies["A1"] = await w.agency()
        self.agencies["A2"] = await w.agency()
        self.lawyers["L1"] = await w.lawyer(self.agencies["A1"], specialties=(SYSTEM,))
        self.lawyers["L2"] = await w.lawyer(self.agencies["A2"], specialties=(OTHER_SYSTEM,))
        past: dict[str, Any] = {"received_at": PAST_RECEIVED_AT}

        await self.intake(
            "c1", respondent="R1", known_on="2024-02-29", made_on="2024-02-20", **past
        )
        await self.classify("c1")
        offer = await w.offer(self.cases["c1"]["id"], lawyer_id=self.lawyers["L1"]["id"])
        await w.accept(offer)
        await self.close("c1", "mediated", concluded_on=today_shanghai().isoformat())
        await self.follow_up("c1", "performance", {"status": "fulfilled"})
        await self.follow_up("c1", "satisfaction", {"score": 5})

        await self.intake(
            "c2",
            respondent="R1",
            channel="visit",
            known_on="2019-01-01",
            made_on="2019-01-01",
            **past,
        )
        await self.classify("c2", OTHER_SYSTEM)
        offer = await w.offer(self.cases["c2"]["id"], lawyer_id=self.lawyers["L2"]["id"])
        await w.decline(offer, "other", "出差")

        await self.intake(
            "c3", respondent="R2", known_on="2024-03-01", made_on="2024-02-25", **past
        )
        await self.classify("c3", met=False)

        await self.intake(
            "c4",
            respondent="R2",
            channel="complaint",
            known_on="2024-03-05",
            made_on="2024-03-01",
            applicants=5,
            **past,
        )

        await self.intake("c5", respondent="R1")
        await self.classify("c5")
        offer = await w.offer(self.cases["c5"]["id"], lawyer_id=self.lawyers["L1"]["id"])
        await w.accept(offer)
        await self.close("c5", "referred_litigation")
        await self.follow_up("c5", "satisfaction", {"score": 3})

        await self.intake("c6", respondent="R2", channel="letter")
        await self.close("c6", "withdrawn")

        await self.intake("c7", respondent="R1", intake="R2")

        await self.intake("c8", respondent="R2")
        await self.close("c8", "withdrawn")
        response = await w.follow_up(self.cases["c8"]["id"], "reopen", {"reason": "申请人反悔"})
        assert response.status_code == 200, response.text

        await self.intake("c9", respondent="R1")
        await self.classify("c9")
        await self.expire(await w.offer(self.cases["c9"]["id"], lawyer_id=self.lawyers["L1"]["id"]))
        return self

    # --- reading ---------------------------------------------------------------------------

    async def case(self, name: str) -> Json:
        return await self.w.get_case(self.cases[name]["id"])

    async def days_to_close(self, name: str) -> int:
        """Calendar days from receipt to closing (Asia/Shanghai) of a closed case."""
        case = await self.case(name)
        closed = datetime.fromisoformat(case["closed_at"]).astimezone(SHANGHAI).date()
        received = datetime.fromisoformat(case["received_at"]).astimezone(SHANGHAI).date()
        return (closed - received).days

    async def statistics(
        self, path: str = "cases", headers: dict[str, str] | None = None, **params: Any
    ) -> Json:
        response = await self.w.client.get(
            f"{API}/statistics/{path}", params=params, headers=headers or self.w.supervisor
        )
        assert response.status_code == 200, response.text
        found: Json = response.json()
        return found


def received_on(case: Json) -> date:
    return datetime.fromisoformat(case["received_at"]).astimezone(SHANGHAI).date()
