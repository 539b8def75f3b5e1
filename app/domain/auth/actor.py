"""Who is acting: the authenticated caller as the services see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from app.states.codes import Role


@dataclass(frozen=True, slots=True)
class Actor:
    sub: str
    role: Role
    agency_id: uuid.UUID | None = None
    lawyer_id: uuid.UUID | None = None
    # How the caller proved who it is; API-key callers have stricter duties (idempotency).
    via: Literal["jwt", "api_key", "system"] = "jwt"


SYSTEM_ACTOR = Actor(sub="system", role=Role.ADMIN, via="system")
