from itertools import product

import pytest

from app.errors import Conflict
from app.states.assignment import (
    ASSIGNMENT_LIFECYCLE,
    REFUSED_STATUSES,
    AssignmentAction,
    is_live_offer,
    is_open,
    is_terminal,
)
from app.states.codes import AssignmentStatus
from app.states.machine import InvalidTransition

S = AssignmentStatus
A = AssignmentAction

# Written out independently of the module's table, from SPEC 2.7 (plus withdraw_offer).
EXPECTED: dict[tuple[AssignmentStatus, AssignmentStatus], AssignmentAction] = {
    (S.OFFERED, S.ACCEPTED): A.ACCEPT,
    (S.OFFERED, S.DECLINED): A.DECLINE,
    (S.OFFERED, S.EXPIRED): A.EXPIRE,
    (S.OFFERED, S.CONFLICT_REPORTED): A.REPORT_CONFLICT,
    (S.OFFERED, S.WITHDRAWN): A.WITHDRAW_OFFER,
    (S.CONFLICT_REPORTED, S.DECLINED): A.RELEASE,
    (S.CONFLICT_REPORTED, S.EXPIRED): A.EXPIRE,
    (S.CONFLICT_REPORTED, S.OFFERED): A.KEEP,
    (S.CONFLICT_REPORTED, S.WITHDRAWN): A.WITHDRAW_OFFER,
    (S.ACCEPTED, S.COMPLETED): A.COMPLETE,
    (S.ACCEPTED, S.WITHDRAWN): A.WITHDRAW,
    # Reopening a mediated case puts its presiding mediator back to work (SPEC 2.9).
    (S.COMPLETED, S.ACCEPTED): A.REOPEN,
}

EXPECTED_ACTIONS: dict[AssignmentStatus, list[str]] = {
    S.OFFERED: ["accept", "decline", "expire", "report_conflict", "withdraw_offer"],
    S.CONFLICT_REPORTED: ["expire", "release", "keep", "withdraw_offer"],
    S.ACCEPTED: ["complete", "withdraw"],
    S.DECLINED: [],
    S.EXPIRED: [],
    S.COMPLETED: ["reopen"],
    S.WITHDRAWN: [],
}


def test_assignment_table_is_the_expected_one() -> None:
    table = ASSIGNMENT_LIFECYCLE.transitions
    assert {pair: actions for pair, (actions,) in table.items()} == EXPECTED


@pytest.mark.parametrize(
    ("current", "target"), list(product(AssignmentStatus, AssignmentStatus)), ids=str
)
def test_every_assignment_pair(current: AssignmentStatus, target: AssignmentStatus) -> None:
    if (current, target) in EXPECTED:
        ASSIGNMENT_LIFECYCLE.ensure(current, target)
        assert ASSIGNMENT_LIFECYCLE.actions_for(current, target) == (EXPECTED[(current, target)],)
        return
    assert ASSIGNMENT_LIFECYCLE.actions_for(current, target) == ()
    with pytest.raises(InvalidTransition) as caught:
        ASSIGNMENT_LIFECYCLE.ensure(current, target)
    error = caught.value
    assert isinstance(error, Conflict)
    assert error.status == 409
    assert error.code == "invalid_transition"
    assert error.extra["current_status"] == current.value
    assert error.extra["allowed_actions"] == EXPECTED_ACTIONS[current]
    assert error.extra["target_status"] == target.value
    assert current.value in error.detail


@pytest.mark.parametrize(
    ("status", "open_", "live", "terminal"),
    [
        (S.OFFERED, True, True, False),
        (S.CONFLICT_REPORTED, True, True, False),
        (S.ACCEPTED, True, False, False),
        (S.DECLINED, False, False, True),
        (S.EXPIRED, False, False, True),
        (S.COMPLETED, False, False, False),
        (S.WITHDRAWN, False, False, True),
    ],
    ids=str,
)
def test_assignment_status_predicates(
    status: AssignmentStatus, open_: bool, live: bool, terminal: bool
) -> None:
    assert is_open(status) is open_
    assert is_live_offer(status) is live
    assert is_terminal(status) is terminal
    assert (status in REFUSED_STATUSES) is (status in {S.DECLINED, S.EXPIRED})
    assert ASSIGNMENT_LIFECYCLE.allowed_actions(status) == EXPECTED_ACTIONS[status]


def test_every_assignment_status_is_covered() -> None:
    assert set(EXPECTED_ACTIONS) == set(AssignmentStatus)
