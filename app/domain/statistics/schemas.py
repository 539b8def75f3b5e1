"""The statistics' shapes (SPEC 2.15); every figure carries its definition."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from app.domain.common.schema import OutputModel
from app.domain.statistics.definitions import CASE_DEFINITIONS as C
from app.domain.statistics.definitions import LAWYER_DEFINITIONS as L

CaseGroupBy = Literal["month", "region", "business_system", "respondent_agency", "channel"]


class CaseFigures(OutputModel):
    received: int = Field(description=C["received"])
    received_by_channel: dict[str, int] = Field(description=C["received"])
    classified_administrative_dispute: int = Field(
        description=C["classified_administrative_dispute"]
    )
    not_administrative_dispute: int = Field(description=C["not_administrative_dispute"])
    dispatched: int = Field(description=C["dispatched"])
    collective: int = Field(description=C["collective"])
    deadline_passed_while_open: int = Field(description=C["deadline_passed_while_open"])
    closed: int = Field(description=C["closed"])
    closed_by_outcome: dict[str, int] = Field(description=C["closed"])
    resolved: int = Field(description=C["resolved"])
    resolution_rate: float | None = Field(description=C["resolution_rate"])
    referred_by_channel: dict[str, int] = Field(description=C["referred_by_channel"])
    open_at_end: int = Field(description=C["open_at_end"])
    days_to_close_median: float | None = Field(description=C["days_to_close"])
    days_to_close_p90: float | None = Field(description=C["days_to_close"])
    offers_accepted: int = Field(description=C["offers"])
    offers_declined: int = Field(description=C["offers"])
    offers_expired: int = Field(description=C["offers"])
    acceptance_rate: float | None = Field(description=C["acceptance_rate"])
    satisfaction_average: float | None = Field(description=C["satisfaction"])
    satisfaction_count: int = Field(description=C["satisfaction"])
    agreements_fulfilled: int = Field(description=C["agreements"])
    agreements_breached: int = Field(description=C["agreements"])


class CaseGroup(CaseFigures):
    key: str = Field(
        description="The group: YYYY-MM, a region code, a business-system code, an agency id "
        "or a channel code",
        examples=["2026-03"],
    )
    label: str = Field(description="The group's name for people", examples=["2026年3月"])


class CaseFilters(OutputModel):
    region_code: str | None = None
    business_system: str | None = None
    respondent_agency_id: uuid.UUID | None = None


class CaseStatisticsOut(OutputModel):
    year: int = Field(examples=[2026])
    period_from: date = Field(description=C["period"])
    period_to: date = Field(description="The period's last day (inclusive)")
    time_zone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    filters: CaseFilters
    group_by: CaseGroupBy | None
    total: CaseFigures
    groups: list[CaseGroup] = Field(
        description="One row per group when group_by is given (every month with months; "
        "otherwise the groups that have any figure), empty without it"
    )
    definitions: dict[str, str] = Field(description="What every figure means")


class AgencyLawyerFigures(OutputModel):
    active_at_year_end: int = Field(description=L["active_at_year_end"])
    new_in_year: int = Field(description=L["new_in_year"])
    pool_members: int = Field(description=L["pool_members"])
    cases_presided: int = Field(description=L["cases_presided"])
    activities_by_kind: dict[str, int] = Field(description=L["activities_by_kind"])
    training_hours: float = Field(description=L["training_hours"])


class AgencyLawyerRow(AgencyLawyerFigures):
    agency_id: uuid.UUID
    agency_name: str
    region_code: str


class LawyerFilters(OutputModel):
    agency_id: uuid.UUID | None = None
    business_system: str | None = None


class LawyerStatisticsOut(OutputModel):
    year: int = Field(examples=[2026])
    period_from: date
    period_to: date
    time_zone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    filters: LawyerFilters
    total: AgencyLawyerFigures
    agencies: list[AgencyLawyerRow] = Field(description="Per agency, by region and name")
    notes: list[str] = Field(description="What the figures cannot show yet, and why")
    definitions: dict[str, str]
