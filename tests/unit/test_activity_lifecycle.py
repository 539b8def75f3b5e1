"""The activity life cycle (SPEC 2.11) as data: what each state allows."""

from app.states.activity import ACTIVITY_LIFECYCLE, CORRECTABLE_STATUSES
from app.states.codes import ActivityStatus as S


def test_confirmed_and_withdrawn_are_final():
    assert ACTIVITY_LIFECYCLE.terminal == {S.CONFIRMED, S.WITHDRAWN}


def test_a_record_waiting_for_its_agency_may_be_confirmed_returned_corrected_or_withdrawn():
    assert ACTIVITY_LIFECYCLE.allowed_actions(S.SUBMITTED) == [
        "confirm",
        "return",
        "correct",
        "withdraw",
    ]


def test_a_returned_record_goes_back_only_through_a_correction_or_is_withdrawn():
    assert ACTIVITY_LIFECYCLE.allowed_actions(S.RETURNED) == ["correct", "withdraw"]
    assert ACTIVITY_LIFECYCLE.allowed_targets(S.RETURNED) == [S.SUBMITTED, S.WITHDRAWN]


def test_what_may_be_corrected_is_what_is_not_final():
    assert set(S) - ACTIVITY_LIFECYCLE.terminal == CORRECTABLE_STATUSES
