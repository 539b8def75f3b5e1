"""The ranking of evaluation candidates (SPEC 2.14; Art. 19): a documented formula, as data.

A candidate's score is the sum, over the figures of its year, of figure × weight; every
figure and what it added are shown with the rank, so the organizer can see why a candidate
stands where it does (as dispatch shows its reasons). Figures without a value (a rate with
nothing to divide, a satisfaction nobody gave) add nothing. Ties keep the order of names.

The weights say what the measures value: for a public lawyer, cases resolved and presided
first (Art. 7–9), their quality (resolution rate, satisfaction), then the learning and law
promotion of Art. 13–14 and typical cases (Art. 18); earlier honours are shown but not
scored (Art. 19 gives repeat honourees priority in promotion, not in the next selection).
For a unit: the pool kept to its quota (Art. 10), the corps growing (Art. 16), disputes
resolved inside the administrative system (Art. 12), and its lawyers' activities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

INDIVIDUAL_WEIGHTS: Mapping[str, float] = {
    "presided": 3.0,
    "participated": 1.0,
    "resolved": 4.0,
    "resolution_rate": 10.0,
    "satisfaction_average": 2.0,
    "confirmed_activities": 1.0,
    "training_hours": 0.25,
    "typical_selected": 5.0,
    "earlier_honours": 0.0,
}

UNIT_WEIGHTS: Mapping[str, float] = {
    "pool_compliant": 5.0,
    "lawyers_active": 1.0,
    "lawyers_new": 2.0,
    "cases_as_respondent": 0.0,
    "resolved_inside_share": 20.0,
    "lawyer_activities": 0.5,
}

Figures = Mapping[str, float | int | None]


@dataclass(frozen=True)
class Scored:
    key: str  # the candidate's id, as text
    name: str
    figures: Figures
    contributions: dict[str, float]
    score: float


def score(figures: Figures, weights: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """The score and what each weighted figure added to it."""
    contributions = {
        name: round(float(figures.get(name) or 0) * weight, 4) for name, weight in weights.items()
    }
    return round(sum(contributions.values()), 4), contributions


def rank(
    candidates: Sequence[tuple[str, str, Figures]], weights: Mapping[str, float]
) -> list[Scored]:
    """(key, name, figures) → scored, best first; equal scores by name, then key."""
    scored = []
    for key, name, figures in candidates:
        total, contributions = score(figures, weights)
        scored.append(Scored(key, name, figures, contributions, total))
    return sorted(scored, key=lambda c: (-c.score, c.name, c.key))
