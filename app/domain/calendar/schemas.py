"""A year's working-day calendar in and out."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ConfigDict, Field

from app.domain.common.schema import InputModel, OutputModel

MIN_YEAR, MAX_YEAR = 2000, 2100


class CalendarYearIn(InputModel):
    holidays: list[date] = Field(
        max_length=100,
        description="Every day off of the year's holiday blocks (weekend days included)",
    )
    working_weekends: list[date] = Field(
        max_length=30, description="Saturdays and Sundays announced as working days (调休)"
    )
    source: str = Field(min_length=1, max_length=500, description="The notice the dates come from")

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "holidays": ["2026-01-01", "2026-01-02", "2026-01-03"],
                    "working_weekends": ["2026-01-04"],
                    "source": "国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号)",
                }
            ]
        },
    )


class CalendarYearOut(OutputModel):
    year: int
    holidays: list[date]
    working_weekends: list[date]
    source: str
    updated_at: datetime
    updated_by: str
