"""The life cycle of a mediator-pool membership (和解调解员人才库, SPEC 2.4, Art. 10) as data.

``nominated`` → ``approved`` (the center admits the lawyer) | ``rejected`` | ``withdrawn``;
``approved`` → ``withdrawn`` (the agency or the center takes the lawyer out, or the lawyer
leaves active service). ``rejected`` and ``withdrawn`` are final: a new year's nomination
is a new membership. The domain moves a membership only through
``app.domain.pool.transition.move_membership``.

This module is pure: no I/O, no framework.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.states.codes import LabelledEnum, MembershipStatus
from app.states.machine import Lifecycle

__all__ = ["LIVE_STATUSES", "MEMBERSHIP_LIFECYCLE", "MembershipAction"]


class MembershipAction(LabelledEnum):
    """What moves a pool membership; named in 409 answers and the audit trail."""

    APPROVE = "approve", "批准入库"
    REJECT = "reject", "不予入库"
    WITHDRAW = "withdraw", "退出人才库"


_S = MembershipStatus
_A = MembershipAction

_TRANSITIONS: Mapping[tuple[MembershipStatus, MembershipStatus], tuple[MembershipAction, ...]] = {
    (_S.NOMINATED, _S.APPROVED): (_A.APPROVE,),
    (_S.NOMINATED, _S.REJECTED): (_A.REJECT,),
    (_S.NOMINATED, _S.WITHDRAWN): (_A.WITHDRAW,),
    (_S.APPROVED, _S.WITHDRAWN): (_A.WITHDRAW,),
}

MEMBERSHIP_LIFECYCLE = Lifecycle(
    "人才库成员", "a membership", MembershipStatus, MembershipAction, _TRANSITIONS
)
"""The membership life cycle: every allowed (from, to) pair and the action that causes it."""

LIVE_STATUSES: frozenset[MembershipStatus] = frozenset({_S.NOMINATED, _S.APPROVED})
"""Memberships that count toward the agency's quota (at most one per lawyer and year)."""
