"""The life cycle of an annual evaluation round (评选表彰, SPEC 2.14; Art. 19) as data.

``open``: the organizer consults the candidates and awards honours; ``close`` ends the
round, and what it awarded stays as it was. The domain moves a round only through
``app.domain.evaluation.service``.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.states.codes import EvaluationStatus, LabelledEnum
from app.states.machine import Lifecycle

__all__ = ["EVALUATION_LIFECYCLE", "EvaluationAction"]


class EvaluationAction(LabelledEnum):
    AWARD = "award", "表彰"
    CLOSE = "close", "结束评选"


_S = EvaluationStatus
_A = EvaluationAction

_TRANSITIONS: Mapping[tuple[EvaluationStatus, EvaluationStatus], tuple[EvaluationAction, ...]] = {
    (_S.OPEN, _S.OPEN): (_A.AWARD,),
    (_S.OPEN, _S.CLOSED): (_A.CLOSE,),
}

EVALUATION_LIFECYCLE = Lifecycle(
    "评选表彰", "an evaluation", EvaluationStatus, EvaluationAction, _TRANSITIONS
)
