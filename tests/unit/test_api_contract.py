"""The breaking-change check of `make lint` / `make client` (scripts/api_contract.py)."""

from __future__ import annotations

import copy
from typing import Any

from scripts.api_contract import breaking_changes


def document() -> dict[str, Any]:
    return {
        "paths": {
            "/api/v1/things": {
                "get": {
                    "operationId": "list_things",
                    "parameters": [{"in": "query", "name": "limit", "required": False}],
                },
                "post": {
                    "operationId": "create_thing",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ThingIn"}}
                        },
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "ThingIn": {"properties": {"name": {}, "kind": {}}, "required": ["name"]},
                "ThingOut": {
                    "properties": {"id": {}, "kind": {"enum": ["a", "b"]}},
                },
            }
        },
    }


def test_additions_are_not_breaking() -> None:
    new = document()
    new["paths"]["/api/v1/other"] = {"get": {"operationId": "other"}}
    new["components"]["schemas"]["ThingOut"]["properties"]["extra"] = {}
    new["components"]["schemas"]["ThingOut"]["properties"]["kind"]["enum"].append("c")
    assert breaking_changes(document(), new) == []


def test_each_kind_of_breaking_change_is_named() -> None:
    new = copy.deepcopy(document())
    del new["paths"]["/api/v1/things"]["get"]
    new["paths"]["/api/v1/things"]["post"]["operationId"] = "make_thing"
    new["paths"]["/api/v1/things"]["post"]["parameters"] = [
        {"in": "header", "name": "X-Thing", "required": True}
    ]
    new["components"]["schemas"]["ThingIn"]["required"] = ["name", "kind"]
    del new["components"]["schemas"]["ThingOut"]["properties"]["id"]
    new["components"]["schemas"]["ThingOut"]["properties"]["kind"]["enum"] = ["a"]
    assert breaking_changes(document(), new) == sorted(
        [
            "removed operation: GET /api/v1/things",
            "changed operationId: POST /api/v1/things (create_thing)",
            "added required parameter: POST /api/v1/things X-Thing",
            "added required field: POST /api/v1/things kind",
            "removed property: ThingOut.id",
            'removed enum value: /components/schemas/ThingOut/properties/kind "b"',
        ]
    )


def test_a_removed_schema_is_breaking() -> None:
    new = document()
    del new["components"]["schemas"]["ThingOut"]
    assert breaking_changes(document(), new) == ["removed schema: ThingOut"]
