"""GET /api/v1/cases (SPEC 3.1): every filter, text search in Chinese, cursor pagination."""

from typing import Any

import pytest

from tests.support.factories import (
    CASES,
    applicant,
    case_body,
    classification_body,
    classify,
    create_case,
    days_ago,
    list_all,
    not_met_body,
)
from tests.support.problems import assert_problem


@pytest.fixture
async def cases(client, coordinator, organs, intake) -> dict[str, dict[str, Any]]:
    """Four cases that differ in every filtered field.

    c1 petition, respondent r1, March 2026, classified (natural_resources), 补偿 in the title
    c2 letter,   respondent r2, June 2026, collective (high), 补偿 in the facts
    c3 visit,    respondent r1, September 2026, closed (market_regulation), 补偿 in the claims,
                 reconsideration deadline within the warning window
    c4 petition, respondent r2, November 2025, 补助 (not 补偿) in the title
    """
    r1, r2 = str(organs[3]["id"]), str(organs[4]["id"])
    long_ago = {"type": "expropriation", "made_on": "2025-01-05", "known_on": "2025-01-10"}
    c1 = await create_case(
        client,
        coordinator,
        case_body(
            intake,
            r1,
            channel="petition",
            received_at="2026-03-01T10:00:00+08:00",
            act=long_ago,
            title="对房屋征收补偿决定不服",
        ),
    )
    c2 = await create_case(
        client,
        coordinator,
        case_body(
            intake,
            r2,
            channel="letter",
            received_at="2026-06-01T10:00:00+08:00",
            applicants=[applicant() for _ in range(5)],
            facts="村民反映征地补偿款至今未发放到位。",
        ),
    )
    c3 = await create_case(
        client,
        coordinator,
        case_body(
            intake,
            r1,
            channel="visit",
            received_at="2026-09-01T10:00:00+08:00",
            act={
                "type": "administrative_penalty",
                "made_on": days_ago(56),
                "known_on": days_ago(55),
            },
            claims="请求赔偿并补偿停业损失",
        ),
    )
    c4 = await create_case(
        client,
        coordinator,
        case_body(
            intake,
            r2,
            channel="petition",
            received_at="2025-11-01T10:00:00+08:00",
            act={"type": "administrative_payment", "made_on": days_ago(2), "known_on": days_ago(1)},
            title="申请发放生活补助",
        ),
    )
    response = await classify(
        client, coordinator, c1["id"], classification_body(business_system="natural_resources")
    )
    assert response.status_code == 200, response.text
    response = await classify(
        client, coordinator, c3["id"], not_met_body(business_system="market_regulation")
    )
    assert response.status_code == 200, response.text
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "r1": {"id": r1}, "r2": {"id": r2}}


async def found(client, headers, cases, **params) -> set[str]:
    """Which of the fixture's cases the filtered list returns."""
    names = {c["id"]: name for name, c in cases.items() if name.startswith("c")}
    return {names[c["id"]] for c in await list_all(client, headers, **params) if c["id"] in names}


async def test_without_filters_everything_is_listed(client, coordinator, cases):
    assert await found(client, coordinator, cases) == {"c1", "c2", "c3", "c4"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("received", {"c2", "c4"}),
        ("classified", {"c1"}),
        ("closed", {"c3"}),
        ("in_mediation", set()),
    ],
)
async def test_filter_by_status(client, coordinator, cases, status, expected):
    assert await found(client, coordinator, cases, status=status) == expected


@pytest.mark.parametrize(
    ("channel", "expected"),
    [("petition", {"c1", "c4"}), ("letter", {"c2"}), ("visit", {"c3"}), ("report", set())],
)
async def test_filter_by_channel(client, coordinator, cases, channel, expected):
    assert await found(client, coordinator, cases, channel=channel) == expected


@pytest.mark.parametrize(
    ("system", "expected"),
    [("natural_resources", {"c1"}), ("market_regulation", {"c3"}), ("health", set())],
)
async def test_filter_by_business_system(client, coordinator, cases, system, expected):
    assert await found(client, coordinator, cases, business_system=system) == expected


async def test_filter_by_respondent(client, coordinator, cases):
    r1, r2 = cases["r1"]["id"], cases["r2"]["id"]
    assert await found(client, coordinator, cases, respondent_agency_id=r1) == {"c1", "c3"}
    assert await found(client, coordinator, cases, respondent_agency_id=r2) == {"c2", "c4"}


async def test_filter_by_priority(client, coordinator, cases):
    assert await found(client, coordinator, cases, priority="high") == {"c2"}
    assert await found(client, coordinator, cases, priority="normal") == {"c1", "c3", "c4"}
    assert await found(client, coordinator, cases, priority="urgent") == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"received_from": "2026-05-01T00:00:00+08:00"}, {"c2", "c3"}),
        ({"received_to": "2026-05-01T00:00:00+08:00"}, {"c1", "c4"}),
        (
            {"received_from": "2026-01-01T00:00:00+08:00", "received_to": "2026-07-01T00:00:00Z"},
            {"c1", "c2"},
        ),
        # The bounds are instants: 10:00 in Shanghai is 02:00 UTC.
        ({"received_from": "2026-03-01T02:00:00Z", "received_to": "2026-03-01T02:00:01Z"}, {"c1"}),
        ({"received_from": "2026-03-01T02:00:01Z", "received_to": "2026-06-01T02:00:00Z"}, set()),
    ],
)
async def test_filter_by_received_at(client, coordinator, cases, params, expected):
    assert await found(client, coordinator, cases, **params) == expected


