"""Pool rules that need no database (SPEC 2.4, Art. 10)."""

from __future__ import annotations

from app.states.codes import PoolCompliance


def nomination_years(current_year: int) -> tuple[int, int]:
    """Nominations are taken for the current and the next year only."""
    return current_year, current_year + 1


def compliance_status(approved: int, *, minimum: int, maximum: int) -> PoolCompliance:
    if approved < minimum:
        return PoolCompliance.BELOW
    if approved > maximum:
        return PoolCompliance.OVER
    return PoolCompliance.WITHIN
