"""The case life cycle (SPEC 2.9) as data: states, allowed transitions, and outcomes.

``CASE_LIFECYCLE`` maps every allowed (from, to) pair to the actions that cause it; anything
not in it is refused with 409 ``invalid_transition`` naming the current state and the actions
allowed there. ``OUTCOMES_ALLOWED`` says which outcome types ``POST /cases/{id}/outcome`` may
record in which state (SPEC 2.8). The domain moves a case only through
``app.domain.cases.transition.move_case``, which checks the move against this table.

This module is pure: no I/O, no framework.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.states.codes import CaseStatus, LabelledEnum, OutcomeType
from app.states.machine import Lifecycle

__all__ = [
    "CASE_LIFECYCLE",
    "OPEN_STATUSES",
    "OUTCOMES_ALLOWED",
    "CaseAction",
    "action_for_outcome",
    "allowed_outcomes",
    "ensure_outcome_allowed",
    "is_open",
    "outcome_allowed",
]


class CaseAction(LabelledEnum):
    """What a user or the system does to move a case; named in 409 answers and the timeline."""

    CLASSIFY = "classify", "识别为行政争议"
    RECLASSIFY = "reclassify", "重新识别"
    CLOSE_NOT_ADMINISTRATIVE = "close_not_administrative", "识别为非行政争议并办结"
    WITHDRAW = "withdraw", "申请人撤回"
    OFFER_PRESIDING = "offer_presiding", "委派主持调解员"
    PRESIDING_OFFER_ENDED = "presiding_offer_ended", "主持委派未被接受"
    ACCEPT_PRESIDING = "accept_presiding", "主持调解员接受委派"
    RECORD_OUTCOME = "record_outcome", "记录化解结果"
    REOPEN = "reopen", "重新启动"


_S = CaseStatus
_A = CaseAction

_TRANSITIONS: Mapping[tuple[CaseStatus, CaseStatus], tuple[CaseAction, ...]] = {
    # Classification (2.6): all four Art. 5 conditions met -> classified; any not met -> the
    # case closes with outcome not_administrative_dispute.
    (_S.RECEIVED, _S.CLASSIFIED): (_A.CLASSIFY,),
    (_S.RECEIVED, _S.CLOSED): (_A.CLOSE_NOT_ADMINISTRATIVE, _A.WITHDRAW),
    # "Reclassification before dispatch is allowed" (2.6). It is a classification like the
    # first one, so it may also find the dispute is not administrative after all.
    (_S.CLASSIFIED, _S.CLASSIFIED): (_A.RECLASSIFY,),
    (_S.CLASSIFIED, _S.CLOSED): (_A.CLOSE_NOT_ADMINISTRATIVE, _A.WITHDRAW),
    # Only the presiding offer moves the case (2.7).
    (_S.CLASSIFIED, _S.AWAITING_ACCEPTANCE): (_A.OFFER_PRESIDING,),
    (_S.AWAITING_ACCEPTANCE, _S.IN_MEDIATION): (_A.ACCEPT_PRESIDING,),
    # Declined, expired, or released after a reported work conflict.
    (_S.AWAITING_ACCEPTANCE, _S.CLASSIFIED): (_A.PRESIDING_OFFER_ENDED,),
    # "withdrawn may be recorded in any open state" (2.8); the live offer is withdrawn with it.
    (_S.AWAITING_ACCEPTANCE, _S.CLOSED): (_A.WITHDRAW,),
    (_S.IN_MEDIATION, _S.CLOSED): (_A.RECORD_OUTCOME, _A.WITHDRAW),
    # Reopen (coordinator only): back to mediation when a presiding mediator had accepted,
    # otherwise back to classification. Never to `received`: intake is not repeated.
    (_S.CLOSED, _S.IN_MEDIATION): (_A.REOPEN,),
    (_S.CLOSED, _S.CLASSIFIED): (_A.REOPEN,),
}

CASE_LIFECYCLE = Lifecycle("案件", "a case", CaseStatus, CaseAction, _TRANSITIONS)
"""The case life cycle: every allowed (from, to) pair and the actions that cause it."""

OPEN_STATUSES: frozenset[CaseStatus] = frozenset(s for s in CaseStatus if s is not _S.CLOSED)

_MEDIATION_OUTCOMES = frozenset(OutcomeType) - {OutcomeType.NOT_ADMINISTRATIVE_DISPUTE}

OUTCOMES_ALLOWED: Mapping[CaseStatus, frozenset[OutcomeType]] = {
    # Before a presiding mediator has accepted, only the applicant's withdrawal can end the
    # case through the outcome endpoint (2.8: "withdrawn may be recorded in any open state").
    # 2.9 lists no other way out of these states, and the other outcomes describe the work of
    # a mediation (an agreement, an explanation, a referral after mediation failed); letting
    # them be recorded without one would inflate the resolved rate (化解成功, 2.8). Guidance
    # at classification is recorded there (channels_explained, chosen_channel, referral_note).
    _S.RECEIVED: frozenset({OutcomeType.WITHDRAWN}),
    _S.CLASSIFIED: frozenset({OutcomeType.WITHDRAWN}),
    _S.AWAITING_ACCEPTANCE: frozenset({OutcomeType.WITHDRAWN}),
    # In mediation every outcome but not_administrative_dispute, which classification alone
    # sets (2.8) through the close_not_administrative action.
    _S.IN_MEDIATION: _MEDIATION_OUTCOMES,
    # A closed case has its outcome; reopen it first.
    _S.CLOSED: frozenset(),
}
"""Outcome types ``POST /cases/{id}/outcome`` may record, per current state."""


def is_open(status: CaseStatus) -> bool:
    """Whether the case is still being handled (anything but ``closed``)."""
    return status in OPEN_STATUSES


def outcome_allowed(status: CaseStatus, outcome_type: OutcomeType) -> bool:
    """Whether ``POST /cases/{id}/outcome`` may record ``outcome_type`` in ``status``."""
    return outcome_type in OUTCOMES_ALLOWED.get(status, frozenset())


def allowed_outcomes(status: CaseStatus) -> list[str]:
    """The outcome codes recordable in ``status``, in declaration order of OutcomeType."""
    allowed = OUTCOMES_ALLOWED.get(status, frozenset())
    return [o.value for o in OutcomeType if o in allowed]


def action_for_outcome(outcome_type: OutcomeType) -> CaseAction:
    """The action recording ``outcome_type`` amounts to (for the timeline and 409 answers)."""
    if outcome_type is OutcomeType.WITHDRAWN:
        return CaseAction.WITHDRAW
    if outcome_type is OutcomeType.NOT_ADMINISTRATIVE_DISPUTE:
        return CaseAction.CLOSE_NOT_ADMINISTRATIVE
    return CaseAction.RECORD_OUTCOME


def ensure_outcome_allowed(status: CaseStatus, outcome_type: OutcomeType) -> None:
    """Refuse an outcome the current state does not allow (409 ``invalid_transition``, which
    also lists ``allowed_outcomes``)."""
    if outcome_allowed(status, outcome_type):
        return
    raise CASE_LIFECYCLE.refusal(
        status,
        CaseStatus.CLOSED,
        detail=f"案件当前状态为“{status.label_zh}”({status.value}), "
        f"不能记录结果“{outcome_type.label_zh}”({outcome_type.value})",
        extra={
            "outcome_type": outcome_type.value,
            "allowed_outcomes": allowed_outcomes(status),
        },
    )
