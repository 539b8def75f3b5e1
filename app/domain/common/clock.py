"""Years, dates and deadlines are reckoned in Asia/Shanghai (SPEC 3); instants are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_shanghai(now: datetime | None = None) -> date:
    return (now or now_utc()).astimezone(SHANGHAI).date()


def year_shanghai(moment: datetime) -> int:
    return moment.astimezone(SHANGHAI).year
