"""Case statistics for a year (SPEC 2.15; Art. 12): the queries per cohort, folded into
figures per group and in total. The definitions are in ``definitions.py``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import statistics as repo
from app.db.repositories import statistics_rollups as rollups
from app.db.repositories.statistics import CaseScope, GroupColumn
from app.domain.auth.actor import Actor
from app.domain.statistics.definitions import (
    CASE_DEFINITIONS,
    NOT_ADMINISTRATIVE,
    REFERRAL_CHANNELS,
    REGION_NAMES,
    RESOLVED_CODES,
    Period,
    open_at_month_ends,
    percentile,
    ratio,
)
from app.domain.statistics.schemas import (
    CaseFigures,
    CaseFilters,
    CaseGroup,
    CaseGroupBy,
    CaseStatisticsOut,
)
from app.errors import Forbidden, NotFound, ValidationFailed
from app.states.codes import IntakeChannel, OutcomeType, Role

_QUERY_GROUP: dict[CaseGroupBy | None, GroupColumn | None] = {
    None: None,
    "month": "month",
    "region": "respondent",  # folded from respondents to their regions here
    "respondent_agency": "respondent",
    "business_system": "business_system",
    "channel": "channel",
}


@dataclass
class _Tally:
    """One group's raw counts, added up from the queries' rows."""

    received_by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    administrative: int = 0
    not_administrative: int = 0
    dispatched: int = 0
    collective: int = 0
    deadline_passed: int = 0
    closed_by_outcome: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    satisfaction_sum: int = 0
    satisfaction_count: int = 0
    fulfilled: int = 0
    breached: int = 0
    days: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    open_at_end: int = 0
    offers: dict[str | None, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: _Tally) -> None:
        for target, source in (
            (self.received_by_channel, other.received_by_channel),
            (self.closed_by_outcome, other.closed_by_outcome),
            (self.days, other.days),
            (self.offers, other.offers),
        ):
            for k, v in source.items():
                target[k] += v  # type: ignore[index]
        for name in (
            "administrative",
            "not_administrative",
            "dispatched",
            "collective",
            "deadline_passed",
            "satisfaction_sum",
            "satisfaction_count",
            "fulfilled",
            "breached",
            "open_at_end",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, Any]:
        closed = sum(self.closed_by_outcome.values())
        resolved = sum(n for t, n in self.closed_by_outcome.items() if t in RESOLVED_CODES)
        handled = closed - self.closed_by_outcome.get(NOT_ADMINISTRATIVE, 0)
        accepted, declined, expired = (
            self.offers.get(k, 0) for k in ("accepted", "declined", "expired")
        )
        return {
            "received": sum(self.received_by_channel.values()),
            "received_by_channel": {
                c.value: self.received_by_channel.get(c.value, 0) for c in IntakeChannel
            },
            "classified_administrative_dispute": self.administrative,
            "not_administrative_dispute": self.not_administrative,
            "dispatched": self.dispatched,
            "collective": self.collective,
            "deadline_passed_while_open": self.deadline_passed,
            "closed": closed,
            "closed_by_outcome": {
                o.value: self.closed_by_outcome.get(o.value, 0) for o in OutcomeType
            },
            "resolved": resolved,
            "resolution_rate": ratio(resolved, handled),
            "referred_by_channel": {
                channel: self.closed_by_outcome.get(outcome.value, 0)
                for channel, outcome in REFERRAL_CHANNELS.items()
            },
            "open_at_end": self.open_at_end,
            "days_to_close_median": percentile(self.days, 0.5),
            "days_to_close_p90": percentile(self.days, 0.9),
            "offers_accepted": accepted,
            "offers_declined": declined,
            "offers_expired": expired,
            "acceptance_rate": ratio(accepted, accepted + declined + expired),
            "satisfaction_average": ratio(self.satisfaction_sum, self.satisfaction_count, 2),
            "satisfaction_count": self.satisfaction_count,
            "agreements_fulfilled": self.fulfilled,
            "agreements_breached": self.breached,
        }


async def ensure_known_business_system(session: AsyncSession, code: str | None) -> None:
    if code is not None and code not in await repo.business_system_labels(session):
        raise ValidationFailed.of_field(
            "business_system", "no such business system", "unknown_business_system"
        )


def case_scope(
    actor: Actor, *, respondent_ids: tuple[uuid.UUID, ...] | None, business_system: str | None
) -> CaseScope:
    """The filters and what the caller may see (SPEC 4.2), as conditions of every query."""
    if actor.role is Role.AGENCY_OFFICER:
        if actor.agency_id is None:
            raise Forbidden("an agency officer needs an agency", code="agency_required")
        return CaseScope(respondent_ids, business_system, visible_agency_id=actor.agency_id)
    if actor.role is Role.LAWYER:
        if actor.lawyer_id is None:
            raise Forbidden("a lawyer's credentials name no lawyer", code="lawyer_required")
        return CaseScope(respondent_ids, business_system, visible_lawyer_id=actor.lawyer_id)
    return CaseScope(respondent_ids, business_system)


async def case_statistics(
    session: AsyncSession,
    *,
    actor: Actor,
    year: int,
    today: date,
    filters: CaseFilters,
    group_by: CaseGroupBy | None,
) -> CaseStatisticsOut:
    """Every case figure of SPEC 2.15 for ``year``, in total and per group."""
    agencies = await repo.agencies(session)
    await ensure_known_business_system(session, filters.business_system)
    respondent_ids: tuple[uuid.UUID, ...] | None = None
    if filters.respondent_agency_id is not None:
        if filters.respondent_agency_id not in agencies:
            raise NotFound("no such agency", code="agency_not_found")
        respondent_ids = (filters.respondent_agency_id,)
    if filters.region_code is not None:
        in_region = tuple(a.id for a in agencies.values() if a.region_code == filters.region_code)
        respondent_ids = (
            in_region
            if respondent_ids is None
            else tuple(i for i in respondent_ids if i in in_region)
        )
    scope = case_scope(
        actor, respondent_ids=respondent_ids, business_system=filters.business_system
    )
    if scope.visible_lawyer_id is not None:
        held = await repo.lawyer_case_ids(session, scope.visible_lawyer_id)
        scope = replace(scope, visible_case_ids=held)
    period = Period(year)
    tallies = await _tallies(session, scope, period, _QUERY_GROUP[group_by], today)
    if group_by == "region":
        by_region: dict[Any, _Tally] = defaultdict(_Tally)
        for key, tally in tallies.items():
            by_region[agencies[key].region_code].add(tally)
        tallies = dict(by_region)
    total = _Tally()
    for tally in tallies.values():
        total.add(tally)
    if group_by == "month":
        total.open_at_end = tallies[12].open_at_end if 12 in tallies else 0
    groups: list[CaseGroup] = []
    if group_by is not None:
        labels = await _labels(session, group_by, period, agencies)
        keys = range(1, 13) if group_by == "month" else sorted(tallies, key=str)
        for key in keys:
            tally = tallies.get(key, _Tally())
            shown = period.month_key(key) if group_by == "month" else str(key)
            label = labels.get(key, shown) if key is not None else "(未识别)"
            groups.append(
                CaseGroup(key=shown if key is not None else "", label=label, **tally.figures())
            )
    return CaseStatisticsOut(
        year=year,
        period_from=period.first_day,
        period_to=period.last_day,
        filters=filters,
        group_by=group_by,
        total=CaseFigures(**total.figures()),
        groups=groups,
        definitions=CASE_DEFINITIONS,
    )


async def _tallies(
    session: AsyncSession,
    scope: CaseScope,
    period: Period,
    group: GroupColumn | None,
    today: date,
) -> dict[Any, _Tally]:
    if rollups.serves(session, scope):
        return await _tallies_from_rollups(session, scope, period, group, today)
    return await _tallies_from_cases(session, scope, period, group, today)


async def _tallies_from_rollups(
    session: AsyncSession,
    scope: CaseScope,
    period: Period,
    group: GroupColumn | None,
    today: date,
) -> dict[Any, _Tally]:
    """The same tallies from the rollups (PostgreSQL): the cells of the period, the months
    before it for "open at the end", and the two figures the cells cannot hold."""
    tallies: dict[Any, _Tally] = defaultdict(_Tally)
    # Received and closed up to the end of each month (or the year): open = the difference.
    received_by: dict[Any, list[int]] = defaultdict(lambda: [0] * 13)
    closed_by: dict[Any, list[int]] = defaultdict(lambda: [0] * 13)
    for row in await rollups.cells(
        session,
        scope=scope,
        first_month=period.first_day,
        end_month=date(period.year + 1, 1, 1),
        group=group,
    ):
        key = row.bucket if group == "month" and row.bucket else row.key
        if row.measure in rollups.CUMULATIVE:
            (received_by if row.measure == "received" else closed_by)[row.key][row.bucket] += row.n
            if row.bucket == 0:
                continue
        _count_cell(tallies[key], row.measure, row.value, row.n)
    args: dict[str, Any] = {"scope": scope, "start": period.start, "group": group}
    for key, n in await rollups.deadlines_passed_while_open(
        session, month_ends=period.month_ends, today=today, **args
    ):
        tallies[key].deadline_passed += n
    closures = await repo.earlier_closures(session, month_ends=period.month_ends, **args)
    if group == "month":
        received, closed = received_by[None], closed_by[None]
        earlier = open_at_month_ends((a, b, n) for _, a, b, n in closures)
        for month in range(1, 13):
            up_to = sum(received[: month + 1]) - sum(closed[: month + 1])
            tallies[month].open_at_end = up_to - earlier[month - 1]
    else:
        for key in received_by.keys() | closed_by.keys():
            still_open = sum(received_by[key]) - sum(closed_by[key])
            if still_open:
                tallies[key].open_at_end += still_open
        for key, _, b, n in closures:
            if b == 13:
                tallies[key].open_at_end -= n
    return tallies


def _count_cell(tally: _Tally, measure: str, value: str, n: int) -> None:
    """One summed cell into a group's tally (the measures of adr_case_stat_cells)."""
    if measure == "received":
        tally.received_by_channel[value] += n
    elif measure == "closed":
        tally.closed_by_outcome[value] += n
    elif measure == "days":
        tally.days[int(value)] += n
    elif measure == "satisfaction":
        tally.satisfaction_sum += int(value) * n
        tally.satisfaction_count += n
    elif measure == "performance":
        if value == "fulfilled":
            tally.fulfilled += n
        else:
            tally.breached += n
    elif measure == "offer":
        tally.offers[value] += n
    else:
        attribute = _SIMPLE_MEASURES[measure]
        setattr(tally, attribute, getattr(tally, attribute) + n)


