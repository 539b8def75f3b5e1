"""Moving a webhook delivery from one state to another: the one place that does it.

Deliveries are the service's own machinery (no timeline, no outbox event of their own); a
manual retry is audited by the operation that asks for it.
"""

from __future__ import annotations

from datetime import datetime

from app.db.models import WebhookDelivery
from app.states.codes import DeliveryStatus
from app.states.delivery import DELIVERY_LIFECYCLE, DeliveryAction


def move_delivery(
    delivery: WebhookDelivery, target: DeliveryStatus, *, now: datetime
) -> DeliveryAction:
    """Move ``delivery`` to ``target`` (409 ``invalid_transition`` when its life cycle does
    not allow it); returns the action the move amounts to."""
    action = DELIVERY_LIFECYCLE.ensure(DeliveryStatus(delivery.status), target)
    delivery.status = target
    delivery.updated_at = now
    return action
