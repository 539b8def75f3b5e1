"""Cases made through the HTTP API (SPEC 2.5), and the look-ups the case tests share.

Identity and phone numbers are generated valid and unique within the process, so that a test
can search every response, log line and stored row for the clear value it sent.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from app.clock import today_shanghai
from app.domain.common.identifiers import credit_code_check_char, resident_id_check_char

API = "/api/v1"
CASES = f"{API}/cases"

_ids = itertools.count(1)
_phones = itertools.count(1)
_BIRTH_EPOCH = date(1960, 1, 1)


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


def with_wrong_check_char(number: str) -> str:
    """The same resident ID with a check character that does not match."""
    wrong = "0" if number[17] != "0" else "1"
    return number[:17] + wrong


def credit_code() -> str:
    """A fresh unified social credit code (GB 32100) with a correct check character."""
    first17 = f"91371500MA{next(_ids):07d}"
    return first17 + credit_code_check_char(first17)


def mobile() -> str:
    """A fresh mainland mobile number (1367xxxxxxx)."""
    return f"1367{next(_phones) % 10_000_000:07d}"


def masked_id(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def masked_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


def today() -> date:
    return today_shanghai()


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def applicant(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "natural_person",
        "name": "王某某",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": mobile(),
        "address": "聊城市东昌府区古楼街道",
    }
    body.update(overrides)
    return body


def legal_person(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
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
) -> dict[str, Any]:
    """An intake body that passes validation; ``overrides`` replace top-level fields."""
    body: dict[str, Any] = {
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


async def create_case(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(CASES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def case_seq(case_no: str) -> tuple[int, int]:
    """``LC2026-00042`` → ``(2026, 42)``."""
    year, seq = case_no.removeprefix("LC").split("-")
    return int(year), int(seq)


async def agencies_of_kind(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{API}/agencies", params={"kind": kind, "limit": 200}, headers=headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    assert items, f"no seeded agency of kind {kind}"
    return items


async def list_all(
    client: httpx.AsyncClient, headers: dict[str, str], path: str = CASES, **params: Any
) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, following ``next_cursor`` to the end."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(500):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the list never ended")


def problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The RFC 9457 body of an error response with this status (and code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body


def error_fields(response: httpx.Response) -> dict[str, str]:
    """{field: code} of a 422 validation problem."""
    body = problem(response, 422)
    return {e["field"]: e["code"] for e in body.get("errors", [])}


CONDITIONS_MET = {
    "organ_party": {"met": True, "note": "被申请人为行政机关"},
    "arises_from_administration": {"met": True, "note": "因行政处罚引起"},
    "legal_rights_obligations": {"met": True, "note": "影响申请人财产权"},
    "counterparty_disputes": {"met": True, "note": "申请人对合法性有异议"},
}


def classification_body(**overrides: Any) -> dict[str, Any]:
    """All four Art. 5 conditions met (``conditions`` may be overridden per condition)."""
    body: dict[str, Any] = {
        "conditions": dict(CONDITIONS_MET),
        "business_system": "market_regulation",
        "act_type": "administrative_penalty",
        "priority": "normal",
        "recommended_channel": "mediation",
        "channels_explained": ["reconciliation", "mediation", "reconsideration"],
        "chosen_channel": "mediation",
    }
    body.update(overrides)
    return body


def not_met_body(**overrides: Any) -> dict[str, Any]:
    conditions = dict(CONDITIONS_MET)
    conditions["legal_rights_obligations"] = {"met": False, "note": "属于内部管理行为"}
    body = classification_body(
        conditions=conditions,
        recommended_channel="reconsideration",
        referral_note="已告知申请人向单位内部申诉渠道反映",
    )
    body.update(overrides)
    return body


async def classify(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"{CASES}/{case_id}/classification", json=body, headers=headers)
