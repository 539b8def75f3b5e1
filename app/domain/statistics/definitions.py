"""What every statistic means (SPEC 2.15), written down once.

The texts below are the definitions: the OpenAPI descriptions, the exports' definitions
sheet and docs/decisions.md show them; the queries (app/db/repositories/statistics.py) and
the assembly (app/domain/statistics/cases.py, lawyers.py) implement them. Pure: no I/O, no
framework.

Three cohorts, because a year's report answers three questions:
- *received in the period*: what came in (and what became of it so far);
- *closed in the period*: how cases ended, and how long they took;
- *the state on the period's last day*: what was still open.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from app.clock import SHANGHAI
from app.states.codes import RESOLVED_OUTCOMES, OutcomeType

CASE_DEFINITIONS: dict[str, str] = {
    "period": (
        "The calendar year Y in Asia/Shanghai: from Y-01-01 00:00 to Y+1-01-01 00:00 "
        "(+08:00). With group_by=month each row is a calendar month of that year."
    ),
    "received": (
        "Cases whose received_at falls in the period, in total and by intake channel "
        "(received_by_channel)."
    ),
    "classified_administrative_dispute": (
        "Of the cases received in the period, those classified as administrative disputes "
        "(all four Art. 5 conditions met in their current classification)."
    ),
    "not_administrative_dispute": (
        "Of the cases received in the period, those closed as not_administrative_dispute."
    ),
    "dispatched": (
        "Of the cases received in the period, those that have received a presiding offer "
        "(统一委派), whenever it was made."
    ),
    "collective": "Of the cases received in the period, the collective ones (集体争议).",
    "deadline_passed_while_open": (
        "Of the cases received in the period, those with a stored remedy deadline "
        "(reconsideration, litigation or its outer limit) whose last day fell on or after the "
        "day of receipt and before the day of closing, or before today while still open: "
        "the applicant lost a remedy while the case was with the center."
    ),
    "closed": (
        "Cases closed in the period: the current outcome was recorded (closed_at) in the "
        "period. In total and by outcome type (closed_by_outcome). A late recording counts "
        "in the period it was recorded in, so a published period does not change."
    ),
    "resolved": (
        "Of the cases closed in the period, those whose outcome counts as resolved (化解成功): "
        "reconciled, mediated, act_corrected, explained, withdrawn."
    ),
    "resolution_rate": (
        "resolved / (closed − not_administrative_dispute closed in the period), rounded to "
        "four decimals; null when nothing was closed but as not an administrative dispute."
    ),
    "referred_by_channel": (
        "Of the cases closed in the period, those referred to another channel: "
        "reconsideration (referred_reconsideration), litigation (referred_litigation), "
        "adjudication (referred_adjudication)."
    ),
    "open_at_end": (
        "Cases received before the end of the period's last day (Asia/Shanghai) and not "
        "closed at that moment (earlier closures of reopened cases count as closed for the "
        "time they lasted). With group_by=month: at the end of each month."
    ),
    "days_to_close": (
        "Of the cases closed in the period, other than not_administrative_dispute: calendar "
        "days from the day of receipt to the day of closing (both Asia/Shanghai dates). "
        "days_to_close_median and days_to_close_p90 interpolate linearly between the "
        "nearest ranks (as PostgreSQL's percentile_cont); null when none closed."
    ),
    "offers": (
        "Offers (presiding and participating) made in the period: offers_accepted (accepted, "
        "completed, or withdrawn after acceptance), offers_declined (declined, including work "
        "conflicts the agency released), offers_expired (not answered or not ruled on in "
        "time). Offers still open or withdrawn unanswered are in none of the three."
    ),
    "acceptance_rate": (
        "offers_accepted / (offers_accepted + offers_declined + offers_expired), four "
        "decimals; null when there is none."
    ),
    "satisfaction": (
        "Of the cases closed in the period, the satisfaction scores (1..5) recorded on their "
        "current outcome: satisfaction_average (two decimals; null without any) over "
        "satisfaction_count scores."
    ),
    "agreements": (
        "Of the cases closed in the period, the agreements whose performance (履行情况) was "
        "recorded: agreements_fulfilled and agreements_breached."
    ),
    "visibility": (
        "admin, supervisor and center_coordinator count every case; an agency_officer the "
        "cases where its agency is respondent or intake agency; a lawyer the cases they hold "
        "or held an assignment on, and only their own offers."
    ),
}

LAWYER_DEFINITIONS: dict[str, str] = {
    "active_at_year_end": (
        "Public lawyers of the agency whose certificate was issued on or before Dec 31 of Y "
        "and was active at the end of Y: active now and unchanged since, or changed after "
        "the year's end from an active state (the last change is what is recorded)."
    ),
    "new_in_year": "Public lawyers of the agency whose certificate was issued in Y (Art. 16).",
    "pool_members": "Approved mediator-pool memberships of the agency for Y (Art. 10).",
    "cases_presided": (
        "Distinct cases whose presiding offer, made in Y to a lawyer of the agency, was "
        "accepted (accepted, completed, or withdrawn after acceptance)."
    ),
    "activities_by_kind": (
        "Confirmed activities (SPEC 2.11) that occurred in Y, by kind: on an agency's row, "
        "those crediting at least one of its lawyers (an activity of two agencies' lawyers "
        "counts on both rows, once in the total per agency); the total adds the rows."
    ),
    "training_hours": (
        "Hours of confirmed training activities that occurred in Y, summed over the lawyers "
        "who took part (a 6-hour course three of the agency's lawyers attended is 18 hours)."
    ),
    "business_system": (
        "The business_system filter narrows the lawyers to those with that specialty; "
        "their figures are whole."
    ),
    "visibility": (
        "admin, supervisor and center_coordinator see every agency; an agency_officer its "
        "own agency; a lawyer only themself (on their agency's row)."
    ),
}

REFERRAL_CHANNELS: dict[str, OutcomeType] = {
    "reconsideration": OutcomeType.REFERRED_RECONSIDERATION,
    "litigation": OutcomeType.REFERRED_LITIGATION,
    "adjudication": OutcomeType.REFERRED_ADJUDICATION,
}

# GB/T 2260 names of Liaocheng's divisions (SPEC 2.1); a code not listed shows as itself.
REGION_NAMES: dict[str, str] = {
    "371500": "聊城市",
    "371502": "东昌府区",
    "371503": "茌平区",
    "371521": "阳谷县",
    "371522": "莘县",
    "371524": "东阿县",
    "371525": "冠县",
    "371526": "高唐县",
    "371581": "临清市",
}

RESOLVED_CODES = frozenset(o.value for o in RESOLVED_OUTCOMES)
NOT_ADMINISTRATIVE = OutcomeType.NOT_ADMINISTRATIVE_DISPUTE.value


def shanghai_midnight(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Asia/Shanghai."""
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar year in Asia/Shanghai, with the instants its months end at."""

    year: int

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 12, 31)

    @property
    def start(self) -> datetime:
        return shanghai_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Exclusive: the first instant of the next year."""
        return shanghai_midnight(date(self.year + 1, 1, 1))

    @property
    def month_ends(self) -> tuple[datetime, ...]:
        """Twelve exclusive month ends; the last is ``end``."""
        return tuple(
            shanghai_midnight(date(self.year + (m == 12), m % 12 + 1, 1)) for m in range(1, 13)
        )

    def month_key(self, month: int) -> str:
        return f"{self.year}-{month:02d}"


def ratio(numerator: int, denominator: int, digits: int = 4) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def percentile(histogram: Mapping[int, int], share: float) -> float | None:
    """The ``share`` percentile of the values counted in ``histogram`` ({value: count}),
    interpolated linearly between the nearest ranks, as PostgreSQL's percentile_cont."""
    total = sum(histogram.values())
    if total == 0:
        return None
    position = share * (total - 1)
    lower_rank, upper_rank = math.floor(position), math.ceil(position)
    lower = upper = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if lower is None and seen > lower_rank:
            lower = value
        if seen > upper_rank:
            upper = value
            break
    assert lower is not None
    assert upper is not None
    return round(lower + (upper - lower) * (position - lower_rank), 2)


def open_at_month_ends(buckets: Iterable[tuple[int, int, int]]) -> list[int]:
    """Open cases at the end of each month (index 0 = January), from (r, c, n): n cases
    received by the end of month r (1..12) and closed before the end of month c (1..12; 13:
    not closed by the year's end). A case is open at the end of month k when r <= k < c."""
    open_counts = [0] * 12
    for received, closed, n in buckets:
        for k in range(received, min(closed, 13)):
            open_counts[k - 1] += n
    return open_counts
