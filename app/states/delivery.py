"""The life cycle of a webhook delivery (one event to one endpoint, SPEC 2.16) as data.

``pending`` → ``delivering`` (a process claims it, with a lease) → ``succeeded`` | ``pending``
(the answer was not 2xx within the timeout: the next try is scheduled) | ``failed`` (that
was the last try). A ``delivering`` whose lease ran out (its process died mid-attempt) is
claimed again: ``delivering`` → ``delivering``. A manual retry puts a ``failed`` or
``succeeded`` delivery back to ``pending``, due at once.

The back-off (SPEC 2.16): about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first,
second, … failed try, each stretched or shrunk by up to 20 % at random so that many
deliveries that failed together do not come back together; eight tries in all, over about
27 hours. An endpoint whose tries have all failed for 24 hours straight is disabled.

This module is pure: no I/O, no framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from app.states.codes import DeliveryStatus, LabelledEnum
from app.states.machine import Lifecycle

__all__ = [
    "DELIVERY_LIFECYCLE",
    "DISABLE_AFTER",
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "DeliveryAction",
    "retry_delay",
]


class DeliveryAction(LabelledEnum):
    CLAIM = "claim", "开始推送"
    RECLAIM = "reclaim", "推送进程失联, 重新推送"
    SUCCEED = "succeed", "推送成功"
    SCHEDULE_RETRY = "schedule_retry", "推送失败, 稍后重试"
    FAIL = "fail", "最后一次推送失败"
    RETRY = "retry", "手动重试"


_S = DeliveryStatus
_A = DeliveryAction

_TRANSITIONS: Mapping[tuple[DeliveryStatus, DeliveryStatus], tuple[DeliveryAction, ...]] = {
    (_S.PENDING, _S.DELIVERING): (_A.CLAIM,),
    (_S.DELIVERING, _S.DELIVERING): (_A.RECLAIM,),
    (_S.DELIVERING, _S.SUCCEEDED): (_A.SUCCEED,),
    (_S.DELIVERING, _S.PENDING): (_A.SCHEDULE_RETRY,),
    (_S.DELIVERING, _S.FAILED): (_A.FAIL,),
    (_S.FAILED, _S.PENDING): (_A.RETRY,),
    (_S.SUCCEEDED, _S.PENDING): (_A.RETRY,),
    # A retry asked for while the delivery waits for its next try: due at once.
    (_S.PENDING, _S.PENDING): (_A.RETRY,),
}

DELIVERY_LIFECYCLE = Lifecycle("推送", "a delivery", DeliveryStatus, DeliveryAction, _TRANSITIONS)
"""The delivery life cycle: every allowed (from, to) pair and the action that causes it."""

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = timedelta(hours=24)
JITTER = 0.2


def retry_delay(attempts: int, random_unit: float) -> timedelta | None:
    """The wait before the next try after ``attempts`` failed tries, or None when that was
    the last. ``random_unit`` in [0, 1) picks the jitter."""
    if attempts < 1 or attempts >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS[attempts - 1]
    return base * (1 - JITTER + 2 * JITTER * random_unit)
