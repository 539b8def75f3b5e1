"""Stable ids of seeded reference data.

Seeded agencies and the first policy version get UUIDv5 ids derived from their codes under
one fixed project namespace, so every machine and every ``adr seed`` gives them the same
id: documentation, OpenAPI examples and front-end fixtures can name them. Business systems
need none: their code is their primary key. Objects created through the API keep random
(time-ordered) ids.
"""

from __future__ import annotations

import uuid
from datetime import date

# Fixed for ever: changing it changes every seeded id on new installations.
NAMESPACE = uuid.UUID("6f1c5e0a-3b1d-5c7e-9a57-1c0a2d5e4b8f")


def agency_id(seed_key: str) -> uuid.UUID:
    """The id of the seeded agency with this key (``app/db/seed_data/agencies.json``)."""
    return uuid.uuid5(NAMESPACE, f"agency:{seed_key}")


def policy_version_id(effective_from: date) -> uuid.UUID:
    """The id of the seeded policy version that takes effect on this day."""
    return uuid.uuid5(NAMESPACE, f"policy-version:{effective_from.isoformat()}")
