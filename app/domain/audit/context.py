"""Facts about the current request that every audit record carries.

The HTTP edge sets them once per request; services read them here instead of threading a
request object through every call.
"""

from __future__ import annotations

from contextvars import ContextVar
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


def set_current_request(context: RequestContext) -> None:
    _current.set(context)
