from itertools import product

import pytest

from app.errors import Conflict
from app.states.case import (
    CASE_LIFECYCLE,
    OPEN_STATUSES,
    CaseAction,
    action_for_outcome,
    allowed_outcomes,
    ensure_outcome_allowed,
    is_open,
    outcome_allowed,
)
from app.states.codes import CaseStatus, OutcomeType
from app.states.machine import InvalidTransition

S = CaseStatus
A = CaseAction
OT = OutcomeType

# Written out independently of the module's table, from SPEC 2.6-2.9.
EXPECTED: dict[tuple[CaseStatus, CaseStatus], set[CaseAction]] = {
    (S.RECEIVED, S.CLASSIFIED): {A.CLASSIFY},
    (S.RECEIVED, S.CLOSED): {A.CLOSE_NOT_ADMINISTRATIVE, A.WITHDRAW},
    (S.CLASSIFIED, S.CLASSIFIED): {A.RECLASSIFY},
    (S.CLASSIFIED, S.AWAITING_ACCEPTANCE): {A.OFFER_PRESIDING},
    (S.CLASSIFIED, S.CLOSED): {A.CLOSE_NOT_ADMINISTRATIVE, A.WITHDRAW},
    (S.AWAITING_ACCEPTANCE, S.IN_MEDIATION): {A.ACCEPT_PRESIDING},
    (S.AWAITING_ACCEPTANCE, S.CLASSIFIED): {A.PRESIDING_OFFER_ENDED},
    (S.AWAITING_ACCEPTANCE, S.CLOSED): {A.WITHDRAW},
    (S.IN_MEDIATION, S.CLOSED): {A.RECORD_OUTCOME, A.WITHDRAW},
    (S.CLOSED, S.IN_MEDIATION): {A.REOPEN},
    (S.CLOSED, S.CLASSIFIED): {A.REOPEN},
}

EXPECTED_ACTIONS: dict[CaseStatus, list[str]] = {
    S.RECEIVED: ["classify", "close_not_administrative", "withdraw"],
    S.CLASSIFIED: ["reclassify", "close_not_administrative", "withdraw", "offer_presiding"],
    S.AWAITING_ACCEPTANCE: ["withdraw", "presiding_offer_ended", "accept_presiding"],
    S.IN_MEDIATION: ["withdraw", "record_outcome"],
    S.CLOSED: ["reopen"],
}

ALL_PAIRS = list(product(CaseStatus, CaseStatus))


def test_table_is_the_expected_one() -> None:
    assert {pair: set(actions) for pair, actions in CASE_LIFECYCLE.transitions.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_every_pair(current: CaseStatus, target: CaseStatus) -> None:
    if (current, target) in EXPECTED:
        CASE_LIFECYCLE.ensure(current, target)
        for action in EXPECTED[(current, target)]:
            CASE_LIFECYCLE.ensure(current, target, action=action)
        assert set(CASE_LIFECYCLE.actions_for(current, target)) == EXPECTED[(current, target)]
        return
    with pytest.raises(InvalidTransition) as caught:
        CASE_LIFECYCLE.ensure(current, target)
    error = caught.value
    assert isinstance(error, Conflict)
    assert error.status == 409
    assert error.code == "invalid_transition"
    assert error.extra["current_status"] == current.value
    assert error.extra["allowed_actions"] == EXPECTED_ACTIONS[current]
    assert error.extra["target_status"] == target.value
    assert current.value in error.detail
    assert CASE_LIFECYCLE.actions_for(current, target) == ()


@pytest.mark.parametrize(
    ("current", "target", "action"),
    [
        (current, target, action)
        for current, target in ALL_PAIRS
        for action in CaseAction
        if action not in EXPECTED.get((current, target), set())
    ],
    ids=str,
)
def test_every_pair_with_a_wrong_action_is_refused(
    current: CaseStatus, target: CaseStatus, action: CaseAction
) -> None:
    with pytest.raises(InvalidTransition) as caught:
        CASE_LIFECYCLE.ensure(current, target, action=action)
    assert caught.value.extra["allowed_actions"] == EXPECTED_ACTIONS[current]
    assert action.value in caught.value.detail


@pytest.mark.parametrize("status", list(CaseStatus), ids=str)
def test_allowed_actions_and_targets(status: CaseStatus) -> None:
    assert CASE_LIFECYCLE.allowed_actions(status) == EXPECTED_ACTIONS[status]
    assert set(CASE_LIFECYCLE.allowed_targets(status)) == {
        dst for src, dst in EXPECTED if src is status
    }


def test_open_statuses() -> None:
    assert frozenset(s for s in CaseStatus if is_open(s)) == OPEN_STATUSES
    assert set(CaseStatus) - {S.CLOSED} == OPEN_STATUSES


def test_every_state_is_reachable_and_every_open_state_can_close() -> None:
    reachable = {S.RECEIVED}
    frontier = [S.RECEIVED]
    while frontier:
        for target in CASE_LIFECYCLE.allowed_targets(frontier.pop()):
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(CaseStatus)
    for status in OPEN_STATUSES:
        CASE_LIFECYCLE.ensure(status, S.CLOSED, action=A.WITHDRAW)


ALLOWED_OUTCOMES: dict[CaseStatus, set[OutcomeType]] = {
    S.RECEIVED: {OT.WITHDRAWN},
    S.CLASSIFIED: {OT.WITHDRAWN},
    S.AWAITING_ACCEPTANCE: {OT.WITHDRAWN},
    S.IN_MEDIATION: set(OutcomeType) - {OT.NOT_ADMINISTRATIVE_DISPUTE},
    S.CLOSED: set(),
}


@pytest.mark.parametrize(
    ("status", "outcome"), list(product(CaseStatus, OutcomeType)), ids=lambda e: e.value
)
def test_every_outcome_in_every_state(status: CaseStatus, outcome: OutcomeType) -> None:
    allowed = outcome in ALLOWED_OUTCOMES[status]
    assert outcome_allowed(status, outcome) is allowed
    if allowed:
        ensure_outcome_allowed(status, outcome)
        # The outcome's action must then be able to close the case.
        CASE_LIFECYCLE.ensure(status, S.CLOSED, action=action_for_outcome(outcome))
        return
    with pytest.raises(InvalidTransition) as caught:
        ensure_outcome_allowed(status, outcome)
    error = caught.value
    assert error.code == "invalid_transition"
    assert error.status == 409
    assert error.extra["current_status"] == status.value
    assert error.extra["allowed_actions"] == EXPECTED_ACTIONS[status]
    assert error.extra["outcome_type"] == outcome.value
    assert set(error.extra["allowed_outcomes"]) == {o.value for o in ALLOWED_OUTCOMES[status]}


def test_allowed_outcomes_order() -> None:
    assert allowed_outcomes(S.RECEIVED) == ["withdrawn"]
    assert allowed_outcomes(S.CLOSED) == []
    assert allowed_outcomes(S.IN_MEDIATION) == [
        "reconciled",
        "mediated",
        "act_corrected",
        "explained",
        "withdrawn",
        "referred_reconsideration",
        "referred_litigation",
        "referred_adjudication",
        "terminated",
    ]


def test_action_for_outcome() -> None:
    assert action_for_outcome(OT.WITHDRAWN) is A.WITHDRAW
    assert action_for_outcome(OT.NOT_ADMINISTRATIVE_DISPUTE) is A.CLOSE_NOT_ADMINISTRATIVE
    assert action_for_outcome(OT.MEDIATED) is A.RECORD_OUTCOME


def test_actions_have_labels() -> None:
    assert all(action.label_zh for action in CaseAction)
