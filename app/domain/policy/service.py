"""The numeric rules in force (SPEC 2.10, Art. 20): versions with an effective period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import today_shanghai
from app.db.models import PolicyVersion
from app.db.repositories import policy as repo
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.policy.schemas import PolicyVersionIn
from app.domain.reference.ids import policy_version_id
from app.errors import Conflict, ServiceUnavailable

MEASURES_VERSION = {
    "effective_from": date(2022, 2, 1),
    "effective_to": date(2027, 1, 31),
    "pool_max_per_agency": 2,
    "pool_min_per_agency": 1,
    "deadline_warning_days": 15,
    "duplicate_window_days": 180,
    "collective_threshold": 5,
    "max_open_assignments": 5,
    "offer_response_hours": 48,
    "auto_redispatch": True,
    "repeat_honour_threshold": 2,
    "basis": "聊城市公职律师参与行政争议化解工作实施办法 (2022-02-01 至 2027-01-31)",
}


# SPEC 2.10: from this many days before the version in force ends with no successor, the
# service says how many days are left.
EXPIRY_NOTICE_DAYS = 90


@dataclass(frozen=True)
class PolicyInForce:
    version: PolicyVersion
    on: date
    # False when no version covers the date and another one is applied instead.
    covered: bool


async def policy_in_force(session: AsyncSession, *, on: date | None = None) -> PolicyInForce:
    """The version covering ``on`` (default: today in Asia/Shanghai). When none does, the
    service keeps working on the one in force last before ``on`` (past the last version's
    end, or in a gap between two versions: the earlier one, never one not yet in force) and
    says so (``covered`` False); before the first version, on the first."""
    on = on or today_shanghai()
    # Several steps of one request ask for the same rules: read them once per transaction.
    cache: dict[date, PolicyInForce] = session.info.setdefault("policy_in_force", {})
    if on in cache:
        return cache[on]
    version = await repo.latest_started(session, on)
    if version is not None:
        return keep_read_along(session, version, on)
    first = await repo.earliest(session)
    if first is None:
        raise ServiceUnavailable("no policy version exists: run `adr seed`", code="policy_missing")
    cache[on] = PolicyInForce(first, on, False)
    return cache[on]


def keep_read_along(session: AsyncSession, version: PolicyVersion, on: date) -> PolicyInForce:
    """The version that took effect last on or before ``on``, as another statement of this
    transaction read it along (``repo.latest_started``'s condition): ``policy_in_force``
    then answers without a round trip of its own."""
    covered = version.effective_to is None or version.effective_to >= on
    in_force = PolicyInForce(version, on, covered)
    session.info.setdefault("policy_in_force", {})[on] = in_force
    return in_force


async def expires_in_days(session: AsyncSession, in_force: PolicyInForce) -> int | None:
    """Days from ``on`` to the last day of the version applied, from ``EXPIRY_NOTICE_DAYS``
    before it on, when no later version exists to follow it (SPEC 2.10): 0 on the last day,
    negative once it has ended and is applied for want of a successor. None otherwise."""
    version = in_force.version
    if version.effective_to is None or version.effective_from > in_force.on:
        return None
    days = (version.effective_to - in_force.on).days
    if days > EXPIRY_NOTICE_DAYS or await repo.has_successor(session, version):
        return None
    return days


def warning_text(in_force: PolicyInForce, expires: int | None) -> str | None:
    """What ``GET /policy`` and ``/readyz`` say when the rules are not plainly in force."""
    if not in_force.covered:
        return (
            f"no policy version covers {in_force.on.isoformat()}; the version from "
            f"{in_force.version.effective_from.isoformat()} is applied until a new one is added"
        )
    if expires is not None:
        return (
            f"the policy version in force ends on {in_force.version.effective_to} "
            f"({expires} days left) and no later version has been added"
        )
    return None


async def add_version(
    session: AsyncSession, *, actor: Actor, data: PolicyVersionIn
) -> PolicyVersion:
    """Add a version that takes effect after the latest one; the latest one then ends the
    day before, so that exactly one version is in force on any day."""
    latest = await repo.latest(session, for_update=True)
    if latest is not None and data.effective_from <= latest.effective_from:
        raise Conflict(
            f"a new version must take effect after {latest.effective_from.isoformat()}",
            code="policy_not_later",
        )
    if latest is not None and (
        latest.effective_to is None or latest.effective_to >= data.effective_from
    ):
        latest.effective_to = data.effective_from - timedelta(days=1)
    version = PolicyVersion(**data.model_dump(), created_by=actor.sub)
    session.add(version)
    await session.flush()
    session.info.pop("policy_in_force", None)
    audit.record(
        session,
        actor=actor,
        action="policy.add_version",
        object_type="policy_version",
        object_id=version.id,
        changes=data.model_dump(mode="json"),
    )
    return version


async def seed_measures_version(session: AsyncSession) -> bool:
    """Insert the 2022–2027 version once; returns whether it was added."""
    if await repo.exists_from(session, MEASURES_VERSION["effective_from"]):  # type: ignore[arg-type]
        return False
    effective_from = MEASURES_VERSION["effective_from"]
    assert isinstance(effective_from, date)
    session.add(
        PolicyVersion(id=policy_version_id(effective_from), **MEASURES_VERSION, created_by="seed")
    )
    await session.flush()
    return True
