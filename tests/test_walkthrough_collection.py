"""The walkthrough's collection (docs/walkthrough.postman_collection.json) is what the
generator writes from docs/walkthrough.md: a tester never imports a stale copy."""

from __future__ import annotations

import json

from scripts.walkthrough import COLLECTION, WALKTHROUGH, collection, render_collection, sh_blocks


def test_the_committed_collection_is_current() -> None:
    assert COLLECTION.read_text(encoding="utf-8") == render_collection(), (
        "docs/walkthrough.postman_collection.json is out of date: make walkthrough-collection"
    )


def test_every_curl_of_the_walkthrough_is_a_request_of_the_collection() -> None:
    markdown = WALKTHROUGH.read_text(encoding="utf-8")
    curls = sum(block.text.count("curl ") for block in sh_blocks(markdown))
    items = collection(markdown)["item"]
    assert len(items) == curls
    assert {"POST", "GET"} == {item["request"]["method"] for item in items}
    stored = json.loads(COLLECTION.read_text(encoding="utf-8"))
    assert stored["info"]["schema"].endswith("/v2.1.0/collection.json")
