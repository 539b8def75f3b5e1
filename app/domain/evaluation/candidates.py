"""The candidates of an evaluation round, ranked with the figures behind the rank
(SPEC 2.14): the year's records of every lawyer or agency in the organizer's division,
scored by the documented formula of ``ranking``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import activities as activities_repo
from app.db.repositories import candidates as repo
from app.db.repositories import statistics as statistics_repo
from app.db.repositories.candidates import CaseFigures
from app.db.repositories.statistics import LawyerScope
from app.domain.evaluation.ranking import INDIVIDUAL_WEIGHTS, UNIT_WEIGHTS, Figures, rank
from app.domain.evaluation.schemas import EvaluationCandidate, EvaluationCandidatesOut
from app.domain.evaluation.service import CITY, get
from app.domain.policy.service import policy_in_force
from app.domain.pool.rules import compliance_status
from app.domain.statistics.definitions import Period
from app.states.codes import PoolCompliance

CandidateKind = Literal["individual", "unit"]

FORMULA = (
    "score = Σ figure × weight over the weights shown; a figure without a value adds 0; "
    "equal scores in the order of names. Figures are of the round's year (Asia/Shanghai): "
    "for a lawyer, the cases of the offers they accepted that year (presided, participated, "
    "resolved, resolution_rate = resolved ÷ closed as disputes, satisfaction_average on the "
    "cases they presided, typical_selected by a published selection of the year), confirmed "
    "activities and training hours, and earlier honours (shown, weight 0); for a unit, "
    "pool_compliant (1 when its approved pool members are within the policy's bounds), "
    "lawyers active at the year's end and new that year (Art. 16), cases received as "
    "respondent and the share of those closed that were resolved inside the administrative "
    "system (Art. 12), and its lawyers' confirmed activities."
)


def _lawyer_figures(cases: CaseFigures, activities: tuple[int, float], earlier: int) -> Figures:
    return {
        "presided": cases.presided,
        "participated": cases.participated,
        "resolved": cases.resolved,
        "resolution_rate": round(cases.resolved / cases.closed, 4) if cases.closed else None,
        "satisfaction_average": cases.satisfaction_average,
        "confirmed_activities": activities[0],
        "training_hours": activities[1],
        "typical_selected": cases.typical_selected,
        "earlier_honours": earlier,
    }


async def _individuals(
    session: AsyncSession, region: str | None, period: Period
) -> list[tuple[str, str, Figures, uuid.UUID]]:
    lawyers = await repo.lawyers_in_scope(session, region)
    ids = [lawyer_id for lawyer_id, _, _ in lawyers]
    if not ids:
        return []
    worked = await repo.case_figures_per_lawyer(
        session, ids, start=period.start, end=period.end, year=period.year
    )
    activities = await repo.activities_per_lawyer(
        session, ids, first_day=period.first_day, last_day=period.last_day
    )
    earlier = await repo.earlier_honours(session, ids, before_year=period.year)
    return [
        (
            str(lawyer_id),
            name,
            _lawyer_figures(
                worked.get(lawyer_id, CaseFigures()),
                activities.get(lawyer_id, (0, 0.0)),
                earlier.get(lawyer_id, 0),
            ),
            agency_id,
        )
        for lawyer_id, name, agency_id in lawyers
    ]


async def _units(
    session: AsyncSession, region: str | None, period: Period
) -> list[tuple[str, str, Figures, uuid.UUID]]:
    agencies = await repo.agencies_in_scope(session, region)
    ids = [agency_id for agency_id, _ in agencies]
    if not ids:
        return []
    everyone = LawyerScope()
    corps = {
        a: (active, new)
        for a, active, new in await statistics_repo.lawyer_counts(
            session,
            scope=everyone,
            first_day=period.first_day,
            last_day=period.last_day,
            end=period.end,
        )
    }
    pool = dict(await statistics_repo.pool_members(session, scope=everyone, year=period.year))
    policy = (await policy_in_force(session, on=date(period.year, 1, 1))).version
    respondent = await repo.cases_as_respondent(session, ids, start=period.start, end=period.end)
    activities: dict[uuid.UUID, int] = defaultdict(int)
    for agency_id, _, n in await activities_repo.kinds_per_agency(
        session, lawyer_conditions=[], first_day=period.first_day, last_day=period.last_day
    ):
        activities[agency_id] += n
    found = []
    for agency_id, name in agencies:
        active, new = corps.get(agency_id, (0, 0))
        received, closed, resolved = respondent.get(agency_id, (0, 0, 0))
        within = compliance_status(
            pool.get(agency_id, 0),
            minimum=policy.pool_min_per_agency,
            maximum=policy.pool_max_per_agency,
        )
        figures: Figures = {
            "pool_compliant": int(within is PoolCompliance.WITHIN),
            "pool_members": pool.get(agency_id, 0),
            "lawyers_active": active,
            "lawyers_new": new,
            "cases_as_respondent": received,
            "resolved_inside_share": round(resolved / closed, 4) if closed else None,
            "lawyer_activities": activities[agency_id],
        }
        found.append((str(agency_id), name, figures, agency_id))
    return found


async def candidates(
    session: AsyncSession, *, evaluation_id: uuid.UUID, kind: CandidateKind
) -> EvaluationCandidatesOut:
    evaluation = await get(session, evaluation_id)
    region = None if evaluation.organizer_region_code == CITY else evaluation.organizer_region_code
    period = Period(evaluation.year)
    weights = INDIVIDUAL_WEIGHTS if kind == "individual" else UNIT_WEIGHTS
    rows = await (_individuals if kind == "individual" else _units)(session, region, period)
    agency_of = {key: agency_id for key, _, _, agency_id in rows}
    ranked = rank([(key, name, figures) for key, name, figures, _ in rows], weights)
    return EvaluationCandidatesOut(
        evaluation_id=evaluation.id,
        kind=kind,
        year=evaluation.year,
        organizer_region_code=evaluation.organizer_region_code,
        weights=dict(weights),
        formula=FORMULA,
        candidates=[
            EvaluationCandidate(
                rank=place,
                lawyer_id=uuid.UUID(c.key) if kind == "individual" else None,
                agency_id=agency_of[c.key],
                name=c.name,
                score=c.score,
                figures=dict(c.figures),
                contributions=c.contributions,
            )
            for place, c in enumerate(ranked, start=1)
        ],
    )
