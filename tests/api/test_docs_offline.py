"""/docs and /redoc work without internet (SPEC 3): the pages and everything they load come
from the service itself; and the OpenAPI document describes every operation and its errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

PROBLEM = "application/problem+json"
# What a documentation page could fetch from the internet: font services and CDNs.
EXTERNAL_FETCH = re.compile(
    r"https?://[^\s\"'`)]*(fonts\.googleapis|fonts\.gstatic|unpkg\.com|jsdelivr|cdnjs|"
    r"cdn\.[a-z0-9.-]+|cloudflare|bootstrapcdn)",
    re.IGNORECASE,
)


class _References(HTMLParser):
    """Every URL an HTML page would load: script src, link href, img src, inline urls."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_script_or_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            value = values.get(name)
            if value and tag in {"script", "link", "img", "iframe", "source"}:
                self.urls.append(value)
        self._in_script_or_style = tag in {"script", "style"}

    def handle_endtag(self, tag: str) -> None:
        self._in_script_or_style = False

    def handle_data(self, data: str) -> None:
        if self._in_script_or_style:
            self.inline.append(data)


def _is_local(url: str) -> bool:
    parts = urlsplit(urljoin("http://testserver/docs", url))
    return parts.scheme == "http" and parts.netloc == "testserver"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_page_and_every_asset_it_loads_are_served_locally(client, page):
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = _References()
    parser.feed(response.text)
    assert parser.urls, "the page loads its scripts and styles from somewhere"
    for url in parser.urls:
        assert _is_local(url), f"{page} loads {url} from another host"
        asset = await client.get(urljoin("http://testserver" + page, url))
        assert asset.status_code == 200, url
        assert asset.content, url
        if url.endswith(".css"):
            _assert_css_is_offline(asset.text)
        if url.endswith(".js"):
            match = EXTERNAL_FETCH.search(asset.text)
            assert match is None, f"{url} fetches {match.group(0) if match else ''}"
    for inline in parser.inline:
        assert EXTERNAL_FETCH.search(inline) is None
        assert "fonts.googleapis" not in inline
    # Whatever the page does, it talks to this service's OpenAPI document.
    assert "/openapi.json" in response.text


def _assert_css_is_offline(css: str) -> None:
    for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
        assert target.startswith("data:") or _is_local(target), target
    for target in re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\"); ]+)", css):
        assert _is_local(target), target


async def test_swagger_ui_has_the_online_validator_switched_off(client):
    html = (await client.get("/docs")).text
    assert re.search(r'"validatorUrl"\s*:\s*null', html)


async def test_swagger_ui_has_a_local_favicon(client):
    html = (await client.get("/docs")).text
    icons = re.findall(r'<link[^>]+rel="(?:shortcut )?icon"[^>]+href="([^"]+)"', html)
    assert icons
    for icon in icons:
        assert _is_local(icon)
        response = await client.get(icon)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/")


async def test_redoc_page_asks_for_no_web_fonts(client):
    html = (await client.get("/redoc")).text
    assert "fonts.googleapis" not in html
    assert "fonts.gstatic" not in html


async def test_favicon_ico_points_to_the_local_icon(client):
    response = await client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/")


# --- /openapi.json -------------------------------------------------------------------------


@pytest.fixture
async def openapi(client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                yield method.upper(), path, operation


def test_openapi_operation_ids_are_unique_and_every_operation_has_a_summary(openapi):
    seen: dict[str, str] = {}
    for method, path, operation in _operations(openapi):
        operation_id = operation.get("operationId")
        assert operation_id, f"{method} {path} has no operationId"
        assert re.fullmatch(r"[a-z][a-z0-9_]*", operation_id), operation_id
        assert operation_id not in seen, f"{operation_id}: {seen.get(operation_id)} and {path}"
        seen[operation_id] = f"{method} {path}"
        assert operation.get("summary"), f"{method} {path} has no summary"


def test_openapi_documents_errors_as_problem_json_only(openapi):
    problem_ref = "#/components/schemas/Problem"
    for method, path, operation in _operations(openapi):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            content = response.get("content", {})
            assert set(content) == {PROBLEM}, f"{method} {path} {status}: {set(content)}"
            assert content[PROBLEM]["schema"] == {"$ref": problem_ref}, (method, path, status)


def test_openapi_documents_the_errors_each_operation_can_give(openapi):
    for method, path, operation in _operations(openapi):
        statuses = set(operation["responses"])
        where = f"{method} {path}"
        if operation.get("security"):
            assert "401" in statuses, f"{where} needs credentials but documents no 401"
        if operation.get("parameters"):
            assert "422" in statuses, f"{where} has parameters but documents no 422"
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= statuses, f"{where}: {sorted(statuses)}"
            content = operation["requestBody"]["content"]
            assert "application/json" in content


def test_openapi_problem_schema_has_the_rfc_9457_members(openapi):
    problem = openapi["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    assert "errors" in problem["properties"]
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_openapi_documents_the_metrics_as_text(openapi):
    content = openapi["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"text/plain"}


def test_openapi_declares_both_ways_to_authenticate(openapi):
    schemes = openapi["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme"), s.get("name")) for s in schemes.values()}
    assert ("http", "bearer", None) in kinds
    assert ("apiKey", None, "X-API-Key") in kinds
