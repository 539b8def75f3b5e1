from datetime import date

import pytest

from app.domain.cases.deadlines import (
    BASIS_LITIGATION,
    BASIS_OUTER_LIMIT_OTHER,
    BASIS_OUTER_LIMIT_REAL_PROPERTY,
    BASIS_RECONSIDERATION,
    BASIS_RECONSIDERATION_LIMIT_OTHER,
    ESTIMATED_FROM_MADE_ON,
    Deadline,
    Deadlines,
    compute_deadlines,
)
from app.domain.common.enums import DeadlineKind
from app.domain.common.workdays import WorkdayCalendar, default_calendar


def d(text: str) -> date:
    return date.fromisoformat(text)


def compute(
    known_on: str | None = None,
    made_on: str | None = None,
    *,
    today: str = "2024-09-10",
    real_property: bool = False,
    warning_days: int = 15,
    calendar: WorkdayCalendar | None = None,
) -> Deadlines:
    return compute_deadlines(
        known_on=d(known_on) if known_on else None,
        made_on=d(made_on) if made_on else None,
        real_property=real_property,
        today=d(today),
        warning_days=warning_days,
        calendar=calendar,
    )


@pytest.mark.parametrize(
    ("known_on", "due", "note"),
    [
        ("2024-09-01", "2024-10-31", "60 days end on a Thursday, a working day"),
        ("2024-08-02", "2024-10-08", "60 days end on National Day 10-01, roll past the holiday"),
        ("2024-08-13", "2024-10-12", "ends on make-up Saturday 10-12, a working day"),
        ("2024-04-16", "2024-06-17", "ends on an ordinary Saturday, rolls to Monday"),
    ],
)
def test_reconsideration_is_60_days_from_known_on(known_on: str, due: str, note: str) -> None:
    recon = compute(known_on).reconsideration
    assert recon is not None
    assert recon.due_on == d(due), note
    assert recon.basis == BASIS_RECONSIDERATION
    assert "第二十条" in recon.basis
    assert "六十日" in recon.basis
    assert not recon.estimated
    assert recon.calendar_complete


def test_2024_10_31_is_a_working_day() -> None:
    assert default_calendar().is_working_day(d("2024-10-31"))
    assert not default_calendar().is_working_day(d("2024-10-01"))


@pytest.mark.parametrize(
    ("known_on", "due", "note"),
    [
        ("2024-08-31", "2025-02-28", "no 02-31: the last day of February, a Friday"),
        ("2023-08-31", "2024-02-29", "leap year"),
        ("2024-04-01", "2024-10-08", "ends on National Day 10-01"),
        ("2024-09-01", "2025-03-03", "ends on Saturday 03-01, rolls to Monday"),
    ],
)
def test_litigation_is_six_months_from_known_on(known_on: str, due: str, note: str) -> None:
    lit = compute(known_on).litigation
    assert lit is not None
    assert lit.due_on == d(due), note
    assert lit.basis == BASIS_LITIGATION
    assert "第四十六条第一款" in lit.basis


@pytest.mark.parametrize(
    ("made_on", "real_property", "due", "basis"),
    [
        ("2019-03-15", False, "2024-03-15", BASIS_OUTER_LIMIT_OTHER),
        ("2019-10-01", False, "2024-10-08", BASIS_OUTER_LIMIT_OTHER),
        ("2020-02-29", False, "2025-02-28", BASIS_OUTER_LIMIT_OTHER),
        ("2004-03-15", True, "2024-03-15", BASIS_OUTER_LIMIT_REAL_PROPERTY),
        ("2004-06-10", True, "2024-06-11", BASIS_OUTER_LIMIT_REAL_PROPERTY),
    ],
)
def test_outer_limit_is_5_or_20_years_from_made_on(
    made_on: str, real_property: bool, due: str, basis: str
) -> None:
    outer = compute("2024-01-01", made_on, real_property=real_property).litigation_outer_limit
    assert outer is not None
    assert outer.due_on == d(due)
    assert outer.basis == basis
    assert "第四十六条第二款" in outer.basis
    assert ("二十年" in outer.basis) is real_property


