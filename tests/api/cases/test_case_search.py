"""GET /api/v1/cases?q=: Chinese terms of every length, in every searched text, on both
databases (PostgreSQL narrows with the character-pair index first, then checks exactly)."""

from typing import Any

import pytest

from app.db.repositories.case_search import has_pair
from tests.support.factories import case_body, create_case, list_all

TEXTS = {
    # name: (title, facts, claims)
    "title": ("对房屋拆迁补偿决定不服", "申请人认为评估价格偏低。", "请求重新评估"),
    "facts": (
        "对不予受理决定不服",
        "申请人曾向行政争议化解中心申请调解，被申请人未予答复。",
        "请求依法受理",
    ),
    "apart": (
        "对责令停产决定不服",
        "双方争议较大，经建议化繁为简，矛盾仍未化解。",
        "请求撤销责令停产决定",
    ),
    "claims": ("对社会保险待遇核定不服", "申请人退休后待遇核定偏低。", "请求补发养老金差额"),
    "latin": ("对ABC公司营业执照吊销不服", "吊销决定未告知陈述申辩权利。", "请求撤销吊销决定"),
    "symbols": (
        "对罚款决定不服",
        "罚款金额上浮50%，文书编号A_1。",
        "请求撤销罚款决定",
    ),
    "lookalike": (
        "对罚款数额不服",
        "罚款金额为50元，文书编号AB1。",
        "请求减少罚款数额",
    ),
    "border": ("申请行政补偿", "决定书送达后申请人不服。", "请求依法处理"),
}


@pytest.fixture
async def cases(client, coordinator, intake, respondent) -> dict[str, dict[str, Any]]:
    made = {}
    for name, (title, facts, claims) in TEXTS.items():
        body = case_body(intake, respondent, title=title, facts=facts, claims=claims)
        made[name] = await create_case(client, coordinator, body)
    return made


async def found(client, headers, cases, q: str) -> set[str]:
    names = {c["id"]: name for name, c in cases.items()}
    return {names[c["id"]] for c in await list_all(client, headers, q=q) if c["id"] in names}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # two characters, in the title, the facts, the claims
        ("拆迁", {"title"}),
        ("争议", {"facts", "apart"}),
        ("化解", {"facts", "apart"}),
        ("补发", {"claims"}),
        # three characters
        ("养老金", {"claims"}),
        ("营业执", {"latin"}),
        # four and more
        ("争议化解", {"facts"}),
        ("行政争议化解中心", {"facts"}),
        ("拆迁补偿决定", {"title"}),
        ("社会保险待遇", {"claims"}),
        # every pair is present, but not in this order or not together
        ("化解争议", set()),
        ("补偿拆迁", set()),
        ("养老保险", set()),
        # nothing like it
        ("海域使用", set()),
    ],
)
async def test_chinese_terms_of_every_length(client, coordinator, cases, q, expected):
    assert await found(client, coordinator, cases, q) == expected


async def test_pairs_found_apart_do_not_match(client, coordinator, cases):
    # Every pair of 争议化解 is in "apart" (争议, 议化 of 建议化, 化解), not the term: the
    # pre-filter on pairs lets the case through, the exact check must not.
    assert await found(client, coordinator, cases, "争议") >= {"apart"}
    assert await found(client, coordinator, cases, "化解") >= {"apart"}
    assert "apart" not in await found(client, coordinator, cases, "争议化解")


async def test_a_term_does_not_span_two_texts(client, coordinator, cases):
    # "border" ends its title with 补偿 and starts its facts with 决定.
    assert await found(client, coordinator, cases, "补偿决定") == {"title"}
    assert await found(client, coordinator, cases, "行政补偿") == {"border"}


@pytest.mark.parametrize("q", ["abc", "ABC", "aBc", "Abc公司", "abc公司营业执照"])
async def test_latin_letters_match_whatever_their_case(client, coordinator, cases, q):
    assert await found(client, coordinator, cases, q) == {"latin"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("50%", {"symbols"}),
        ("0%", {"symbols"}),
        ("A_1", {"symbols"}),
        ("A_", {"symbols"}),
        ("50", {"symbols", "lookalike"}),
        ("上浮50%，", {"symbols"}),
        ("B1", {"lookalike"}),
    ],
)
async def test_percent_and_underscore_are_literal(client, coordinator, cases, q, expected):
    assert await found(client, coordinator, cases, q) == expected


async def test_whitespace_inside_a_term_is_part_of_it(client, coordinator, intake, respondent):
    spaced = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, title="对 拆迁 公告不服", facts="公告未送达。"),
    )
    hits = {c["id"] for c in await list_all(client, coordinator, q="拆迁 公告")}
    assert spaced["id"] in hits
    assert spaced["id"] not in {c["id"] for c in await list_all(client, coordinator, q="拆迁公告")}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("拆", False),
        ("拆迁", True),
        ("a b", False),
        ("%_", False),
        ("上浮50%", True),
        ("，。", False),
    ],
)
def test_which_terms_use_the_pair_index(term, expected):
    assert has_pair(term) is expected


@pytest.mark.parametrize("q", ["拆", "%", "a"])
async def test_a_term_needs_two_characters(client, coordinator, cases, q):
    response = await client.get("/api/v1/cases", params={"q": q}, headers=coordinator)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["query.q"]


async def test_the_documented_minimum_is_two_characters(client):
    document = (await client.get("/openapi.json")).json()
    parameters = document["paths"]["/api/v1/cases"]["get"]["parameters"]
    q = next(p for p in parameters if p["name"] == "q")
    assert q["schema"]["type"] == "string"
    assert q["schema"]["minLength"] == 2
