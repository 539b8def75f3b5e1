"""Statutory remedy deadlines (法定期限) of a case (SPEC 2.5): a pure function of the act's
facts, today and the working-day calendar.

Up to three deadlines are shown, each the last day a remedy can be used, with the articles
relied on (the constants of :mod:`app.domain.cases.legal_basis`):

* reconsideration (行政复议): 60 days (复议法 2023 art. 20(1)), capped by art. 21 (5 / 20 years
  from ``made_on``);
* litigation (行政诉讼): 6 months (行诉法 art. 46(1)), capped by art. 46(2);
* the litigation outer limit: 5 years from ``made_on``, 20 for real property (art. 46(2)).

Which period runs from which day depends on the path (docs/decisions.md has each reading):

* the plain act: from ``known_on`` (estimated from ``made_on`` when unknown: the earliest the
  real date can be, said in ``basis`` and ``notes``);
* the organ never explained the remedy (``remedy_notice_given`` False; 复议法 art. 20(3),
  行诉解释 art. 64): from the day the applicant was told (the center's recorded notice),
  capped at one year from ``known_on``; until told, the cap is the due date;
* inaction: from the end of the organ's time to act (``performance_due_on``, else two months
  after ``applied_on`` for litigation, 行诉法 art. 47 and 行诉解释 art. 66, and 60 days for
  reconsideration, 复议法实施条例 art. 16); no outer limit (no act was made);
* after a reconsideration decision: litigation 15 days from its receipt (行诉法 art. 45); no
  reconsideration deadline and no outer limit any more;
* reconsideration first (复议法 art. 23): no litigation deadline runs from the act; a note
  says so and the reconsideration deadline is the one that counts.

Periods are counted by :mod:`app.domain.common.periods` (start day excluded, a last day on a
rest day rolls to the next working day); ``basis`` cites the roll-over article only when it
moved the date (复议法 art. 88 for reconsideration, 行诉法 art. 101 for litigation, both
applying 民事诉讼法 art. 85).

``warning`` is computed from the nearest *live* remedy: a deadline not yet passed
(``0 <= days_left``) within ``warning_days``. A shown deadline with negative ``days_left`` is
a remedy really lost; one that was used (reconsideration applied for) or does not run
(reconsideration first, no organ's time yet) is not shown at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypedDict

from app.domain.cases import legal_basis as law
from app.domain.common.periods import PeriodEnd, add_days, add_months, add_years, nominal_months
from app.domain.common.workdays import WorkdayCalendar
from app.states.codes import ActType, DeadlineKind

__all__ = [
    "Deadline",
    "DeadlineDict",
    "Deadlines",
    "DeadlinesDict",
    "RemedyFacts",
    "compute_deadlines",
    "resolve_real_property",
    "resolve_reconsideration_first",
]

RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6
AFTER_RECONSIDERATION_DAYS = 15
NOT_TOLD_CAP_YEARS = 1
INACTION_LITIGATION_MONTHS = 2
INACTION_RECONSIDERATION_DAYS = 60
OUTER_LIMIT_YEARS = 5
OUTER_LIMIT_YEARS_REAL_PROPERTY = 20

# A year without holiday data counts weekends only. Once its notice is published a date can
# move later (a new holiday) or up to two days earlier (a make-up working weekend), so when
# two candidates are this close the choice between them is provisional too.
_CHOICE_MARGIN = timedelta(days=7)


def resolve_real_property(act_type: ActType, given: bool | None) -> bool:
    """``act.real_property``: as given, else true for expropriation (征收征用 concerns land
    and houses), false otherwise."""
    return given if given is not None else act_type is ActType.EXPROPRIATION


def resolve_reconsideration_first(
    act_type: ActType, *, refused: bool | None, given: bool | None
) -> bool:
    """``act.reconsideration_first`` (复议法 2023 art. 23): as given, else true for inaction
    (art. 23(1)(3)) and for a refused information disclosure (art. 23(1)(4)). The other cases
    of art. 23 (on-the-spot penalties, acquired natural-resource rights, other laws) depend on
    facts the form does not hold, so the center sets the flag for them."""
    if given is not None:
        return given
    if act_type is ActType.INACTION:
        return True
    return act_type is ActType.INFORMATION_DISCLOSURE and refused is True


@dataclass(frozen=True, slots=True)
class RemedyFacts:
    """What the deadlines are counted from: the act's dates and flags, the reconsideration
    decision (from ``related_procedures``) and the day the center told the applicant."""

    act_type: ActType
    made_on: date | None = None
    known_on: date | None = None
    real_property: bool | None = None
    remedy_notice_given: bool = True
    applied_on: date | None = None
    performance_due_on: date | None = None
    refused: bool | None = None
    reconsideration_first: bool | None = None
    reconsideration_decided_on: date | None = None
    reconsideration_received_on: date | None = None
    told_on: date | None = None


class DeadlineDict(TypedDict):
    due_on: str
    days_left: int
    basis: str
    provisional: bool


class DeadlinesDict(TypedDict):
    reconsideration: DeadlineDict | None
    litigation: DeadlineDict | None
    litigation_outer_limit: DeadlineDict | None
    warning: bool
    calendar_complete: bool
    notes: list[str]


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last day a remedy can be used, as of ``today``. ``provisional`` when a year
    consulted has no calendar data (weekends only); ``estimated`` when counted from
    ``made_on`` (or ``decided_on``) because the later date is unknown."""

    due_on: date
    days_left: int
    basis: str
    provisional: bool = False
    estimated: bool = False

    @property
    def passed(self) -> bool:
        """Whether the last day is behind us (the due day itself is still open)."""
        return self.days_left < 0

    def as_dict(self) -> DeadlineDict:
        """The SPEC 2.5 shape: ``{"due_on", "days_left", "basis", "provisional"}``."""
        return {
            "due_on": self.due_on.isoformat(),
            "days_left": self.days_left,
            "basis": self.basis,
            "provisional": self.provisional,
        }


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The remedy deadlines of a case, the warning flag, calendar completeness and notes."""

    reconsideration: Deadline | None
    litigation: Deadline | None
    litigation_outer_limit: Deadline | None
    warning: bool
    calendar_complete: bool
    notes: tuple[str, ...] = field(default=())

    def items(self) -> list[tuple[DeadlineKind, Deadline]]:
        """The deadlines shown, keyed by kind, in SPEC order."""
        pairs = (
            (DeadlineKind.RECONSIDERATION, self.reconsideration),
            (DeadlineKind.LITIGATION, self.litigation),
            (DeadlineKind.LITIGATION_OUTER_LIMIT, self.litigation_outer_limit),
        )
        return [(kind, deadline) for kind, deadline in pairs if deadline is not None]

    def nearest_live(self) -> tuple[DeadlineKind, Deadline] | None:
        """The remedy still open that is due first (ties go to the kind listed first)."""
        live = [(kind, dl) for kind, dl in self.items() if not dl.passed]
        return min(live, key=lambda pair: pair[1].due_on) if live else None

    def as_dict(self) -> DeadlinesDict:
        """The SPEC 2.5 ``deadlines`` shape."""
        return {
            "reconsideration": _entry(self.reconsideration),
            "litigation": _entry(self.litigation),
            "litigation_outer_limit": _entry(self.litigation_outer_limit),
            "warning": self.warning,
            "calendar_complete": self.calendar_complete,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class _Candidate:
    end: PeriodEnd
    basis: str
    rollover: str
    estimated: bool = False


def compute_deadlines(
    facts: RemedyFacts, *, today: date, warning_days: int, calendar: WorkdayCalendar
) -> Deadlines:
    """The deadlines of an act with these ``facts``, read on ``today`` (Asia/Shanghai), with
    the policy's ``deadline_warning_days``. Dates are taken as given: intake has checked
    their order and that none lies in the future."""
    if warning_days < 0:
        raise ValueError(f"warning_days must not be negative, got {warning_days}")
    notes: list[str] = []
    recon: list[_Candidate] = []
    lit: list[_Candidate] = []
    outer: list[_Candidate] = []
    received = facts.reconsideration_received_on or facts.reconsideration_decided_on
    if received is not None:
        lit = _after_reconsideration(facts, received, calendar)
        notes.append(law.NOTE_AFTER_RECONSIDERATION)
    elif facts.act_type is ActType.INACTION:
        recon, lit = _inaction(facts, calendar, notes)
    else:
        recon, lit, outer = _from_the_act(facts, calendar, notes)
    if received is None and resolve_reconsideration_first(
        facts.act_type, refused=facts.refused, given=facts.reconsideration_first
    ):
        lit, outer = [], []
        notes.append(law.NOTE_RECONSIDERATION_FIRST)

    shown = (
        _earliest(recon, today) if recon else None,
        _earliest(lit, today) if lit else None,
        _earliest(outer, today) if outer else None,
    )
    found = [d for d in shown if d is not None]
    return Deadlines(
        reconsideration=shown[0],
        litigation=shown[1],
        litigation_outer_limit=shown[2],
        # The nearest live remedy is within the window exactly when any live one is.
        warning=any(0 <= d.days_left <= warning_days for d in found),
        calendar_complete=not any(d.provisional for d in found),
        notes=tuple(notes),
    )


def _after_reconsideration(
    facts: RemedyFacts, received: date, calendar: WorkdayCalendar
) -> list[_Candidate]:
    """行诉法 art. 45: 15 days from receipt of the decision (from ``decided_on`` when the
    receipt is not recorded: the earliest it can be)."""
    estimated = facts.reconsideration_received_on is None
    basis = law.BASIS_AFTER_RECONSIDERATION + (law.ESTIMATED_FROM_DECIDED_ON if estimated else "")
    end = add_days(received, AFTER_RECONSIDERATION_DAYS, calendar)
    return [_Candidate(end, basis, law.ROLLOVER_LITIGATION, estimated)]


def _inaction(
    facts: RemedyFacts, calendar: WorkdayCalendar, notes: list[str]
) -> tuple[list[_Candidate], list[_Candidate]]:
    """Both periods run from the end of the organ's time to act. That end is the organ's
    own deadline, not the applicant's, so it is not rolled over (the reading that shows the
    applicant the earlier date)."""
    if facts.applied_on is None:
        notes.append(law.NOTE_INACTION_NEEDS_APPLIED_ON)
        return [], []
    if facts.performance_due_on is not None:
        lit_from = recon_from = facts.performance_due_on
        lit_basis, recon_basis = (
            law.BASIS_INACTION_LITIGATION_DUE,
            law.BASIS_INACTION_RECONSIDERATION_DUE,
        )
    else:
        lit_from = nominal_months(facts.applied_on, INACTION_LITIGATION_MONTHS)
        recon_from = facts.applied_on + timedelta(days=INACTION_RECONSIDERATION_DAYS)
        lit_basis, recon_basis = law.BASIS_INACTION_LITIGATION, law.BASIS_INACTION_RECONSIDERATION
    recon = _Candidate(
        add_days(recon_from, RECONSIDERATION_DAYS, calendar),
        recon_basis,
        law.ROLLOVER_RECONSIDERATION,
    )
    lit = _Candidate(
        add_months(lit_from, LITIGATION_MONTHS, calendar), lit_basis, law.ROLLOVER_LITIGATION
    )
    return [recon], [lit]


def _from_the_act(
    facts: RemedyFacts, calendar: WorkdayCalendar, notes: list[str]
) -> tuple[list[_Candidate], list[_Candidate], list[_Candidate]]:
    """The plain act, or one whose remedy was never explained, with the outer limits."""
    recon: list[_Candidate] = []
    lit: list[_Candidate] = []
    outer: list[_Candidate] = []
    recon_cap: list[_Candidate] = []
    if facts.made_on is not None:
        real_property = resolve_real_property(facts.act_type, facts.real_property)
        years = OUTER_LIMIT_YEARS_REAL_PROPERTY if real_property else OUTER_LIMIT_YEARS
        # Both laws bar the same 5 / 20 years from the same day: one computation serves.
        end = add_years(facts.made_on, years, calendar)
        outer = [
            _Candidate(
                end,
                law.BASIS_OUTER_LIMIT_REAL_PROPERTY
                if real_property
                else law.BASIS_OUTER_LIMIT_OTHER,
                law.ROLLOVER_LITIGATION,
            )
        ]
        recon_cap = [
            _Candidate(
                end,
                law.BASIS_RECONSIDERATION_LIMIT_REAL_PROPERTY
                if real_property
                else law.BASIS_RECONSIDERATION_LIMIT_OTHER,
                law.ROLLOVER_RECONSIDERATION,
            )
        ]
    start = facts.known_on or facts.made_on
    if start is None:
        return [], [], outer
    estimated = facts.known_on is None
    suffix = law.ESTIMATED_FROM_MADE_ON if estimated else ""
    if estimated:
        notes.append(law.NOTE_ESTIMATED)
    if facts.remedy_notice_given:
        recon = [
            _Candidate(
                add_days(start, RECONSIDERATION_DAYS, calendar),
                law.BASIS_RECONSIDERATION + suffix,
                law.ROLLOVER_RECONSIDERATION,
                estimated,
            )
        ]
        lit = [
            _Candidate(
                add_months(start, LITIGATION_MONTHS, calendar),
                law.BASIS_LITIGATION + suffix,
                law.ROLLOVER_LITIGATION,
                estimated,
            )
        ]
    else:
        recon, lit = _not_told(facts, start, suffix, estimated, calendar, notes)
    return [*recon, *recon_cap], [*lit, *outer], outer


def _not_told(
    facts: RemedyFacts,
    start: date,
    suffix: str,
    estimated: bool,
    calendar: WorkdayCalendar,
    notes: list[str],
) -> tuple[list[_Candidate], list[_Candidate]]:
    """复议法 art. 20(3), 行诉解释 art. 64: from the day the applicant learned of the right and
    the period, at most one year from learning of the act. Until told, the cap is due."""
    cap = add_years(start, NOT_TOLD_CAP_YEARS, calendar)
    recon = [
        _Candidate(
            cap,
            law.BASIS_RECONSIDERATION_NOT_TOLD_CAP + suffix,
            law.ROLLOVER_RECONSIDERATION,
            estimated,
        )
    ]
    lit = [
        _Candidate(
            cap, law.BASIS_LITIGATION_NOT_TOLD_CAP + suffix, law.ROLLOVER_LITIGATION, estimated
        )
    ]
    if facts.told_on is None:
        notes.append(law.NOTE_NOT_TOLD)
        return recon, lit
    # Told before the act was known (e.g. at intake of an act learned of the same day) is
    # counted from learning of the act: a period cannot run before it.
    told = max(facts.told_on, start)
    notes.append(law.NOTE_TOLD.format(told_on=told.isoformat()))
    recon.insert(
        0,
        _Candidate(
            add_days(told, RECONSIDERATION_DAYS, calendar),
            law.BASIS_RECONSIDERATION_NOT_TOLD,
            law.ROLLOVER_RECONSIDERATION,
            estimated,
        ),
    )
    lit.insert(
        0,
        _Candidate(
            add_months(told, LITIGATION_MONTHS, calendar),
            law.BASIS_LITIGATION_NOT_TOLD,
            law.ROLLOVER_LITIGATION,
            estimated,
        ),
    )
    return recon, lit


def _earliest(candidates: list[_Candidate], today: date) -> Deadline:
    """The candidate due first (the first listed on a tie): a remedy ends at its first bar."""
    chosen = min(candidates, key=lambda c: c.end.due_on)
    due_on = chosen.end.due_on
    # The choice is only as final as every candidate close enough to have won it instead.
    complete = all(
        c.end.calendar_complete for c in candidates if c.end.due_on - due_on <= _CHOICE_MARGIN
    )
    basis = chosen.basis
    if chosen.end.rolled_over:
        basis = f"{basis}; {chosen.rollover}"
    return Deadline(
        due_on=due_on,
        days_left=(due_on - today).days,
        basis=basis,
        provisional=not complete,
        estimated=chosen.estimated,
    )


def _entry(deadline: Deadline | None) -> DeadlineDict | None:
    return deadline.as_dict() if deadline is not None else None