def test_outer_limit_needs_made_on() -> None:
    result = compute("2024-09-01", None, real_property=True)
    assert result.litigation_outer_limit is None
    assert result.reconsideration is not None
    assert result.litigation is not None


def test_days_left_counts_down_and_goes_negative_once_passed() -> None:
    def left(today: str) -> int:
        recon = compute("2024-09-01", today=today).reconsideration
        assert recon is not None
        return recon.days_left

    assert left("2024-09-01") == 60
    assert left("2024-10-30") == 1
    assert left("2024-10-31") == 0
    assert left("2024-11-01") == -1
    assert left("2025-10-31") == -365
    recon = compute("2024-09-01", today="2024-11-01").reconsideration
    assert recon is not None
    assert recon.passed


@pytest.mark.parametrize(
    ("today", "warning_days", "warning", "note"),
    [
        ("2024-10-15", 15, False, "reconsideration 16 days away"),
        ("2024-10-16", 15, True, "15 days away: the boundary is inclusive"),
        ("2024-10-31", 15, True, "the due day itself is still open"),
        ("2024-10-31", 0, True, "warning_days 0 still flags the due day"),
        ("2024-10-30", 0, False, "warning_days 0, one day left"),
        ("2024-11-01", 15, False, "reconsideration passed, litigation (03-03) far away"),
        ("2025-02-15", 15, False, "litigation 16 days away"),
        ("2025-02-16", 15, True, "reconsideration long passed, litigation still open and near"),
        ("2025-03-03", 15, True, "litigation due today"),
        ("2025-03-04", 15, False, "everything passed: nothing left to protect"),
        ("2024-09-01", 60, True, "a policy with a long window"),
    ],
)
def test_warning_boundaries(today: str, warning_days: int, warning: bool, note: str) -> None:
    assert compute("2024-09-01", today=today, warning_days=warning_days).warning is warning, note


def test_warning_from_outer_limit_when_it_is_the_nearest_open_deadline() -> None:
    # known_on missing and made_on long ago: the 60 days and 6 months have passed,
    # the 5-year outer limit (2024-03-15) is 10 days away.
    result = compute(None, "2019-03-15", today="2024-03-05")
    assert result.reconsideration is not None
    assert result.reconsideration.passed
    assert result.litigation is not None
    assert result.litigation.passed
    assert result.warning
    nearest = result.nearest_open()
    assert nearest is not None
    assert nearest[0] is DeadlineKind.LITIGATION_OUTER_LIMIT
    assert nearest[1].days_left == 10


def test_nearest_open() -> None:
    result = compute("2024-09-01", "2024-08-20", today="2024-11-01")
    nearest = result.nearest_open()
    assert nearest is not None
    assert nearest[0] is DeadlineKind.LITIGATION
    assert compute("2024-09-01", today="2026-01-01").nearest_open() is None


def test_missing_known_on_counts_from_made_on_and_says_so() -> None:
    result = compute(None, "2024-09-01", today="2024-10-20")
    recon, lit = result.reconsideration, result.litigation
    assert recon is not None
    assert lit is not None
    assert recon.due_on == d("2024-10-31")
    assert lit.due_on == d("2025-03-03")
    assert recon.estimated
    assert lit.estimated
    assert recon.basis == BASIS_RECONSIDERATION + ESTIMATED_FROM_MADE_ON
    assert lit.basis == BASIS_LITIGATION + ESTIMATED_FROM_MADE_ON
    assert "不早于" in recon.basis
    assert result.warning  # 11 days left on the earliest possible date
    outer = result.litigation_outer_limit
    assert outer is not None
    assert not outer.estimated


def test_no_dates_no_deadlines() -> None:
    result = compute(None, None)
    assert result == Deadlines(None, None, None, warning=False, calendar_complete=True)
    assert result.as_dict() == {
        "reconsideration": None,
        "litigation": None,
        "litigation_outer_limit": None,
        "warning": False,
        "calendar_complete": True,
    }
    assert result.items() == []
    assert result.nearest_open() is None


