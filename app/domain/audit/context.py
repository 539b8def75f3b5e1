"""Facts about the current request that every audit record carries.

The HTTP edge sets them at the start of each request and resets them at its end (so that
nothing run later in the same context, a test or a background job, sees a request that has
ended); services read them here instead of threading a request object through every call.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str | None = None
    client_address: str | None = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar(
    "adr_request_context",
    default=_EMPTY,
)


def current_request() -> RequestContext:
    return _current.get()


def set_current_request(context: RequestContext) -> Token[RequestContext]:
    """Set for the rest of the request; ``reset_current_request`` with the token ends it."""
    return _current.set(context)


def reset_current_request(token: Token[RequestContext]) -> None:
    _current.reset(token)