async def test_received_bounds_need_an_offset(client, coordinator):
    response = await client.get(
        CASES, params={"received_from": "2026-05-01T00:00:00"}, headers=coordinator
    )
    assert_problem(response, 422)


async def test_filter_by_deadline_warning(client, coordinator, cases):
    assert await found(client, coordinator, cases, deadline_warning="true") == {"c3"}
    # The list agrees with what each case shows.
    for name in ("c1", "c2", "c3", "c4"):
        read = await client.get(f"{CASES}/{cases[name]['id']}", headers=coordinator)
        assert read.json()["deadlines"]["warning"] is (name == "c3")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("补偿", {"c1", "c2", "c3"}),
        ("补助", {"c4"}),
        ("补贴", set()),
        ("征收补偿决定", {"c1"}),
        ("补偿款", {"c2"}),
        ("停业损失", {"c3"}),
        ("拆迁", set()),
        ("%%", set()),
        ("__", set()),
    ],
)
async def test_text_search_in_title_facts_and_claims(client, coordinator, cases, q, expected):
    assert await found(client, coordinator, cases, q=q) == expected


async def test_filters_combine(client, coordinator, cases):
    r1 = cases["r1"]["id"]
    assert await found(client, coordinator, cases, q="补偿", respondent_agency_id=r1) == {
        "c1",
        "c3",
    }
    assert await found(client, coordinator, cases, q="补偿", status="received") == {"c2"}
    assert await found(
        client, coordinator, cases, channel="petition", received_from="2026-01-01T00:00:00Z"
    ) == {"c1"}


async def test_list_items_are_summaries(client, coordinator, cases):
    page = (await client.get(CASES, params={"limit": 200}, headers=coordinator)).json()
    item = next(i for i in page["items"] if i["id"] == cases["c2"]["id"])
    assert item["case_no"] == cases["c2"]["case_no"]
    assert item["collective"] is True
    assert item["applicant_count"] == 5
    assert item["status"] == "received"
    for detail in ("applicants", "facts", "claims", "deadlines"):
        assert detail not in item


@pytest.mark.parametrize(
    "params",
    [
        {"status": "open"},
        {"channel": "email"},
        {"priority": "low"},
        {"respondent_agency_id": "not-a-uuid"},
        {"limit": 0},
        {"limit": 201},
        {"cursor": "not-a-cursor"},
        {"q": ""},
    ],
)
async def test_invalid_query_parameters(client, coordinator, params):
    assert_problem(await client.get(CASES, params=params, headers=coordinator), 422)


async def test_cursor_pagination_walks_every_case_once_newest_first(
    client, coordinator, intake, respondent
):
    title = "分页测试案件"
    created = [
        await create_case(client, coordinator, case_body(intake, respondent, title=f"{title}{i}"))
        for i in range(5)
    ]
    seen: list[str] = []
    pages: list[int] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2, "q": title}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(CASES, params=params, headers=coordinator)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(len(page["items"]))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [2, 2, 1]
    assert len(seen) == len(set(seen)) == 5
    assert seen == [c["id"] for c in reversed(created)]
    # The default page holds them all, in the same order.
    default = (await client.get(CASES, params={"q": title}, headers=coordinator)).json()
    assert [i["id"] for i in default["items"]] == seen
    assert default["next_cursor"] is None


async def test_a_full_last_page_ends_with_an_empty_one(client, coordinator, intake, respondent):
    title = "整页测试"
    for i in range(4):
        await create_case(client, coordinator, case_body(intake, respondent, title=f"{title}{i}"))
    first = (await client.get(CASES, params={"limit": 2, "q": title}, headers=coordinator)).json()
    second = (
        await client.get(
            CASES,
            params={"limit": 2, "q": title, "cursor": first["next_cursor"]},
            headers=coordinator,
        )
    ).json()
    assert len(first["items"]) == len(second["items"]) == 2
    if second["next_cursor"] is not None:
        third = (
            await client.get(
                CASES,
                params={"limit": 2, "q": title, "cursor": second["next_cursor"]},
                headers=coordinator,
            )
        ).json()
        assert third == {"items": [], "next_cursor": None}


async def test_a_case_taken_in_while_paging_does_not_disturb_the_walk(
    client, coordinator, intake, respondent
):
    title = "翻页期间新案"
    created = [
        await create_case(client, coordinator, case_body(intake, respondent, title=f"{title}{i}"))
        for i in range(3)
    ]
    first = (await client.get(CASES, params={"limit": 2, "q": title}, headers=coordinator)).json()
    await create_case(client, coordinator, case_body(intake, respondent, title=f"{title}新"))
    rest = await list_all(client, coordinator, q=title, limit=2, cursor=first["next_cursor"])
    walked = [i["id"] for i in first["items"]] + [i["id"] for i in rest]
    assert walked == [c["id"] for c in reversed(created)]
