"""Search that cannot unmask (SPEC 3): the texts the list searches are stored with identity
and phone numbers masked, so a number written into a case's title, facts or claims can
neither be found by searching for it nor recovered one digit at a time, on both databases
(PostgreSQL through the character-pair index as well)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Case
from tests.support.factories import (
    CASES,
    case_body,
    create_case,
    list_all,
    masked_id,
    masked_mobile,
    mobile,
    resident_id,
)


@pytest.fixture
def numbers() -> dict[str, str]:
    return {"phone": mobile(), "id": resident_id(), "other_phone": mobile()}


@pytest.fixture
async def case(client, coordinator, intake, respondent, numbers) -> dict[str, Any]:
    body = case_body(
        intake,
        respondent,
        title=f"来电{numbers['other_phone']}反映征收补偿问题",
        facts=f"申请人（身份证号{numbers['id']}，电话{numbers['phone']}）称补偿款未发放。",
        claims=f"请求回电 {numbers['phone'][:3]} {numbers['phone'][3:7]} {numbers['phone'][7:]}",
    )
    return await create_case(client, coordinator, body)


async def hits(client, headers, case, q: str) -> bool:
    return case["id"] in {c["id"] for c in await list_all(client, headers, q=q)}


async def test_a_number_is_not_found_by_searching_for_it(client, coordinator, case, numbers):
    for number in numbers.values():
        assert not await hits(client, coordinator, case, number)
    # What is shown stays searchable: the masked form, and the words around it.
    assert await hits(client, coordinator, case, masked_mobile(numbers["phone"]))
    assert await hits(client, coordinator, case, masked_id(numbers["id"]))
    assert await hits(client, coordinator, case, "补偿款未发放")


@pytest.mark.parametrize("which", ["phone", "id", "other_phone"])
async def test_a_number_cannot_be_recovered_digit_by_digit(
    client, coordinator, case, numbers, which
):
    # The prober knows the part every response shows (the first three or four characters)
    # and tries each next digit: none of the ten answers differs from the others.
    number = numbers[which]
    shown = 3 if which != "id" else 4
    known = number[:shown]
    for _position in range(3):
        answers = {d: await hits(client, coordinator, case, known + d) for d in "0123456789"}
        assert not any(answers.values()), answers
        known += number[len(known)]  # even given the true digit, the next probe learns nothing
    assert not await hits(client, coordinator, case, number[: shown + 4])


async def test_the_stored_texts_hold_no_number(client, coordinator, case, numbers, session):
    stored = (
        await session.execute(
            select(Case.title, Case.facts, Case.claims).where(Case.id == uuid.UUID(case["id"]))
        )
    ).one()
    text = " ".join(stored)
    for number in numbers.values():
        assert number not in text
        assert number not in text.replace(" ", "")
    assert masked_mobile(numbers["phone"]) in stored.facts


async def test_a_correction_is_stored_masked_too(client, coordinator, case, numbers, session):
    new_phone = mobile()
    current = await client.get(f"{CASES}/{case['id']}", headers=coordinator)
    corrected = await client.patch(
        f"{CASES}/{case['id']}",
        json={"facts": f"申请人新电话{new_phone}。"},
        headers={**coordinator, "If-Match": current.headers["ETag"]},
    )
    assert corrected.status_code == 200, corrected.text
    assert not await hits(client, coordinator, case, new_phone)
    assert not await hits(client, coordinator, case, new_phone[:5])
    assert await hits(client, coordinator, case, "申请人新电话")


async def test_even_a_revealing_read_shows_the_free_text_masked(client, coordinator, case, numbers):
    # ?reveal=pii opens the applicants' sealed numbers; a number typed into free text is not
    # kept in clear anywhere.
    revealed = await client.get(
        f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=coordinator
    )
    assert revealed.status_code == 200, revealed.text
    body = revealed.json()
    for number in numbers.values():
        assert number not in body["title"] + body["facts"] + body["claims"]
