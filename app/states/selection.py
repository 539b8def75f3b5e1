"""The life cycle of a typical-case selection (典型案例评选, SPEC 2.13; Art. 18) as data.

``open`` (the supervisor decides on the window's nominations, and may change a decision)
→ ``published`` by ``publish``. A published selection is frozen: what was published stays
as it was. The domain moves a selection only through
``app.domain.typical.service.publish``.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.states.codes import LabelledEnum, SelectionStatus
from app.states.machine import Lifecycle

__all__ = ["SELECTION_LIFECYCLE", "SelectionAction"]


class SelectionAction(LabelledEnum):
    PUBLISH = "publish", "发布"
    DECIDE = "decide", "评定"


_S = SelectionStatus
_A = SelectionAction

_TRANSITIONS: Mapping[tuple[SelectionStatus, SelectionStatus], tuple[SelectionAction, ...]] = {
    (_S.OPEN, _S.OPEN): (_A.DECIDE,),
    (_S.OPEN, _S.PUBLISHED): (_A.PUBLISH,),
}

SELECTION_LIFECYCLE = Lifecycle(
    "典型案例评选", "a selection", SelectionStatus, SelectionAction, _TRANSITIONS
)
