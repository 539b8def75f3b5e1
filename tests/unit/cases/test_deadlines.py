"""The remedy deadlines of every path (SPEC 2.5), worked out by hand from the statutes and the
State Council's 2022–2026 holiday notices.

Each row's comment shows the count: the start day is not counted; a period of days adds
days, of months lands on the same day of the month (or the month's last day); a last day on
a rest day rolls to the next working day (民事诉讼法 art. 85). Holiday blocks used below:
2024 National Day 10-01..10-07, make-up Sat 10-12, Sun 02-18, Dragon Boat Mon 06-10;
2025 Spring Festival 01-28..02-04, National Day 10-01..10-08; 2026 Spring Festival
02-15..02-23, Dragon Boat 06-19..06-21, Mid-Autumn 09-25..09-27, make-up Sun 09-20, Labour
Day 05-01..05-05, National Day 10-01..10-07. 2027 has no data here: weekends only.

The calendar is the seed's 2022–2026 years, built explicitly, so these rows hold whatever
years are loaded later (a 2027 notice loaded through the API changes nothing here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from app.domain.cases import legal_basis as law
from app.domain.cases.deadlines import (
    Deadline,
    Deadlines,
    RemedyFacts,
    compute_deadlines,
    resolve_real_property,
    resolve_reconsideration_first,
)
from app.domain.common.workdays import WorkdayCalendar, seed_years
from app.states.codes import ActType, DeadlineKind

CALENDAR = WorkdayCalendar.from_years(y for y in seed_years() if 2022 <= y.year <= 2026)
PENALTY = ActType.ADMINISTRATIVE_PENALTY


def d(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class Row:
    id: str
    facts: dict[str, Any]
    reconsideration: str | None
    litigation: str | None
    outer: str | None = None
    # Texts the basis of each shown deadline must hold (the article actually relied on).
    recon_cites: tuple[str, ...] = ()
    lit_cites: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    provisional: tuple[str, ...] = field(default=())


def facts(act_type: ActType = PENALTY, **values: Any) -> RemedyFacts:
    converted: dict[str, Any] = {k: d(v) if isinstance(v, str) else v for k, v in values.items()}
    return RemedyFacts(act_type=act_type, **converted)


ROLL_R, ROLL_L = law.ROLLOVER_RECONSIDERATION, law.ROLLOVER_LITIGATION

ROWS = [
    # --- the plain act: 60 days (复议法 art. 20(1)) and 6 months (行诉法 art. 46(1)) from known_on
    # 09-01 + 60 = 10-31 (Thu); + 6 months = 2025-03-01 (Sat) -> Mon 03-03.
    Row("plain-weekday", {"known_on": "2024-09-01"}, "2024-10-31", "2025-03-03",
        recon_cites=(law.BASIS_RECONSIDERATION,), lit_cites=(law.BASIS_LITIGATION, ROLL_L)),
    # 08-02 + 60 = 10-01, National Day -> 10-08; + 6 months = 2025-02-02, Spring Festival -> 02-05.
    Row("plain-national-day", {"known_on": "2024-08-02"}, "2024-10-08", "2025-02-05",
        recon_cites=(law.BASIS_RECONSIDERATION, ROLL_R), lit_cites=(ROLL_L,)),
    # 08-13 + 60 = 10-12, a make-up working Saturday: no roll-over; 2025-02-13 is a Thursday.
    Row("plain-make-up-saturday", {"known_on": "2024-08-13"}, "2024-10-12", "2025-02-13"),
    # 2025-08-02 + 60 = 10-01 (holiday to 10-08) -> 10-09; 2026-02-02 is a Monday.
    Row("plain-national-day-2025", {"known_on": "2025-08-02"}, "2025-10-09", "2026-02-02"),
    # 12-01 + 60 = 2026-01-30 (Fri); + 6 months = 2026-06-01 (Mon).
    Row("plain-across-new-year", {"known_on": "2025-12-01"}, "2026-01-30", "2026-06-01"),
    # 12-20 + 60 = 2026-02-18, Spring Festival (02-15..02-23) -> 02-24;
    # + 6 months = 2026-06-20, Dragon Boat (06-19..06-21) -> Mon 06-22.
    Row("plain-spring-festival-2026", {"known_on": "2025-12-20"}, "2026-02-24", "2026-06-22",
        recon_cites=(ROLL_R,), lit_cites=(ROLL_L,)),
    # 07-28 + 60 = 09-26, Mid-Autumn (09-25..09-27) -> Mon 09-28; 2027-01-28 (Thu), no data.
    Row("plain-litigation-in-2027", {"known_on": "2026-07-28"}, "2026-09-28", "2027-01-28",
        provisional=("litigation",)),
    # 11-15 + 60 = 2027-01-14 (Thu); 2027-05-15 (Sat) -> Mon 05-17: both without data.
    Row("plain-both-in-2027", {"known_on": "2026-11-15"}, "2027-01-14", "2027-05-17",
        provisional=("reconsideration", "litigation")),
    # 02-12 + 60 = 04-13 (Mon); 2026-08-12 (Wed).
    Row("plain-spring", {"known_on": "2026-02-12"}, "2026-04-13", "2026-08-12"),
    # 03-01 + 60 = 04-30 (Thu, the day before Labour Day); 09-01 (Tue).
    Row("plain-eve-of-labour-day", {"known_on": "2026-03-01"}, "2026-04-30", "2026-09-01"),
    # 08-31 + 60 = 10-30 (Thu); + 6 months = 2026-02-28, a make-up working Saturday.
    Row("plain-month-end-make-up", {"known_on": "2025-08-31"}, "2025-10-30", "2026-02-28"),
    # 2023-08-31 + 6 months = 2024-02-29 (leap day, Thu); + 60 = 2023-10-30 (Mon).
    Row("plain-leap-day", {"known_on": "2023-08-31"}, "2023-10-30", "2024-02-29"),
    # 04-16 + 60 = 06-15 (Sat) -> Mon 06-17; 10-16 (Wed).
    Row("plain-saturday", {"known_on": "2024-04-16"}, "2024-06-17", "2024-10-16"),
    # 2023-12-20 + 60 = 2024-02-18, a make-up working Sunday; 2024-06-20 (Thu).
    Row("plain-make-up-sunday", {"known_on": "2023-12-20"}, "2024-02-18", "2024-06-20"),
    # --- outer limits: 5 years from made_on, 20 for real property
    # (行诉法 art. 46(2), 复议法 art. 21)
    # 2019-10-01 + 5 years = 2024-10-01 -> 10-08; it caps both periods from 2024-09-01.
    Row("outer-caps-both", {"made_on": "2019-10-01", "known_on": "2024-09-01"},
        "2024-10-08", "2024-10-08", "2024-10-08",
        recon_cites=(law.BASIS_RECONSIDERATION_LIMIT_OTHER, ROLL_R),
        lit_cites=(law.BASIS_OUTER_LIMIT_OTHER, ROLL_L)),
    # 2004-06-10 + 20 years = 2024-06-10, Dragon Boat Monday -> 06-11.
    Row("outer-real-property", {"made_on": "2004-06-10", "known_on": "2024-05-01",
                                "real_property": True},
        "2024-06-11", "2024-06-11", "2024-06-11",
        lit_cites=(law.BASIS_OUTER_LIMIT_REAL_PROPERTY,)),
    # Expropriation is real property unless said otherwise: 2006-02-10 + 20 = 2026-02-10 (Tue).
    Row("outer-expropriation-default", {"act_type": ActType.EXPROPRIATION,
                                        "made_on": "2006-02-10", "known_on": "2026-01-05"},
        "2026-02-10", "2026-02-10", "2026-02-10",
        recon_cites=(law.BASIS_RECONSIDERATION_LIMIT_REAL_PROPERTY,)),
    # Said otherwise: 5 years, long passed (2011-02-10 is a Thursday).
    Row("outer-expropriation-not-land", {"act_type": ActType.EXPROPRIATION,
                                         "made_on": "2006-02-10", "known_on": "2026-01-05",
                                         "real_property": False},
        "2011-02-10", "2011-02-10", "2011-02-10",
        provisional=("reconsideration", "litigation", "litigation_outer_limit")),
    # 2021-06-18 + 5 = 2026-06-18 (Thu, the day before Dragon Boat): learned of late, the
    # 60 days (07-03) and 6 months would run past it.
    Row("outer-penalty", {"made_on": "2021-06-18", "known_on": "2026-05-04"},
        "2026-06-18", "2026-06-18", "2026-06-18",
        recon_cites=(law.BASIS_RECONSIDERATION_LIMIT_OTHER,)),
    # --- remedy never explained (复议法 art. 20(3), 行诉解释 art. 64): one year from known_on
    # Not told yet: the cap is due. 2025-03-10 + 1 year = 2026-03-10 (Tue).
    Row("not-told", {"made_on": "2025-03-05", "known_on": "2025-03-10",
                     "remedy_notice_given": False},
        "2026-03-10", "2026-03-10", "2030-03-05",
        recon_cites=(law.BASIS_RECONSIDERATION_NOT_TOLD_CAP,),
        lit_cites=(law.BASIS_LITIGATION_NOT_TOLD_CAP,), notes=(law.NOTE_NOT_TOLD,),
        provisional=("litigation_outer_limit",)),
    # Told 2025-06-01: + 60 = 07-31 (Thu); + 6 months = 12-01 (Mon); both before the cap.
    Row("told", {"known_on": "2025-03-10", "remedy_notice_given": False,
                 "told_on": "2025-06-01"},
        "2025-07-31", "2025-12-01",
        recon_cites=(law.BASIS_RECONSIDERATION_NOT_TOLD,),
        lit_cites=(law.BASIS_LITIGATION_NOT_TOLD,),
        notes=(law.NOTE_TOLD.format(told_on="2025-06-01"),)),
    # Told late, 2026-01-20: + 60 = 03-21 (Sat) -> 03-23, after the cap 03-10: the cap wins.
    Row("told-late-cap-wins", {"known_on": "2025-03-10", "remedy_notice_given": False,
                               "told_on": "2026-01-20"},
        "2026-03-10", "2026-03-10",
        recon_cites=(law.BASIS_RECONSIDERATION_NOT_TOLD_CAP,),
        notes=(law.NOTE_TOLD.format(told_on="2026-01-20"),)),
    # 2025-10-01 + 1 year = 2026-10-01, National Day -> 10-08.
    Row("not-told-cap-rolls", {"known_on": "2025-10-01", "remedy_notice_given": False},
        "2026-10-08", "2026-10-08", recon_cites=(ROLL_R,), lit_cites=(ROLL_L,),
        notes=(law.NOTE_NOT_TOLD,)),
    # Told before the act was known: counted from known_on. 03-10 + 60 = 05-09 (Fri).
    Row("told-before-known", {"known_on": "2025-03-10", "remedy_notice_given": False,
                              "told_on": "2025-03-01"},
        "2025-05-09", "2025-09-10", notes=(law.NOTE_TOLD.format(told_on="2025-03-10"),)),
    # --- inaction (行诉法 art. 47, 行诉解释 art. 66, 复议法实施条例 art. 16); reconsideration first
    # Organ's end for reconsideration: 03-03 + 60 = 05-02 (not rolled); + 60 = 07-01 (Tue).
    Row("inaction-reconsideration-first", {"act_type": ActType.INACTION,
                                           "applied_on": "2025-03-03"},
        "2025-07-01", None, recon_cites=(law.BASIS_INACTION_RECONSIDERATION,),
        notes=(law.NOTE_RECONSIDERATION_FIRST,)),
    # Organ's end for litigation: 03-03 + 2 months = 05-03 (in the Labour Day holiday, not
    # rolled: it is the organ's time); + 6 months = 11-03 (Mon).
    Row("inaction-two-months", {"act_type": ActType.INACTION, "applied_on": "2025-03-03",
                                "reconsideration_first": False},
        "2025-07-01", "2025-11-03", lit_cites=(law.BASIS_INACTION_LITIGATION,)),
    # A law's own time to act, 04-15: + 60 = 06-14 (Sat) -> 06-16; + 6 months = 10-15 (Wed).
    Row("inaction-performance-due", {"act_type": ActType.INACTION, "applied_on": "2025-03-03",
                                     "performance_due_on": "2025-04-15",
                                     "reconsideration_first": False},
        "2025-06-16", "2025-10-15",
        recon_cites=(law.BASIS_INACTION_RECONSIDERATION_DUE, ROLL_R),
        lit_cites=(law.BASIS_INACTION_LITIGATION_DUE,)),
    # 12-30 + 60 = 2026-02-28; + 60 = 04-29 (Wed). 12-30 + 2 months = 02-28 (no 02-30);
    # + 6 months = 08-28 (Fri).
    Row("inaction-month-end", {"act_type": ActType.INACTION, "applied_on": "2025-12-30",
                               "reconsideration_first": False},
        "2026-04-29", "2026-08-28"),
    Row("inaction-without-application", {"act_type": ActType.INACTION,
                                         "known_on": "2025-03-03"},
        None, None, notes=(law.NOTE_INACTION_NEEDS_APPLIED_ON, law.NOTE_RECONSIDERATION_FIRST)),
    # --- after a reconsideration decision: 15 days from receipt (行诉法 art. 45)
    # 09-16 + 15 = 10-01 -> 10-08; no reconsideration deadline, no outer limit.
    Row("after-decision-national-day", {"made_on": "2024-06-01", "known_on": "2024-06-05",
                                        "reconsideration_decided_on": "2024-09-10",
                                        "reconsideration_received_on": "2024-09-16"},
        None, "2024-10-08", lit_cites=(law.BASIS_AFTER_RECONSIDERATION, ROLL_L),
        notes=(law.NOTE_AFTER_RECONSIDERATION,)),
    # 2025-01-13 + 15 = 01-28, Spring Festival (01-28..02-04) -> 02-05.
    Row("after-decision-spring-festival", {"reconsideration_decided_on": "2025-01-10",
                                           "reconsideration_received_on": "2025-01-13"},
        None, "2025-02-05", notes=(law.NOTE_AFTER_RECONSIDERATION,)),
    # Receipt unknown: from the decision. 03-01 + 15 = 03-16 (Sun) -> 03-17.
    Row("after-decision-estimated", {"reconsideration_decided_on": "2025-03-01"},
        None, "2025-03-17", lit_cites=(law.ESTIMATED_FROM_DECIDED_ON,),
        notes=(law.NOTE_AFTER_RECONSIDERATION,)),
    # Reconsideration first, and it was had: litigation opens. 04-20 + 15 = 05-05 -> 05-06.
    Row("after-decision-inaction", {"act_type": ActType.INACTION, "applied_on": "2026-01-05",
                                    "reconsideration_received_on": "2026-04-20"},
        None, "2026-05-06", notes=(law.NOTE_AFTER_RECONSIDERATION,)),
    # 09-05 + 15 = 09-20, a make-up working Sunday: no roll-over.
    Row("after-decision-make-up-sunday", {"reconsideration_received_on": "2026-09-05"},
        None, "2026-09-20", lit_cites=(law.BASIS_AFTER_RECONSIDERATION,),
        notes=(law.NOTE_AFTER_RECONSIDERATION,)),
    # --- reconsideration first (复议法 2023 art. 23)
    # Refused disclosure: 05-06 + 60 = 07-05 (Sat) -> 07-07; no litigation.
    Row("disclosure-refused", {"act_type": ActType.INFORMATION_DISCLOSURE, "refused": True,
                               "known_on": "2025-05-06", "made_on": "2025-05-06"},
        "2025-07-07", None, None, notes=(law.NOTE_RECONSIDERATION_FIRST,)),
    # Disclosure granted in part, not refused: 11-06 (Thu).
    Row("disclosure-not-refused", {"act_type": ActType.INFORMATION_DISCLOSURE, "refused": False,
                                   "known_on": "2025-05-06"},
        "2025-07-07", "2025-11-06"),
    Row("reconsideration-first-set", {"known_on": "2024-09-01", "made_on": "2024-08-20",
                                      "reconsideration_first": True},
        "2024-10-31", None, None, notes=(law.NOTE_RECONSIDERATION_FIRST,)),
    # 08-15 + 60 = 10-14 (Wed); the 2027 litigation date is not shown, so nothing provisional.
    Row("reconsideration-first-hides-2027", {"act_type": ActType.INFORMATION_DISCLOSURE,
                                             "refused": True, "known_on": "2026-08-15"},
        "2026-10-14", None, notes=(law.NOTE_RECONSIDERATION_FIRST,)),
    # --- known_on missing: counted from made_on, the earliest the real date can be
    Row("estimated-from-made-on", {"made_on": "2024-09-01"}, "2024-10-31", "2025-03-03",
        "2029-09-03", recon_cites=(law.ESTIMATED_FROM_MADE_ON,),
        lit_cites=(law.ESTIMATED_FROM_MADE_ON,), notes=(law.NOTE_ESTIMATED,),
        provisional=("litigation_outer_limit",)),
    Row("nothing-known", {}, None, None),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_deadline_paths(row: Row) -> None:
    values = dict(row.facts)
    act_type = values.pop("act_type", PENALTY)
    result = compute_deadlines(
        facts(act_type, **values), today=d("2024-01-01"), warning_days=15, calendar=CALENDAR
    )
    shown = {
        "reconsideration": result.reconsideration,
        "litigation": result.litigation,
        "litigation_outer_limit": result.litigation_outer_limit,
    }
    expected = {
        "reconsideration": row.reconsideration,
        "litigation": row.litigation,
        "litigation_outer_limit": row.outer,
    }
    for kind, due in expected.items():
        deadline = shown[kind]
        if due is None:
            assert deadline is None, kind
            continue
        assert deadline is not None, kind
        assert deadline.due_on == d(due), kind
        assert deadline.provisional is (kind in row.provisional), kind
    recon, lit = result.reconsideration, result.litigation
    for text in row.recon_cites:
        assert recon is not None
        assert text in recon.basis
    for text in row.lit_cites:
        assert lit is not None
        assert text in lit.basis
    assert list(result.notes) == list(row.notes)
    assert result.calendar_complete is (not row.provisional)


def test_there_are_at_least_forty_hand_worked_rows() -> None:
    assert len(ROWS) >= 40


def test_the_roll_over_is_cited_only_when_it_moved_the_date() -> None:
    moved = compute_deadlines(
        facts(known_on="2024-08-02"), today=d("2024-08-02"), warning_days=15, calendar=CALENDAR
    )
    kept = compute_deadlines(
        facts(known_on="2024-09-01"), today=d("2024-09-01"), warning_days=15, calendar=CALENDAR
    )
    assert moved.reconsideration is not None
    assert "第八十八条" in moved.reconsideration.basis
    assert "第一百零一条" not in moved.reconsideration.basis
    assert moved.litigation is not None
    assert "第一百零一条" in moved.litigation.basis
    assert kept.reconsideration is not None
    assert kept.reconsideration.basis == law.BASIS_RECONSIDERATION


# --- warning from the nearest live remedy; negative days only for a remedy really lost ------


@pytest.mark.parametrize(
    ("row_id", "today", "warning", "note"),
    [
        ("plain-weekday", "2024-10-15", False, "reconsideration 16 days away"),
        ("plain-weekday", "2024-10-16", True, "15 days away: inclusive"),
        ("plain-weekday", "2024-10-31", True, "the due day itself is still open"),
        ("plain-weekday", "2024-11-01", False, "reconsideration lost, litigation 122 days"),
        ("plain-weekday", "2025-02-16", True, "litigation 15 days away"),
        ("plain-weekday", "2025-03-04", False, "everything lost: nothing to protect"),
        ("inaction-reconsideration-first", "2025-06-20", True, "recon first: 11 days"),
        ("not-told", "2025-06-01", False, "the 60 days from known_on do not apply"),
        ("not-told", "2026-02-24", True, "the one-year cap is 14 days away"),
        ("after-decision-national-day", "2024-10-01", True, "15 days after the decision"),
    ],
)
def test_warning(row_id: str, today: str, warning: bool, note: str) -> None:
    row = next(r for r in ROWS if r.id == row_id)
    values = dict(row.facts)
    act_type = values.pop("act_type", PENALTY)
    result = compute_deadlines(
        facts(act_type, **values), today=d(today), warning_days=15, calendar=CALENDAR
    )
    assert result.warning is warning, note


def test_not_told_shows_no_passed_deadline_before_the_cap() -> None:
    # 60 days from known_on (2025-05-09) have passed, but the remedy is not lost: the organ
    # never explained it, so the one-year cap is what is shown.
    result = compute_deadlines(
        facts(known_on="2025-03-10", remedy_notice_given=False),
        today=d("2025-06-01"),
        warning_days=15,
        calendar=CALENDAR,
    )
    assert [(k, dl.days_left >= 0) for k, dl in result.items()] == [
        (DeadlineKind.RECONSIDERATION, True),
        (DeadlineKind.LITIGATION, True),
    ]


def test_a_used_reconsideration_is_not_shown_as_lost() -> None:
    result = compute_deadlines(
        facts(known_on="2024-06-05", reconsideration_received_on="2024-09-16"),
        today=d("2024-10-01"),
        warning_days=15,
        calendar=CALENDAR,
    )
    assert result.reconsideration is None
    assert result.litigation is not None
    assert result.litigation.days_left == 7


def test_days_left_counts_down_and_goes_negative_once_lost() -> None:
    def left(today: str) -> int:
        recon = compute_deadlines(
            facts(known_on="2024-09-01"), today=d(today), warning_days=15, calendar=CALENDAR
        ).reconsideration
        assert recon is not None
        return recon.days_left

    assert [left(t) for t in ("2024-09-01", "2024-10-30", "2024-10-31", "2024-11-01")] == [
        60,
        1,
        0,
        -1,
    ]


def test_nearest_live() -> None:
    result = compute_deadlines(
        facts(known_on="2024-09-01", made_on="2024-08-20"),
        today=d("2024-11-01"),
        warning_days=15,
        calendar=CALENDAR,
    )
    nearest = result.nearest_live()
    assert nearest is not None
    assert nearest[0] is DeadlineKind.LITIGATION


def test_defaults_of_the_act_flags() -> None:
    assert resolve_real_property(ActType.EXPROPRIATION, None) is True
    assert resolve_real_property(ActType.EXPROPRIATION, False) is False
    assert resolve_real_property(ActType.ADMINISTRATIVE_LICENSE, None) is False
    assert resolve_reconsideration_first(ActType.INACTION, refused=None, given=None) is True
    assert resolve_reconsideration_first(ActType.INACTION, refused=None, given=False) is False
    disclosure = ActType.INFORMATION_DISCLOSURE
    assert resolve_reconsideration_first(disclosure, refused=True, given=None) is True
    assert resolve_reconsideration_first(disclosure, refused=None, given=None) is False
    assert resolve_reconsideration_first(PENALTY, refused=True, given=None) is False


def test_as_dict_has_the_spec_shape() -> None:
    result = compute_deadlines(
        facts(known_on="2024-09-01", made_on="2024-08-20"),
        today=d("2024-10-20"),
        warning_days=15,
        calendar=CALENDAR,
    )
    assert result.as_dict() == {
        "reconsideration": {
            "due_on": "2024-10-31",
            "days_left": 11,
            "basis": law.BASIS_RECONSIDERATION,
            "provisional": False,
        },
        "litigation": {
            "due_on": "2025-03-03",
            "days_left": 134,
            "basis": f"{law.BASIS_LITIGATION}; {law.ROLLOVER_LITIGATION}",
            "provisional": False,
        },
        "litigation_outer_limit": {
            "due_on": "2029-08-20",
            "days_left": 1765,
            "basis": law.BASIS_OUTER_LIMIT_OTHER,
            "provisional": True,
        },
        "warning": True,
        "calendar_complete": False,
        "notes": [],
    }


def test_a_loaded_year_makes_a_deadline_final() -> None:
    # With a 2027 calendar (invented here, a test calendar, not the notice) the 2027 dates
    # are no longer provisional, and a holiday moves the date.
    test_2027 = WorkdayCalendar([d("2027-01-28")], [], [2026, 2027])
    result = compute_deadlines(
        facts(known_on="2026-07-28"), today=d("2026-08-01"), warning_days=15, calendar=test_2027
    )
    assert result.litigation is not None
    assert result.litigation.due_on == d("2027-01-29")
    assert not result.litigation.provisional
    assert result.calendar_complete


def test_negative_warning_days_is_refused() -> None:
    with pytest.raises(ValueError, match="warning_days"):
        compute_deadlines(facts(), today=d("2024-01-01"), warning_days=-1, calendar=CALENDAR)


def test_no_dates_no_deadlines() -> None:
    result = compute_deadlines(facts(), today=d("2024-01-01"), warning_days=15, calendar=CALENDAR)
    assert result == Deadlines(None, None, None, warning=False, calendar_complete=True)
    assert result.nearest_live() is None


def test_deadline_is_frozen() -> None:
    deadline = Deadline(d("2024-10-31"), 3, law.BASIS_RECONSIDERATION)
    with pytest.raises(AttributeError):
        deadline.days_left = 4  # type: ignore[misc]
