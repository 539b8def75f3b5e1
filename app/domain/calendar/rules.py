"""What a year's calendar must satisfy before it is stored (pure, no I/O)."""

from __future__ import annotations

from datetime import date

__all__ = ["FieldError", "calendar_errors"]

FieldError = dict[str, str]
_SATURDAY = 5


def calendar_errors(
    year: int, holidays: list[date], working_weekends: list[date]
) -> list[FieldError]:
    """Every problem with the body, each naming its field (``holidays.3``): a date outside
    ``year``, a date listed twice, a make-up working day that is not a Saturday or Sunday,
    a day that is both a holiday and a working day."""
    errors: list[FieldError] = []
    for name, dates in (("holidays", holidays), ("working_weekends", working_weekends)):
        seen: set[date] = set()
        for i, day in enumerate(dates):
            field = f"{name}.{i}"
            if day.year != year:
                errors.append(_error(field, f"{day.isoformat()} is not in {year}", "not_in_year"))
            if day in seen:
                errors.append(_error(field, f"{day.isoformat()} is listed twice", "duplicate_date"))
            seen.add(day)
    holiday_set = set(holidays)
    for i, day in enumerate(working_weekends):
        field = f"working_weekends.{i}"
        if day.weekday() < _SATURDAY:
            errors.append(
                _error(
                    field,
                    f"{day.isoformat()} is a weekday: a make-up working day is a weekend day",
                    "not_a_weekend",
                )
            )
        if day in holiday_set:
            errors.append(
                _error(
                    field,
                    f"{day.isoformat()} is also listed as a holiday",
                    "holiday_and_working_day",
                )
            )
    return errors


def _error(field: str, message: str, code: str) -> FieldError:
    return {"field": field, "message": message, "code": code}
