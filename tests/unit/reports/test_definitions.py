"""The pure parts of the statistics and exports: periods in Asia/Shanghai, percentiles,
open cases at month ends, the formula guard and the download's name."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

import pytest

from app.domain.exports.disposition import content_disposition
from app.domain.exports.guard import guard_text
from app.domain.statistics.definitions import Period, open_at_month_ends, percentile, ratio


def test_a_year_runs_from_shanghai_midnight_to_shanghai_midnight():
    period = Period(2025)
    assert period.start == datetime(2024, 12, 31, 16, 0, tzinfo=UTC)
    assert period.end == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    assert period.month_ends[0] == datetime(2025, 1, 31, 16, 0, tzinfo=UTC)
    assert period.month_ends[1] == datetime(2025, 2, 28, 16, 0, tzinfo=UTC)
    assert period.month_ends[-1] == period.end
    assert len(period.month_ends) == 12


@pytest.mark.parametrize(
    "values",
    [[3], [1, 2], [0, 0, 7], [5, 1, 9, 9, 2, 30, 4], list(range(100)), [4] * 10 + [40]],
)
def test_percentiles_from_a_histogram_are_those_of_the_values(values):
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    assert percentile(histogram, 0.5) == pytest.approx(statistics.median(values))
    ordered = sorted(values)
    position = 0.9 * (len(ordered) - 1)
    low = ordered[int(position)]
    high = ordered[min(int(position) + 1, len(ordered) - 1)]
    assert percentile(histogram, 0.9) == pytest.approx(
        round(low + (high - low) * (position - int(position)), 2)
    )


def test_no_values_no_percentile_and_no_rate():
    assert percentile({}, 0.5) is None
    assert ratio(3, 0) is None
    assert ratio(2, 3) == 0.6667


def test_a_case_is_open_at_the_ends_of_the_months_between_its_receipt_and_its_closing():
    # Received in March and closed in June; received in November, never closed.
    counts = open_at_month_ends([(3, 6, 1), (11, 13, 2)])
    assert counts == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 2, 2]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_is_written_as_text(start):
    assert guard_text(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


def test_ordinary_text_is_left_alone():
    for text in ("聊城市自然资源和规划局", "A=B", "", "'quoted"):
        assert guard_text(text) == text


def test_the_download_name_is_rfc_6266_with_an_ascii_fallback():
    header = content_disposition("行政争议案件统计_2026.xlsx", "adr-case statistics;2026.xlsx")
    assert header == (
        'attachment; filename="adr-case_statistics_2026.xlsx"; '
        "filename*=UTF-8''%E8%A1%8C%E6%94%BF%E4%BA%89%E8%AE%AE%E6%A1%88%E4%BB%B6%E7%BB%9F"
        "%E8%AE%A1_2026.xlsx"
    )
