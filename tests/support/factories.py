"""Test data made through the HTTP API, and the look-ups the API tests share: one module for
every helper that creates agencies, lawyers, pool places and cases, the identities they carry
(resident IDs, credit codes, mobile numbers) and the reading of lists and 422 problems.

Helpers take the ``client`` and headers from the ``auth`` fixture, so that every object a
test relies on was created the way a user would create it. Identity and phone numbers are
generated valid and unique within the process, so that a test can search every response,
log line and stored row for the clear value it sent. Scenario modules (``dispatch_world``,
``statistics_world``) build on these helpers rather than define their own.
"""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import date, timedelta
from importlib import resources
from typing import Any

import httpx

from app.clock import today_shanghai
from app.domain.common.identifiers import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    resident_id_check_char,
)
from tests.support.problems import assert_problem

API = "/api/v1"
CASES = f"{API}/cases"

Json = dict[str, Any]

# --- dates, as the service reckons them (Asia/Shanghai, from app.clock) ----------------------


def today() -> date:
    return today_shanghai()


def current_year() -> int:
    """The year the service calls "current" (Asia/Shanghai)."""
    return today().year


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


# --- identities -------------------------------------------------------------------------------

_ids = itertools.count(1)
_phones = itertools.count(1)
_BIRTH_EPOCH = date(1960, 1, 1)


def unique_suffix() -> str:
    return uuid.uuid4().hex[:10]


def resident_id(*, region: str = "371502", check: str | None = None) -> str:
    """A fresh GB 11643 resident ID with a correct check character (``check``: only one
    ending with that character, e.g. ``"X"``)."""
    while True:
        n = next(_ids)
        birth = _BIRTH_EPOCH + timedelta(days=(n * 37) % 16_000)
        first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
        char = resident_id_check_char(first17)
        if check is None or char == check:
            return first17 + char


def resident_id_with_wrong_check_char(number: str) -> str:
    """The same resident ID with a check character that does not match."""
    wrong = "0" if number[17] != "0" else "1"
    return number[:17] + wrong


def credit_code(prefix: str = "91371500") -> str:
    """A random unified social credit code (GB 32100) with a correct check character, unique
    across processes (agencies on a shared database must not collide). The prefix is the
    registration authority, the kind of body and the region: ``91371500`` a company of the
    city, ``12371500`` a public institution."""
    body = "".join(CREDIT_CODE_CHARSET[b % len(CREDIT_CODE_CHARSET)] for b in uuid.uuid4().bytes)
    first17 = (prefix + body)[:17]
    return first17 + credit_code_check_char(first17)


def credit_code_with_wrong_check_char(code: str) -> str:
    """The same credit code with a check character that does not match."""
    wrong = next(c for c in CREDIT_CODE_CHARSET if c != code[17])
    return code[:17] + wrong


def mobile() -> str:
    """A fresh mainland mobile number (1367xxxxxxx). Its last four digits (what masking
    leaves shown) never begin with 13, so a search for the first digits of one number cannot
    meet the shown end of another (or of itself) by chance."""
    while True:
        number = f"1367{next(_phones) % 10_000_000:07d}"
        if not number[-4:].startswith("13"):
            return number


