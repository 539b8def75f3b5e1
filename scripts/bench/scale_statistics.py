"""The statistics' scenarios of ``make bench-scale`` (SPEC 2.15: under 500 ms at 1,000,000
cases): every grouping, the filters, an agency officer's and a lawyer's view, and the
exports. Each runs the service function the endpoint calls, so that every statement it sends
is explained."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg

from app.clock import SHANGHAI, today_shanghai
from app.domain.archive.service import lawyer_archive
from app.domain.auth.actor import Actor
from app.domain.evaluation.candidates import CandidateKind, candidates
from app.domain.statistics.cases import case_statistics
from app.domain.statistics.lawyers import lawyer_statistics
from app.domain.statistics.schemas import CaseFilters, CaseGroupBy, LawyerFilters
from app.states.codes import Role

TARGET_MS = 500.0
ARCHIVE_TARGET_MS = 300.0  # an archive or a candidate list (issue 14)
CENTER = Actor(sub="bench-scale", role=Role.CENTER_COORDINATOR)


def _cases(
    year: int, group_by: CaseGroupBy | None = None, actor: Actor = CENTER, **filters: Any
) -> Callable[[Any], Awaitable[Any]]:
    async def run(session: Any) -> Any:
        report = await case_statistics(
            session,
            actor=actor,
            year=year,
            today=today_shanghai(),
            filters=CaseFilters(**filters),
            group_by=group_by,
        )
        return report.groups or [report.total]

    return run


def _archive(lawyer_id: Any, year: int) -> Callable[[Any], Awaitable[Any]]:
    async def run(session: Any) -> Any:
        archive = await lawyer_archive(session, actor=CENTER, lawyer_id=lawyer_id, year=year)
        return archive.case_list

    return run


def _candidates(evaluation_id: Any, kind: CandidateKind) -> Callable[[Any], Awaitable[Any]]:
    async def run(session: Any) -> Any:
        report = await candidates(session, evaluation_id=evaluation_id, kind=kind)
        return report.candidates

    return run


def _lawyers(year: int) -> Callable[[Any], Awaitable[Any]]:
    async def run(session: Any) -> Any:
        report = await lawyer_statistics(session, actor=CENTER, year=year, filters=LawyerFilters())
        return report.agencies

    return run


async def statistics_scenarios(conn: asyncpg.Connection, scenario: Any) -> list[Any]:
    """``scenario`` is scale.Scenario (passed in: scale imports this module)."""
    newest: datetime = await conn.fetchval("SELECT max(received_at) FROM cases")
    year = newest.astimezone(SHANGHAI).year - 1  # the last full year of the data
    busiest = await conn.fetchval(
        "SELECT respondent_agency_id FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    lawyer = await conn.fetchval(
        "SELECT lawyer_id FROM assignments GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    officer = Actor(sub="bench-officer", role=Role.AGENCY_OFFICER, agency_id=busiest)
    # A city-wide evaluation round of the year (SPEC 2.14): its candidates are everyone.
    evaluation = uuid.uuid4()
    await conn.execute(
        "INSERT INTO evaluations (id, year, organizer_region_code, title, status, created_by,"
        " created_at) VALUES ($1, $2, '371500', 'bench', 'open', 'bench-scale', now())",
        evaluation,
        year,
    )
    mediator = Actor(sub="bench-lawyer", role=Role.LAWYER, lawyer_id=lawyer)
    path = "/api/v1/statistics/cases"
    y = str(year)

    def stats(name: str, params: dict[str, str], run: Any, **extra: Any) -> Any:
        return scenario(
            f"statistics: {name}",
            params,
            run,
            path=extra.pop("path", path),
            target_ms=extra.pop("target_ms", TARGET_MS),
            note=extra.pop("note", "statistics"),
            explain_all=True,
            **extra,
        )

    return [
        stats(f"cases {year}", {"year": y}, _cases(year)),
        stats(f"cases {year} by month", {"year": y, "group_by": "month"}, _cases(year, "month")),
        stats(f"cases {year} by region", {"year": y, "group_by": "region"}, _cases(year, "region")),
        stats(
            f"cases {year} by respondent",
            {"year": y, "group_by": "respondent_agency"},
            _cases(year, "respondent_agency"),
        ),
        stats(
            f"cases {year + 1} by business system",
            {"year": str(year + 1), "group_by": "business_system"},
            _cases(year + 1, "business_system"),
        ),
        stats(
            f"cases {year} busiest respondent by channel",
            {"year": y, "group_by": "channel", "respondent_agency_id": str(busiest)},
            _cases(year, "channel", respondent_agency_id=busiest),
        ),
        stats(
            f"cases {year} as the busiest agency's officer",
            {"year": y},
            _cases(year, actor=officer),
            claims={"role": Role.AGENCY_OFFICER, "agency_id": busiest},
        ),
        stats(
            f"cases {year} as the busiest lawyer",
            {"year": y},
            _cases(year, actor=mediator),
            claims={"role": Role.LAWYER, "lawyer_id": lawyer},
        ),
        stats(
            f"cases {year} xlsx (with the months)",
            {"year": y, "format": "xlsx"},
            _cases(year),
            note="export; explains the report without the months",
        ),
        stats(
            f"cases {year} by month csv",
            {"year": y, "group_by": "month", "format": "csv"},
            _cases(year, "month"),
            note="export",
        ),
        stats(
            f"lawyers {year}",
            {"year": y},
            _lawyers(year),
            path="/api/v1/statistics/lawyers",
        ),
        stats(
            f"lawyers {year} xlsx",
            {"year": y, "format": "xlsx"},
            _lawyers(year),
            path="/api/v1/statistics/lawyers",
            note="export",
        ),
        # SPEC 2.14 / issue 14: the candidate lists under 300 ms.
        stats(
            f"candidates {year} individuals, city-wide",
            {"kind": "individual"},
            _candidates(evaluation, "individual"),
            path=f"/api/v1/evaluations/{evaluation}/candidates",
            note="candidates",
            target_ms=ARCHIVE_TARGET_MS,
            claims={"role": Role.SUPERVISOR},
        ),
        stats(
            f"candidates {year} units, city-wide",
            {"kind": "unit"},
            _candidates(evaluation, "unit"),
            path=f"/api/v1/evaluations/{evaluation}/candidates",
            note="candidates",
            target_ms=ARCHIVE_TARGET_MS,
            claims={"role": Role.SUPERVISOR},
        ),
        # SPEC 2.12 / issue 14: a lawyer's archive under 300 ms (the busiest lawyer's year).
        stats(
            f"archive {year} of the busiest lawyer",
            {"year": y},
            _archive(lawyer, year),
            path=f"/api/v1/lawyers/{lawyer}/archive",
            note="archive",
            target_ms=ARCHIVE_TARGET_MS,
        ),
    ]
