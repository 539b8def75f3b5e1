"""Requests per minute per caller (SPEC 3), with the ``limits`` library.

A caller is the JWT's ``sub`` (when the token verifies), the API key (by its stored hash,
which names the key as well as its id does, without a database read here), or else the
client address. A bad token therefore spends its sender's address budget, and so does an
unknown API key once the database has said so (``charge_address`` from the
authentication dependency): sending made-up credentials buys no fresh budget.

Counting is a moving window (no burst of twice the budget at a window's edge). With
``ADR_REDIS_URL`` the windows live in Redis and every process shares them; otherwise each
process counts alone. If Redis stops answering, the process counts in memory until it
answers again (tried every few seconds; logged): the service stays up and stays limited.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, RateLimitItemPerMinute, WindowStats
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter as SharedMovingWindow
from limits.errors import ConfigurationError, StorageError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.budgets import Budget, budget_of
from app.api.problems import from_domain_error
from app.domain.auth.api_keys import hash_key
from app.domain.auth.tokens import actor_from_token
from app.errors import DomainError, TooManyRequests
from app.settings import Settings

log = structlog.get_logger("adr.rate_limit")
_REDIS_TIMEOUT_S = 0.5
_LOG_EVERY_S = 60.0
_REDIS_RETRY_S = 5.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the window has room again

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(self.reset_s, 1))
        return headers


class RateLimiter:
    """The budgets of one process, counted in Redis when configured, else in memory."""

    def __init__(self, settings: Settings) -> None:
        self.items: dict[Budget, RateLimitItem] = {
            Budget.DEFAULT: RateLimitItemPerMinute(settings.rate_limit_per_minute),
            Budget.REPORT: RateLimitItemPerMinute(settings.report_rate_limit_per_minute),
        }
        self._redis_url = settings.redis_url
        self._prefix = settings.rate_limit_key_prefix
        # In process: ``LocalWindows`` below. Redis: the library's asyncio storage, built on
        # first use because it needs a running event loop.
        self._memory = LocalWindows()
        self._shared: SharedMovingWindow | None = None
        self._last_failure_log = 0.0
        self._redis_retry_at = 0.0  # after a failure, count in memory until then

    @property
    def shared(self) -> bool:
        return self._redis_url is not None

    def _shared_strategy(self) -> SharedMovingWindow:
        assert self._redis_url is not None
        if self._shared is None:
            storage = RedisStorage(
                "async+" + self._redis_url,
                wrap_exceptions=True,
                key_prefix=self._prefix,
                socket_connect_timeout=_REDIS_TIMEOUT_S,
                socket_timeout=_REDIS_TIMEOUT_S,
                # redis-py (with hiredis): measured at ~60% of coredis's CPU per request.
                implementation="redispy",
            )
            self._shared = SharedMovingWindow(storage)
        return self._shared

    async def hit(self, budget: Budget, caller: str) -> Decision:
        """Spend one request of ``caller``'s ``budget``."""
        item = self.items[budget]
        if self._redis_url is not None and time.monotonic() >= self._redis_retry_at:
            try:
                shared = self._shared_strategy()
                allowed = await shared.hit(item, budget.value, caller)
                return _decision(
                    allowed, item, await shared.get_window_stats(item, budget.value, caller)
                )
            except (StorageError, ConfigurationError, OSError) as exc:
                self._log_failure(exc)
        allowed, stats = self._memory.hit(item, budget.value, caller)
        return _decision(allowed, item, stats)

    def _log_failure(self, exc: Exception) -> None:
        now = time.monotonic()
        self._redis_retry_at = now + _REDIS_RETRY_S
        if now - self._last_failure_log >= _LOG_EVERY_S:
            self._last_failure_log = now
            log.warning("rate_limit_storage_unavailable", error=type(exc).__name__)


class LocalWindows:
    """Moving windows counted in this process: for each key, the times of the hits inside
    the last window, oldest first. The ``limits`` library's memory storage does the same
    but inserts every hit at the front of a list (its cost grows with the budget) and starts
    a timer thread for its expiry every few milliseconds (measured: 14 % of a read's CPU,
    issue 16); here a hit costs a few deque operations, and keys gone quiet are dropped
    once a window."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._sweep_at = 0.0

    def hit(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, WindowStats]:
        now = time.time()
        window = item.get_expiry()
        hits = self._hits.setdefault(item.key_for(*identifiers), deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        allowed = len(hits) < item.amount
        if allowed:
            hits.append(now)
        if now >= self._sweep_at:
            self._sweep(now, window)
        reset_time = hits[0] + window if hits else now
        return allowed, WindowStats(reset_time, item.amount - len(hits))

    def _sweep(self, now: float, window: float) -> None:
        self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - window}
        self._sweep_at = now + window


def _decision(allowed: bool, item: RateLimitItem, stats: WindowStats) -> Decision:
    reset_s = max(0, math.ceil(stats.reset_time - time.time()))
    return Decision(allowed, item.amount, max(0, stats.remaining), reset_s)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return dict(scope.get("headers", []))


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def caller_of(scope: Scope, settings: Settings) -> str:
    """Who spends the budget: see the module's docstring."""
    headers = _headers(scope)
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            # Verification is cached per token, so the handler's own check costs nothing more.
            return "sub:" + actor_from_token(token.strip(), settings).sub
        except DomainError:
            return "addr:" + client_address(scope)
    api_key = headers.get(b"x-api-key")
    if api_key:
        return "key:" + hash_key(api_key.decode("latin-1"))
    return "addr:" + client_address(scope)


def refusal(decision: Decision, budget: Budget) -> TooManyRequests:
    what = "reports and exports" if budget is Budget.REPORT else "requests"
    return TooManyRequests(
        f"more than {decision.limit} {what} per minute; retry in {max(decision.reset_s, 1)} s",
        headers=decision.headers(),
    )


async def charge_address(limiter: RateLimiter, scope: Scope) -> None:
    """Spend the client address's budget (for credentials found invalid after the fact);
    429 when it is exhausted."""
    budget = budget_of(scope["path"], scope.get("query_string", b"")) or Budget.DEFAULT
    decision = await limiter.hit(budget, "addr:" + client_address(scope))
    if not decision.allowed:
        raise refusal(decision, budget)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limiter: RateLimiter, settings: Settings) -> None:
        self.app = app
        self.limiter = limiter
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        budget = budget_of(scope["path"], scope.get("query_string", b""))
        if budget is None:
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.hit(budget, caller_of(scope, self.settings))
        if not decision.allowed:
            await from_domain_error(refusal(decision, budget))(scope, receive, send)
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A 429 raised further in (an unknown API key spending the address budget)
                # already carries the figures of the budget that refused it.
                if not any(k == b"ratelimit-limit" for k, _ in headers):
                    headers.extend(extra)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_limits)