_SIMPLE_MEASURES = {
    "administrative": "administrative",
    "not_administrative": "not_administrative",
    "dispatched": "dispatched",
    "collective": "collective",
    "passed": "deadline_passed",
}


async def _tallies_from_cases(
    session: AsyncSession,
    scope: CaseScope,
    period: Period,
    group: GroupColumn | None,
    today: date,
) -> dict[Any, _Tally]:
    """The tallies aggregated from the cases themselves (SQLite, and a lawyer's view)."""
    tallies: dict[Any, _Tally] = defaultdict(_Tally)
    args: dict[str, Any] = {
        "scope": scope,
        "start": period.start,
        "month_ends": period.month_ends,
        "group": group,
    }
    for key, channel, n, admin, not_admin, dispatched, collective, passed in await repo.received(
        session, today=today, **args
    ):
        t = tallies[key]
        t.received_by_channel[channel] += int(n)
        t.administrative += int(admin)
        t.not_administrative += int(not_admin)
        t.dispatched += int(dispatched)
        t.collective += int(collective)
        t.deadline_passed += int(passed)
    for key, outcome, n, s_sum, s_count, fulfilled, breached in await repo.closed(session, **args):
        t = tallies[key]
        t.closed_by_outcome[outcome] += int(n)
        t.satisfaction_sum += int(s_sum)
        t.satisfaction_count += int(s_count)
        t.fulfilled += int(fulfilled)
        t.breached += int(breached)
    for key, days, n in await repo.days_to_close(session, **args):
        tallies[key].days[days] += n
    for key, result, n in await repo.offers(session, **args):
        tallies[key].offers[result] += n
    buckets = await repo.open_buckets(session, **args)
    closures = await repo.earlier_closures(session, **args)
    if group == "month":
        open_counts = open_at_month_ends((r, c, n) for _, r, c, n in buckets)
        closed_counts = open_at_month_ends((a, b, n) for _, a, b, n in closures)
        for month in range(1, 13):
            tallies[month].open_at_end = open_counts[month - 1] - closed_counts[month - 1]
    else:
        for key, _, c, n in buckets:
            if c == 13:
                tallies[key].open_at_end += n
        for key, _, b, n in closures:
            if b == 13:
                tallies[key].open_at_end -= n
    return tallies


async def _labels(
    session: AsyncSession,
    group_by: CaseGroupBy,
    period: Period,
    agencies: dict[uuid.UUID, repo.AgencyRef],
) -> dict[Any, str]:
    if group_by == "month":
        return {m: f"{period.year}年{m}月" for m in range(1, 13)}
    if group_by == "region":
        return dict(REGION_NAMES)
    if group_by == "respondent_agency":
        return {agency_id: ref.name for agency_id, ref in agencies.items()}
    if group_by == "business_system":
        return dict(await repo.business_system_labels(session))
    return {c.value: c.label_zh for c in IntakeChannel}