def test_outer_limit_caps_the_other_deadlines() -> None:
    # Learned of the act almost five years after it was made: the 60 days and the 6 months
    # would run past the bars of 行政复议法 art. 21 and 行政诉讼法 art. 46(2).
    result = compute("2023-12-20", "2019-01-10", today="2023-12-28")
    recon, lit, outer = result.reconsideration, result.litigation, result.litigation_outer_limit
    assert recon is not None
    assert lit is not None
    assert outer is not None
    assert outer.due_on == d("2024-01-10")
    assert recon.due_on == d("2024-01-10")
    assert recon.basis == BASIS_RECONSIDERATION_LIMIT_OTHER
    assert "第二十一条" in recon.basis
    assert lit.due_on == d("2024-01-10")
    assert lit.basis == BASIS_OUTER_LIMIT_OTHER
    assert result.warning  # 13 days


def test_no_cap_for_real_property_within_twenty_years() -> None:
    result = compute("2023-12-20", "2019-01-10", real_property=True, today="2023-12-28")
    assert result.reconsideration is not None
    assert result.reconsideration.due_on == d("2024-02-18")  # make-up working Sunday
    assert result.reconsideration.basis == BASIS_RECONSIDERATION
    assert result.litigation is not None
    assert result.litigation.due_on == d("2024-06-20")


@pytest.mark.parametrize(
    ("known_on", "made_on", "complete", "note"),
    [
        ("2024-09-01", None, True, "all periods end in 2024/2025"),
        ("2026-12-15", None, False, "60 days end in 2027, which has no calendar data"),
        ("2026-08-15", None, False, "6 months end in 2027"),
        ("2024-09-01", "2019-09-01", True, "outer limit ends in 2024"),
        ("2024-09-01", "2024-08-01", False, "outer limit ends in 2029"),
    ],
)
def test_calendar_complete(known_on: str, made_on: str | None, complete: bool, note: str) -> None:
    assert compute(known_on, made_on).calendar_complete is complete, note


def test_calendar_complete_per_deadline() -> None:
    result = compute("2026-12-15", "2026-12-01", today="2026-12-20")
    recon, lit, outer = result.reconsideration, result.litigation, result.litigation_outer_limit
    assert recon is not None
    assert lit is not None
    assert outer is not None
    # 2027-02-13 is a Saturday: counted with weekends only.
    assert recon.due_on == d("2027-02-15")
    assert not recon.calendar_complete
    assert not outer.calendar_complete
    assert not result.calendar_complete
    # A case of 2024 keeps final near deadlines even though its outer limit is provisional.
    result = compute("2024-09-01", "2024-08-01")
    assert result.reconsideration is not None
    assert result.reconsideration.calendar_complete
    assert result.litigation is not None
    assert result.litigation.calendar_complete
    assert result.litigation_outer_limit is not None
    assert result.litigation_outer_limit.due_on == d("2029-08-01")
    assert not result.litigation_outer_limit.calendar_complete


def test_uses_the_given_calendar() -> None:
    no_holidays = WorkdayCalendar(holidays=[], workdays=[], covered_years=[2024])
    recon = compute("2024-08-02", calendar=no_holidays).reconsideration
    assert recon is not None
    assert recon.due_on == d("2024-10-01")


def test_negative_warning_days_is_refused() -> None:
    with pytest.raises(ValueError, match="warning_days"):
        compute("2024-09-01", warning_days=-1)


def test_as_dict_has_the_spec_shape() -> None:
    result = compute("2024-09-01", "2024-08-20", today="2024-10-20")
    assert result.as_dict() == {
        "reconsideration": {
            "due_on": "2024-10-31",
            "days_left": 11,
            "basis": BASIS_RECONSIDERATION,
        },
        "litigation": {"due_on": "2025-03-03", "days_left": 134, "basis": BASIS_LITIGATION},
        "litigation_outer_limit": {
            "due_on": "2029-08-20",
            "days_left": 1765,
            "basis": BASIS_OUTER_LIMIT_OTHER,
        },
        "warning": True,
        "calendar_complete": False,
    }


def test_deadline_is_frozen() -> None:
    deadline = Deadline(d("2024-10-31"), 3, BASIS_RECONSIDERATION)
    with pytest.raises(AttributeError):
        deadline.days_left = 4  # type: ignore[misc]
