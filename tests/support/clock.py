"""Holding the service's one clock (``app.clock``) at a chosen moment in a test.

Every "now" and "today" of the service, and of the factories (``today``, ``days_ago``,
``current_year``), comes from ``app.clock``; replacing its source moves all of them at once.
A test that needs a particular date freezes the clock instead of hoping the calendar
agrees; a test about "today" derives its dates from ``app.clock.today_shanghai()``.
Tokens are not affected: PyJWT checks them against the wall clock.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from app import clock


def freeze_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime | str) -> datetime:
    """Hold the service's clock at ``moment`` (an aware datetime, or its ISO 8601 text with
    an offset) until the test ends; returns the moment."""
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if at.tzinfo is None:
        raise ValueError(f"give the moment with its offset (UTC or +08:00): {moment!r}")
    monkeypatch.setattr(clock, "_source", lambda: at)
    return at
