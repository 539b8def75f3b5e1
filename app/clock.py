"""The service's one clock.

Instants are UTC; years, dates and deadlines are reckoned in Asia/Shanghai (SPEC 3).
Every "now" in the service comes from ``now_utc`` so that one switch, ``run_on``,
moves all of it: tests use it to hold the service at a chosen moment (a date
rule near a year's end, a policy that has expired) without waiting for the
calendar. Nothing else in the service reads the system clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _system_clock() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_clock


def now_utc() -> datetime:
    return _source()


def today_shanghai(now: datetime | None = None) -> date:
    return (now or now_utc()).astimezone(SHANGHAI).date()


def run_on(source: Callable[[], datetime] | None) -> Callable[[], datetime]:
    """Make ``source`` the clock (``None`` restores the system's); returns the one it replaced."""
    global _source
    replaced = _source
    _source = source or _system_clock
    return replaced
