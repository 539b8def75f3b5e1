"""Swagger UI and ReDoc guide a tester (issue 17): operations grouped by tags in the order
of a case's life, each tag explained in zh-CN and English with the article it serves, every
enum value with its zh-CN label, and who may call each guarded operation."""

from __future__ import annotations

import re
import uuid
from typing import Any

from app.api.examples import EXAMPLES
from app.states.catalogue import ENUMS
from app.states.codes import Role

LIFE_ORDER = ["registry", "pool", "cases", "classification", "dispatch", "outcomes", "audit"]


async def _document(client: Any) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_tags_follow_the_life_of_a_case_and_explain_each_step(client):
    document = await _document(client)
    names = [tag["name"] for tag in document["tags"]]
    positions = [names.index(name) for name in LIFE_ORDER]
    assert positions == sorted(positions)
    for tag in document["tags"]:
        description = tag["description"]
        assert re.search(r"[\u4e00-\u9fff]", description), tag["name"]  # zh-CN
        assert re.search(r"[A-Za-z]{4,} [a-z]+", description), tag["name"]  # English
        assert re.search(r"Art\. \d+", description), tag["name"]  # the article it serves


async def test_every_operation_sits_under_a_described_tag_in_that_order(client):
    document = await _document(client)
    described = [tag["name"] for tag in document["tags"]]
    seen: list[str] = []
    for item in document["paths"].values():
        for operation in item.values():
            (tag,) = operation["tags"]
            assert tag in described, operation["operationId"]
            if not seen or seen[-1] != tag:
                seen.append(tag)
    # The paths appear grouped, in the tags' order (ReDoc and Swagger show them so).
    assert seen == [name for name in described if name in seen]


async def test_every_enum_lists_its_values_with_zh_cn_labels(client):
    schemas = (await _document(client))["components"]["schemas"]
    checked = 0
    for enum_cls in ENUMS.values():
        schema = schemas.get(enum_cls.__name__)
        if schema is None:
            continue  # an enum no request or response uses
        for member in enum_cls:
            assert f"`{member.value}` — {member.label_zh}" in schema["description"]
        checked += 1
    assert checked >= 15


async def test_guarded_operations_name_their_roles(client, auth):
    document = await _document(client)
    operation = document["paths"]["/api/v1/cases/{case_id}/classification"]["post"]
    assert operation["x-roles"] == ["admin", "center_coordinator"]
    assert "Roles: `admin`, `center_coordinator`" in operation["description"]


async def test_a_role_the_document_does_not_name_is_refused(client, auth):
    """``x-roles`` is what the service enforces: every role it leaves out gets a 403 on every
    operation guarded by role (object-level rules, named in app/api/examples.py, aside)."""
    document = await _document(client)
    tried = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            listed = operation.get("x-roles")
            example = EXAMPLES.get(operation["operationId"])
            if listed is None or (example is not None and example.roles is not None):
                continue
            url = re.sub(r"\{\w+\}", str(uuid.uuid4()), path)
            for role in Role:
                if role.value in listed:
                    continue
                response = await client.request(method, url, headers=auth(role), json={})
                assert response.status_code == 403, (operation["operationId"], role)
                assert response.json()["code"] == "role_not_allowed"
                tried += 1
    assert tried > 40


async def test_no_parameter_is_documented_as_nullable(client):
    # HTTP cannot carry a JSON null in a query or a header: an optional parameter has no
    # value by being absent, and a generator that believed the document would send "null".
    document = await _document(client)
    parameters = [
        (operation["operationId"], parameter)
        for item in document["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
    ]
    assert any(parameter["name"] == "Idempotency-Key" for _, parameter in parameters)
    for operation_id, parameter in parameters:
        variants = parameter["schema"].get("anyOf", [])
        assert {"type": "null"} not in variants, (operation_id, parameter["name"])


async def test_the_rules_beyond_the_schema_are_listed_with_their_meaning(client, auth):
    code = (await _document(client))["components"]["schemas"]["FieldError"]["properties"]["code"]
    listed = code["x-rules-beyond-the-schema"]
    assert {"invalid_check_digit", "period_reversed"} <= set(listed)
    for rule in listed:
        assert f"- `{rule}`: " in code["description"]
    # A refusal the schema cannot express carries a listed code, never Pydantic's generic one.
    body = {
        "effective_from": "2030-03-01",
        "effective_to": "2030-02-01",  # before it starts
        "pool_max_per_agency": 2,
        "pool_min_per_agency": 3,  # above the maximum
        "deadline_warning_days": 10,
        "duplicate_window_days": 90,
        "collective_threshold": 6,
        "max_open_assignments": 4,
        "offer_response_hours": 24,
        "auto_redispatch": False,
        "basis": "聊城市公职律师参与行政争议化解工作实施办法(修订)",
    }
    response = await client.post("/api/v1/policy/versions", json=body, headers=auth(Role.ADMIN))
    assert response.status_code == 422
    codes = {error["field"]: error["code"] for error in response.json()["errors"]}
    assert codes.get("effective_to") == "period_reversed"
    assert codes.get("pool_min_per_agency") == "min_above_max"
    assert set(codes.values()) <= set(listed)
