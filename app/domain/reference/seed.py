"""Reference data for a new installation (``adr seed``): idempotent, safe to run again.

Business systems are upserted by code (labels follow the data file). Agencies are inserted
by their seed key when missing and otherwise left alone, because operators may have edited
them through the API since.

Agencies inserted here get the stable id of their seed key (``app.domain.reference.ids``).
Agencies an older seed inserted with random ids keep them: their ids are in cases, lawyers,
pool places, API keys, issued tokens and the hash-chained audit trail, none of which may be
rewritten (docs/decisions.md, "Stable ids of seeded data").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Agency, BusinessSystem
from app.db.repositories import reference as repo
from app.domain.calendar.service import seed_calendar
from app.domain.policy.service import seed_measures_version
from app.domain.reference.ids import agency_id


def _load(name: str) -> list[dict[str, Any]]:
    text = (resources.files("app.db") / "seed_data" / name).read_text(encoding="utf-8")
    data: list[dict[str, Any]] = json.loads(text)
    return data


@dataclass(frozen=True)
class SeedReport:
    business_systems_added: int
    business_systems_updated: int
    agencies_added: int
    policy_version_added: bool
    calendar_years_added: int = 0


async def seed_reference_data(session: AsyncSession) -> SeedReport:
    existing = await repo.business_systems_by_code(session)
    added = updated = 0
    for item in _load("business_systems.json"):
        current = existing.get(item["code"])
        if current is None:
            session.add(BusinessSystem(**item, active=True))
            added += 1
        elif (current.label_zh, current.sort_order) != (item["label_zh"], item["sort_order"]):
            current.label_zh, current.sort_order = item["label_zh"], item["sort_order"]
            updated += 1
    await session.flush()

    seeded = await repo.agencies_by_seed_key(session)
    agencies_added = 0
    for item in _load("agencies.json"):
        fields = dict(item)
        key = fields.pop("key")
        if key not in seeded:
            session.add(Agency(id=agency_id(key), seed_key=key, active=True, **fields))
            agencies_added += 1
    await session.flush()

    policy_added = await seed_measures_version(session)
    calendar_added = await seed_calendar(session)
    return SeedReport(added, updated, agencies_added, policy_added, calendar_added)
