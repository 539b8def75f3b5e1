"""docs/testing.md names the seeded agencies' ids; they are the ids ``adr seed`` gives
(issue 17), and the table is what the generator writes from the seed data."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Agency, PolicyVersion
from scripts.seeded_ids import TESTING, render


def test_the_table_of_seeded_ids_is_current() -> None:
    current = TESTING.read_text(encoding="utf-8")
    assert render(current) == current, "python -m scripts.seeded_ids"


async def test_the_documented_ids_are_those_of_the_seeded_database(session: AsyncSession) -> None:
    rows = re.findall(
        r"\| `([a-z0-9-]+)` \| `\w+` \| `([0-9a-f-]{36})` \|", TESTING.read_text(encoding="utf-8")
    )
    assert len(rows) >= 3
    seeded = {
        key: id_ for key, id_ in (await session.execute(select(Agency.seed_key, Agency.id))).all()
    }
    for key, documented in rows:
        assert str(seeded[key]) == documented, key
    policy_ids = {str(i) for i in (await session.execute(select(PolicyVersion.id))).scalars()}
    documented_policy = re.findall(
        r"\| \d{4}-\d{2}-\d{2} \| `([0-9a-f-]{36})` \|", TESTING.read_text(encoding="utf-8")
    )
    assert documented_policy
    assert set(documented_policy) <= policy_ids
