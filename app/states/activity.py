"""The life cycle of a recorded activity (履职活动, SPEC 2.11) as data.

A lawyer's own record starts ``submitted``; their agency's officer ``confirm``s it or
``return``s it with a note. A correction (``PATCH``) of a submitted or returned record
leaves it ``submitted`` for the officer to look at again; the recorder may ``withdraw``
it until it is confirmed. A record an officer or the center makes is born ``confirmed``.
``confirmed`` and ``withdrawn`` are final: a confirmed activity is changed only by a new
record, so the archive (2.12) never loses a fact it has shown. The domain moves an
activity only through ``app.domain.activities.transition.move_activity``.

This module is pure: no I/O, no framework.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.states.codes import ActivityStatus, LabelledEnum
from app.states.machine import Lifecycle

__all__ = ["ACTIVITY_LIFECYCLE", "CORRECTABLE_STATUSES", "ActivityAction"]


class ActivityAction(LabelledEnum):
    """What moves an activity; named in 409 answers and the audit trail."""

    CONFIRM = "confirm", "确认"
    RETURN = "return", "退回"
    CORRECT = "correct", "更正"
    WITHDRAW = "withdraw", "撤回"


_S = ActivityStatus
_A = ActivityAction

_TRANSITIONS: Mapping[tuple[ActivityStatus, ActivityStatus], tuple[ActivityAction, ...]] = {
    (_S.SUBMITTED, _S.CONFIRMED): (_A.CONFIRM,),
    (_S.SUBMITTED, _S.RETURNED): (_A.RETURN,),
    (_S.SUBMITTED, _S.SUBMITTED): (_A.CORRECT,),
    (_S.RETURNED, _S.SUBMITTED): (_A.CORRECT,),
    (_S.SUBMITTED, _S.WITHDRAWN): (_A.WITHDRAW,),
    (_S.RETURNED, _S.WITHDRAWN): (_A.WITHDRAW,),
}

ACTIVITY_LIFECYCLE = Lifecycle(
    "履职活动", "an activity", ActivityStatus, ActivityAction, _TRANSITIONS
)
"""The activity life cycle: every allowed (from, to) pair and the action that causes it."""

CORRECTABLE_STATUSES: frozenset[ActivityStatus] = frozenset({_S.SUBMITTED, _S.RETURNED})
"""Records their recorder may still correct or withdraw."""
