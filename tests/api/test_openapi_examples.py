"""Every request example of the OpenAPI document works as-is on a freshly seeded service
(issue 17).

The test walks the whole document: every operation with a request body must have an
example, and each example is sent, after the operations its ``x-prerequisites`` name (in
tester order, transitively), as a caller with the first role of its ``x-roles``. Ids of
objects created on the way replace the path parameters (a path parameter no operation
creates, such as a year, takes the value its ``example`` shows) and the placeholders of
``app.api.examples.PLACEHOLDERS`` in the bodies, exactly as a tester would paste them; the
answer must be the documented success status (or, for a named example carrying
``x-status``, the documented error it illustrates). Operations added later are covered
automatically: their authors give working examples or this test fails.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest

from app.api.examples import LAWYERS_AGENCY, PLACEHOLDERS
from app.main import create_app
from app.states.codes import Role
from tests.conftest import TokenFactory
from tests.support.databases import test_settings as settings_for

Json = dict[str, Any]
METHODS = ("get", "post", "put", "patch", "delete")


def _document() -> Json:
    # Rendering the document opens no connection: any URL will do.
    document: Json = create_app(settings_for("sqlite+aiosqlite://")).openapi()
    return document


DOCUMENT = _document()
OPERATIONS: dict[str, tuple[str, str, Json]] = {
    operation["operationId"]: (method, path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method in METHODS
}
WITH_BODY = sorted(op_id for op_id, (_, _, op) in OPERATIONS.items() if "requestBody" in op)


def _examples(operation: Json) -> list[tuple[str, Json | None, int | None]]:
    """(name, body, expected status or None for the documented success) of an operation."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "example" in content:
        return [("example", content["example"], None)]
    return [
        (name, example["value"], example.get("x-status"))
        for name, example in content.get("examples", {}).items()
    ]


def _prerequisites(op_id: str, seen: list[str] | None = None) -> list[str]:
    """The operations to call before ``op_id``, each after its own, each once."""
    seen = [] if seen is None else seen
    for before in OPERATIONS[op_id][2].get("x-prerequisites", []):
        assert before in OPERATIONS, f"{op_id}: unknown prerequisite {before}"
        if before not in seen:
            _prerequisites(before, seen)
            seen.append(before)
    return seen


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")


class ExampleCaller:
    """Calls operations the way docs/testing.md tells a tester to, remembering the ids."""

    def __init__(self, client: httpx.AsyncClient, auth: TokenFactory) -> None:
        self.client = client
        self.auth = auth
        self.ids: dict[str, str] = {}

    def headers(self, operation: Json) -> dict[str, str]:
        role = Role((operation.get("x-roles") or ["admin"])[0])
        lawyer_id = self.ids.get("lawyer_id")
        return self.auth(
            role,
            sub=f"tester-{role.value}",
            # The examples' agency officer works at the example lawyer's agency.
            agency_id=uuid.UUID(LAWYERS_AGENCY) if role is Role.AGENCY_OFFICER else None,
            lawyer_id=uuid.UUID(lawyer_id) if role is Role.LAWYER and lawyer_id else None,
        )

    def url(self, op_id: str, path: str, operation: Json) -> str:
        # A path parameter no operation creates (a year) shows its value as its example.
        shown = {
            p["name"]: str(p["example"])
            for p in operation.get("parameters", [])
            if p["in"] == "path" and "example" in p
        }

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.ids:
                return self.ids[name]
            assert name in shown, (
                f"{op_id}: no earlier operation created a {{{name}}}: name the operation that "
                "does in its x-prerequisites, or give the parameter's value (app/api/examples.py)"
            )
            return shown[name]

        return re.sub(r"\{(\w+)\}", fill, path)

    def body(self, op_id: str, example: Json | None) -> Json | None:
        if example is None:
            return None
        text = json.dumps(example, ensure_ascii=False)
        for name, placeholder in PLACEHOLDERS.items():
            if str(placeholder) in text:
                assert name in self.ids, f"{op_id}: the example needs a {name} created before it"
                text = text.replace(str(placeholder), self.ids[name])
        body: Json = json.loads(text)
        return body

    def learn(self, path: str, response: httpx.Response) -> None:
        """The id a creation returned, filed under the path parameter that names it."""
        location = response.headers.get("Location", "").split("?")[0]
        for template in DOCUMENT["paths"]:
            match = _template(template).match(location) if location else None
            if match and len(match.groupdict()) == 1:
                self.ids.update(match.groupdict())
                return
        created = response.json() if response.content else None
        if not isinstance(created, dict) or "id" not in created:
            return
        for template in DOCUMENT["paths"]:
            item = re.match(re.escape(path) + r"/\{(\w+)\}", template)
            if item:
                self.ids[item.group(1)] = created["id"]
                return

    async def call(
        self, op_id: str, example: Json | None = None, expected: int | None = None
    ) -> None:
        method, path, operation = OPERATIONS[op_id]
        if example is None:
            examples = _examples(operation)
            example = examples[0][1] if examples else None
        headers = self.headers(operation)
        url = self.url(op_id, path, operation)
        if any(
            p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", [])
        ):
            current = await self.client.get(url, headers=headers)
            headers["If-Match"] = current.headers["ETag"]
        response = await self.client.request(
            method, url, json=self.body(op_id, example), headers=headers
        )
        documented = [int(s) for s in operation["responses"] if s.startswith("2")]
        wanted = [expected] if expected is not None else documented
        assert str(response.status_code) in operation["responses"], (op_id, response.text)
        assert response.status_code in wanted, (op_id, response.status_code, response.text)
        if 200 <= response.status_code < 300:
            self.learn(path, response)


@pytest.mark.parametrize("op_id", WITH_BODY)
def test_every_operation_with_a_body_has_an_example(op_id: str) -> None:
    assert _examples(OPERATIONS[op_id][2]), (
        f"{op_id} takes a body but the document shows no example: add one to "
        "app/api/examples.py (it must work on a freshly seeded service)"
    )


@pytest.mark.parametrize("op_id", WITH_BODY)
async def test_the_example_works_as_is_on_a_freshly_seeded_service(
    op_id: str, client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    examples = _examples(OPERATIONS[op_id][2])
    assert examples, f"{op_id} has no example"
    for _name, example, expected in examples:
        tester = ExampleCaller(client, auth)
        for before in _prerequisites(op_id):
            await tester.call(before)
        await tester.call(op_id, example, expected)
