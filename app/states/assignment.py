"""The life cycle of a dispatch offer (委派, SPEC 2.7) as data.

``offered`` → ``accepted`` | ``declined`` | ``expired`` | ``conflict_reported``;
``conflict_reported`` → ``declined`` (the agency head releases the lawyer, Art. 9) |
``offered`` (keeps them: a new response window); ``accepted`` → ``completed`` (the case
closed with an outcome) | ``withdrawn``.

One addition to the SPEC's list, because the case life cycle needs it: a live offer
(``offered`` or ``conflict_reported``) can be ``withdrawn`` when its case closes before the
lawyer answered (the applicant withdraws while the case awaits acceptance, SPEC 2.8). Without
it the offer would stay live on a closed case: a reopened case could then never get a new
presiding offer ("never two live presiding offers on one case"), and the lawyer could still
accept it. It is not an expiry or a decline, so it does not count as ``declined_before``.

A reported work conflict has a window of its own: the agency rules within
``offer_response_hours`` of the report, or the offer ends like an expired one
(``conflict_reported`` → ``expired``), so that no case waits on a silent agency; ``keep``
opens a new answer window (SPEC 2.7). A coordinator may withdraw a live offer with a reason,
and a lawyer who leaves active service loses their live offers the same way (``withdrawn``).

The domain moves an assignment only through
``app.domain.dispatch.transition.move_assignment``.

This module is pure: no I/O, no framework.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.states.codes import AssignmentStatus, LabelledEnum
from app.states.machine import Lifecycle

__all__ = [
    "ASSIGNMENT_LIFECYCLE",
    "LIVE_OFFER_STATUSES",
    "OPEN_STATUSES",
    "REFUSED_STATUSES",
    "TERMINAL_STATUSES",
    "AssignmentAction",
    "is_live_offer",
    "is_open",
    "is_terminal",
]


class AssignmentAction(LabelledEnum):
    """What moves an assignment; named in 409 answers and the case timeline."""

    ACCEPT = "accept", "接受委派"
    DECLINE = "decline", "谢绝委派"
    EXPIRE = "expire", "逾期未答复"
    REPORT_CONFLICT = "report_conflict", "报告工作冲突"
    RELEASE = "release", "单位同意不参加"
    KEEP = "keep", "单位决定继续参加"
    WITHDRAW_OFFER = "withdraw_offer", "撤回未答复的委派"
    COMPLETE = "complete", "办结"
    WITHDRAW = "withdraw", "撤回委派"
    REOPEN = "reopen", "案件重新启动, 恢复主持"


_S = AssignmentStatus
_A = AssignmentAction

_TRANSITIONS: Mapping[tuple[AssignmentStatus, AssignmentStatus], tuple[AssignmentAction, ...]] = {
    (_S.OFFERED, _S.ACCEPTED): (_A.ACCEPT,),
    # Declined with reason conflict_of_interest (回避) or other (with a note).
    (_S.OFFERED, _S.DECLINED): (_A.DECLINE,),
    # Past offer_response_hours (periodic sweep, or whenever the offer is read).
    (_S.OFFERED, _S.EXPIRED): (_A.EXPIRE,),
    # Declined with reason work_conflict: the lawyer's agency head decides (Art. 9).
    (_S.OFFERED, _S.CONFLICT_REPORTED): (_A.REPORT_CONFLICT,),
    (_S.CONFLICT_REPORTED, _S.DECLINED): (_A.RELEASE,),
    # The agency did not rule within offer_response_hours of the report (Art. 9, SPEC 2.7).
    (_S.CONFLICT_REPORTED, _S.EXPIRED): (_A.EXPIRE,),
    (_S.CONFLICT_REPORTED, _S.OFFERED): (_A.KEEP,),
    # The case closed before the lawyer answered, a coordinator withdrew the offer, or the
    # lawyer left active service (see the module docstring).
    (_S.OFFERED, _S.WITHDRAWN): (_A.WITHDRAW_OFFER,),
    (_S.CONFLICT_REPORTED, _S.WITHDRAWN): (_A.WITHDRAW_OFFER,),
    # Recording the case outcome completes its accepted assignments (2.8).
    (_S.ACCEPTED, _S.COMPLETED): (_A.COMPLETE,),
    (_S.ACCEPTED, _S.WITHDRAWN): (_A.WITHDRAW,),
    # Reopening a case that had been mediated puts its presiding mediator back to work
    # (SPEC 2.9: closed → in_mediation), rather than dispatching the case afresh.
    (_S.COMPLETED, _S.ACCEPTED): (_A.REOPEN,),
}

ASSIGNMENT_LIFECYCLE = Lifecycle(
    "委派", "an assignment", AssignmentStatus, AssignmentAction, _TRANSITIONS
)
"""The assignment life cycle: every allowed (from, to) pair and the action that causes it."""

LIVE_OFFER_STATUSES: frozenset[AssignmentStatus] = frozenset({_S.OFFERED, _S.CONFLICT_REPORTED})
"""Offers still waiting for an answer (at most one presiding one per case)."""

OPEN_STATUSES: frozenset[AssignmentStatus] = LIVE_OFFER_STATUSES | {_S.ACCEPTED}
"""Assignments that count toward ``max_open_assignments`` (when their case is open)."""

REFUSED_STATUSES: frozenset[AssignmentStatus] = frozenset({_S.DECLINED, _S.EXPIRED})
"""Ends that make the lawyer ineligible for the same case again (``declined_before``)."""

TERMINAL_STATUSES: frozenset[AssignmentStatus] = ASSIGNMENT_LIFECYCLE.terminal
"""States nothing leaves: declined, expired, completed, withdrawn."""


def is_open(status: AssignmentStatus) -> bool:
    """Whether the assignment counts toward the lawyer's capacity (offered, conflict_reported,
    accepted); the caller still only counts those on open cases (SPEC 2.7)."""
    return status in OPEN_STATUSES


def is_live_offer(status: AssignmentStatus) -> bool:
    """Whether the offer still awaits an answer (offered or conflict_reported)."""
    return status in LIVE_OFFER_STATUSES


def is_terminal(status: AssignmentStatus) -> bool:
    """Whether nothing can happen to the assignment any more."""
    return status in TERMINAL_STATUSES
