"""Statutory remedy deadlines (法定期限) derived at intake (SPEC 2.5).

Three deadlines are shown on a case, each with the article relied on:

* reconsideration (行政复议): 行政复议法 (2023) art. 20, 60 days from ``known_on``;
* litigation (行政诉讼): 行政诉讼法 art. 46(1), 6 months from ``known_on``;
* the outer limit of litigation: 行政诉讼法 art. 46(2), 5 years from ``made_on``, or 20 years
  when the act concerns real property (不动产).

Periods are counted by :mod:`app.domain.common.periods` (the start day is not counted; a last
day falling on a rest day rolls to the next working day).

Decisions (the "why" a newcomer will ask about):

* Each entry is the last day on which that remedy can still be used. So the reconsideration
  deadline is also capped by 行政复议法 art. 21 (5 / 20 years from ``made_on``) and the
  litigation deadline by art. 46(2); the cap only binds when ``known_on`` lies years after
  ``made_on``, and ``basis`` then names the cap's article.
* Missing ``known_on``: the 60-day and 6-month periods are counted from ``made_on`` instead, and
  ``basis`` says so (``Deadline.estimated`` is True). The applicant cannot learn of an act
  before it is made, so ``known_on >= made_on`` and the estimate is the *earliest* the real
  deadline can be. Leaving the entries empty would hide the one thing the warning exists for;
  an early estimate errs on the side of the citizen (the coordinator is warned too soon, never
  too late), and the wording tells the reader the real date is no earlier.
* ``warning`` is True when a deadline that has not yet passed is at most ``warning_days``
  away (``0 <= days_left <= warning_days``; the due day itself still counts as open, since an
  application may be filed on it). A passed deadline never raises the flag by itself: that
  remedy is already lost, and mediation can no longer cost it. But every still-open remedy
  matters, not only the last one: with reconsideration 10 days away and litigation months away
  the case is flagged, because mediating past day 60 would silently cost the citizen
  reconsideration. In other words the flag looks at the *nearest still-open* deadline
  (:meth:`Deadlines.nearest_open`). When every deadline has passed, or none can be computed,
  the flag is False; the negative ``days_left`` (or the missing dates) speak for themselves.
* ``calendar_complete`` is False when any period consulted a year without holiday data. The
  5-year outer limit of an act made in 2022 or later lands after the seeded years, so in
  practice the overall flag is often False; each :class:`Deadline` therefore carries its own
  flag as well, so a caller can tell that the near deadlines are final.

Not modelled (need facts the intake form does not collect): a longer period set by another
law (art. 20(1) proviso), time lost to force majeure (art. 20(2)), and an act whose remedies
were never explained to the applicant (art. 20(3): then counted from when they learned of
the remedy, at most one year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypedDict

from app.domain.common.enums import DeadlineKind
from app.domain.common.periods import PeriodEnd, add_days, add_months, add_years
from app.domain.common.workdays import WorkdayCalendar, default_calendar

__all__ = [
    "BASIS_LITIGATION",
    "BASIS_OUTER_LIMIT_OTHER",
    "BASIS_OUTER_LIMIT_REAL_PROPERTY",
    "BASIS_RECONSIDERATION",
    "BASIS_RECONSIDERATION_LIMIT_OTHER",
    "BASIS_RECONSIDERATION_LIMIT_REAL_PROPERTY",
    "ESTIMATED_FROM_MADE_ON",
    "Deadline",
    "DeadlineDict",
    "Deadlines",
    "DeadlinesDict",
    "compute_deadlines",
]

RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6
OUTER_LIMIT_YEARS = 5
OUTER_LIMIT_YEARS_REAL_PROPERTY = 20

BASIS_RECONSIDERATION = (
    "《中华人民共和国行政复议法》(2023年修订)第二十条第一款: "
    "自知道或者应当知道该行政行为之日起六十日内提出行政复议申请"
)
BASIS_RECONSIDERATION_LIMIT_OTHER = (
    "《中华人民共和国行政复议法》(2023年修订)第二十一条: "
    "行政复议申请自行政行为作出之日起超过五年的, 行政复议机关不予受理"
)
BASIS_RECONSIDERATION_LIMIT_REAL_PROPERTY = (
    "《中华人民共和国行政复议法》(2023年修订)第二十一条: "
    "因不动产提出的行政复议申请自行政行为作出之日起超过二十年的, 行政复议机关不予受理"
)
BASIS_LITIGATION = (
    "《中华人民共和国行政诉讼法》第四十六条第一款: 自知道或者应当知道作出行政行为之日起六个月内提出"
)
BASIS_OUTER_LIMIT_OTHER = (
    "《中华人民共和国行政诉讼法》第四十六条第二款: "
    "其他案件自行政行为作出之日起超过五年提起诉讼的, 人民法院不予受理"
)
BASIS_OUTER_LIMIT_REAL_PROPERTY = (
    "《中华人民共和国行政诉讼法》第四十六条第二款: "
    "因不动产提起诉讼的案件自行政行为作出之日起超过二十年提起诉讼的, 人民法院不予受理"
)
ESTIMATED_FROM_MADE_ON = (
    "(未登记知道该行政行为的日期, 暂自行政行为作出之日起算; 实际届满日不早于此日)"
)

# A year without holiday data counts weekends only. Once its notice is published a date can
# move later (a new holiday) or up to two days earlier (a make-up working weekend), so when
# two candidates are this close the choice between them is provisional too.
_CHOICE_MARGIN = timedelta(days=7)


class DeadlineDict(TypedDict):
    due_on: str
    days_left: int
    basis: str


class DeadlinesDict(TypedDict):
    reconsideration: DeadlineDict | None
    litigation: DeadlineDict | None
    litigation_outer_limit: DeadlineDict | None
    warning: bool
    calendar_complete: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last day a remedy can be used, as of ``today``.

    ``calendar_complete`` is this deadline's own flag (see the module docstring);
    ``estimated`` is True when it was counted from ``made_on`` because ``known_on`` is unknown.
    """

    due_on: date
    days_left: int
    basis: str
    calendar_complete: bool = True
    estimated: bool = False

    @property
    def passed(self) -> bool:
        """Whether the last day is behind us (the due day itself is still open)."""
        return self.days_left < 0

    def as_dict(self) -> DeadlineDict:
        """The SPEC 2.5 shape: ``{"due_on", "days_left", "basis"}``."""
        return {"due_on": self.due_on.isoformat(), "days_left": self.days_left, "basis": self.basis}


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The three remedy deadlines of a case, the warning flag and calendar completeness."""

    reconsideration: Deadline | None
    litigation: Deadline | None
    litigation_outer_limit: Deadline | None
    warning: bool
    calendar_complete: bool

    def items(self) -> list[tuple[DeadlineKind, Deadline]]:
        """The deadlines that could be computed, keyed by kind, in SPEC order."""
        pairs = (
            (DeadlineKind.RECONSIDERATION, self.reconsideration),
            (DeadlineKind.LITIGATION, self.litigation),
            (DeadlineKind.LITIGATION_OUTER_LIMIT, self.litigation_outer_limit),
        )
        return [(kind, deadline) for kind, deadline in pairs if deadline is not None]

    def nearest_open(self) -> tuple[DeadlineKind, Deadline] | None:
        """The still-open deadline due first (ties go to the kind listed first), or None."""
        open_ = [(kind, dl) for kind, dl in self.items() if not dl.passed]
        return min(open_, key=lambda pair: pair[1].due_on) if open_ else None

    def as_dict(self) -> DeadlinesDict:
        """The SPEC 2.5 ``deadlines`` shape (entries that cannot be computed are null)."""
        return {
            "reconsideration": _entry(self.reconsideration),
            "litigation": _entry(self.litigation),
            "litigation_outer_limit": _entry(self.litigation_outer_limit),
            "warning": self.warning,
            "calendar_complete": self.calendar_complete,
        }


def compute_deadlines(
    *,
    known_on: date | None,
    made_on: date | None,
    real_property: bool,
    today: date,
    warning_days: int,
    calendar: WorkdayCalendar | None = None,
) -> Deadlines:
    """Derive the remedy deadlines of an act made on ``made_on`` and learned of on ``known_on``.

    ``today`` is the Asia/Shanghai date the figures are read on, ``warning_days`` the policy's
    ``deadline_warning_days``. Either date may be missing; see the module docstring for what
    is then shown. Dates are taken as given: intake validates their order and plausibility.
    """
    if warning_days < 0:
        raise ValueError(f"warning_days must not be negative, got {warning_days}")
    cal = calendar if calendar is not None else default_calendar()

    start, estimated = (known_on, False) if known_on is not None else (made_on, True)
    suffix = ESTIMATED_FROM_MADE_ON if estimated else ""

    outer_years = OUTER_LIMIT_YEARS_REAL_PROPERTY if real_property else OUTER_LIMIT_YEARS
    outer: list[_Candidate] = []
    recon_cap: list[_Candidate] = []
    if made_on is not None:
        outer_end = add_years(made_on, outer_years, cal)
        outer_basis = BASIS_OUTER_LIMIT_REAL_PROPERTY if real_property else BASIS_OUTER_LIMIT_OTHER
        cap_basis = (
            BASIS_RECONSIDERATION_LIMIT_REAL_PROPERTY
            if real_property
            else BASIS_RECONSIDERATION_LIMIT_OTHER
        )
        # Both laws use the same 5 / 20 years from the same day, so one computation serves.
        outer = [_Candidate(outer_end, outer_basis, estimated=False)]
        recon_cap = [_Candidate(outer_end, cap_basis, estimated=False)]

    reconsideration = litigation = None
    if start is not None:
        recon_end = add_days(start, RECONSIDERATION_DAYS, cal)
        lit_end = add_months(start, LITIGATION_MONTHS, cal)
        reconsideration = _earliest(
            [_Candidate(recon_end, BASIS_RECONSIDERATION + suffix, estimated), *recon_cap], today
        )
        litigation = _earliest(
            [_Candidate(lit_end, BASIS_LITIGATION + suffix, estimated), *outer], today
        )
    outer_limit = _earliest(outer, today) if outer else None

    found = [d for d in (reconsideration, litigation, outer_limit) if d is not None]
    return Deadlines(
        reconsideration=reconsideration,
        litigation=litigation,
        litigation_outer_limit=outer_limit,
        warning=any(0 <= d.days_left <= warning_days for d in found),
        calendar_complete=all(d.calendar_complete for d in found),
    )


@dataclass(frozen=True, slots=True)
class _Candidate:
    end: PeriodEnd
    basis: str
    estimated: bool


def _earliest(candidates: list[_Candidate], today: date) -> Deadline:
    """The candidate due first (the first listed on a tie): a remedy ends at its first bar."""
    chosen = min(candidates, key=lambda c: c.end.due_on)
    due_on = chosen.end.due_on
    # The choice is only as final as every candidate close enough to have won it instead.
    complete = all(
        c.end.calendar_complete for c in candidates if c.end.due_on - due_on <= _CHOICE_MARGIN
    )
    return Deadline(
        due_on=due_on,
        days_left=(due_on - today).days,
        basis=chosen.basis,
        calendar_complete=complete,
        estimated=chosen.estimated,
    )


def _entry(deadline: Deadline | None) -> DeadlineDict | None:
    return deadline.as_dict() if deadline is not None else None