def masked_id(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def masked_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


# --- agencies ---------------------------------------------------------------------------------


def seeded_agencies() -> list[Json]:
    """The agencies of the seed data file (what every test database starts with)."""
    text = (resources.files("app.db") / "seed_data" / "agencies.json").read_text("utf-8")
    data: list[Json] = json.loads(text)
    return data


def agency_body(**overrides: Any) -> Json:
    body: Json = {
        "name": f"聊城市测试局{unique_suffix()}",
        "short_name": "测试局",
        "kind": "administrative_organ",
        "level": "city",
        "region_code": "371500",
        "business_system": "natural_resources",
    }
    body.update(overrides)
    return body


async def create_agency(client: httpx.AsyncClient, admin: dict[str, str], **overrides: Any) -> Json:
    response = await client.post(f"{API}/agencies", json=agency_body(**overrides), headers=admin)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def agencies_of_kind(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str
) -> list[Json]:
    response = await client.get(
        f"{API}/agencies", params={"kind": kind, "limit": 200}, headers=headers
    )
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    assert items, f"no seeded agency of kind {kind}"
    return items


# --- lawyers and the pool ---------------------------------------------------------------------


def lawyer_body(agency_id: uuid.UUID | str, **overrides: Any) -> Json:
    body: Json = {
        "name": "张明",
        "agency_id": str(agency_id),
        "certificate_no": f"GZ{uuid.uuid4().hex[:16].upper()}",
        "certificate_issued_on": "2022-03-01",
    }
    body.update(overrides)
    return body


async def create_lawyer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    agency_id: uuid.UUID | str,
    **overrides: Any,
) -> Json:
    response = await client.post(
        f"{API}/lawyers", json=lawyer_body(agency_id, **overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def nominate(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    lawyer_id: uuid.UUID | str,
    year: int,
) -> httpx.Response:
    return await client.post(
        f"{API}/pool/memberships",
        json={"lawyer_id": str(lawyer_id), "year": year},
        headers=headers,
    )


async def nominated(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    lawyer_id: uuid.UUID | str,
    year: int,
) -> Json:
    response = await nominate(client, headers, lawyer_id, year)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def decide(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    membership_id: uuid.UUID | str,
    action: str,
    reason: str | None = None,
) -> httpx.Response:
    """Approve, reject, withdraw … a pool membership."""
    body = {"reason": reason} if reason is not None else None
    return await client.post(
        f"{API}/pool/memberships/{membership_id}/{action}", json=body, headers=headers
    )


# --- cases ------------------------------------------------------------------------------------


def applicant(**overrides: Any) -> Json:
    body: Json = {
        "kind": "natural_person",
        "name": "王某某",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": mobile(),
        "address": "聊城市东昌府区古楼街道",
    }
    body.update(overrides)
    return body


def legal_person(**overrides: Any) -> Json:
    body: Json = {
        "kind": "legal_person",
        "name": "聊城某某商贸有限公司",
        "id_type": "credit_code",
        "id_number": credit_code(),
        "phone": "0635-8123456",
        "address": "聊城市经济技术开发区",
    }
    body.update(overrides)
    return body


def case_body(
    intake_agency_id: str | uuid.UUID | None,
    respondent_agency_id: str | uuid.UUID,
    **overrides: Any,
) -> Json:
    """An intake body that passes validation; ``overrides`` replace top-level fields."""
    body: Json = {
        "channel": "petition",
        "applicants": [applicant()],
        "respondent_agency_id": str(respondent_agency_id),
        "act": {
            "type": "administrative_penalty",
            "document_no": "聊市监罚字〔2026〕15号",
            "made_on": days_ago(40),
            "known_on": days_ago(30),
            "description": "对申请人作出罚款决定",
        },
        "title": "对行政处罚决定不服",
        "facts": "申请人认为该处罚决定认定事实不清、适用依据错误。",
        "claims": "请求撤销该处罚决定",
    }
    if intake_agency_id is not None:
        body["intake_agency_id"] = str(intake_agency_id)
    body.update(overrides)
    return body


async def create_case(client: httpx.AsyncClient, headers: dict[str, str], body: Json) -> Json:
    response = await client.post(CASES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


def case_seq(case_no: str) -> tuple[int, int]:
    """``LC2026-00042`` → ``(2026, 42)``."""
    year, seq = case_no.removeprefix("LC").split("-")
    return int(year), int(seq)


CONDITIONS_MET: Json = {
    "organ_party": {"met": True, "note": "被申请人为行政机关"},
    "arises_from_administration": {"met": True, "note": "因行政处罚引起"},
    "legal_rights_obligations": {"met": True, "note": "影响申请人财产权"},
    "counterparty_disputes": {"met": True, "note": "申请人对合法性有异议"},
}


def conditions_met() -> Json:
    """The four Art. 5 conditions, all met (a fresh copy to change)."""
    return {name: dict(condition) for name, condition in CONDITIONS_MET.items()}


def classification_body(**overrides: Any) -> Json:
    """All four Art. 5 conditions met (``conditions`` may be overridden per condition)."""
    body: Json = {
        "conditions": conditions_met(),
        "business_system": "market_regulation",
        "act_type": "administrative_penalty",
        "priority": "normal",
        "recommended_channel": "mediation",
        "channels_explained": ["reconciliation", "mediation", "reconsideration"],
        "chosen_channel": "mediation",
    }
    body.update(overrides)
    return body


def not_met_body(**overrides: Any) -> Json:
    conditions = conditions_met()
    conditions["legal_rights_obligations"] = {"met": False, "note": "属于内部管理行为"}
    body = classification_body(
        conditions=conditions,
        recommended_channel="reconsideration",
        referral_note="已告知申请人向单位内部申诉渠道反映",
    )
    body.update(overrides)
    return body


async def classify(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, body: Json
) -> httpx.Response:
    return await client.post(f"{CASES}/{case_id}/classification", json=body, headers=headers)


# --- reading ----------------------------------------------------------------------------------


async def list_all(
    client: httpx.AsyncClient, headers: dict[str, str], path: str = CASES, **params: Any
) -> list[Json]:
    """Every item of a cursor-paginated list (``path`` from the root, e.g.
    ``f"{API}/lawyers"``), following ``next_cursor`` to the end."""
    items: list[Json] = []
    cursor: str | None = None
    for _ in range(1000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the list never ended")


async def audit_records(
    client: httpx.AsyncClient, reader: dict[str, str], **filters: Any
) -> list[Json]:
    """Audit records matching the filters (action, object_id, …), newest first."""
    response = await client.get(f"{API}/audit", params={"limit": 200, **filters}, headers=reader)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    return items


def field_errors(response: httpx.Response) -> dict[str, str]:
    """{field: code} of a 422 validation problem."""
    body = assert_problem(response, 422)
    return {e["field"]: e["code"] for e in body.get("errors", [])}
