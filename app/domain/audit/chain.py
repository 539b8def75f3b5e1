"""The hash chain, as pure functions: what a record's hash is, and what a broken link is."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

GENESIS_HASH = "0" * 64


def record_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of a record's fields and its predecessor's hash.

    Keys are sorted and times are ISO strings, so the same record hashes the same whichever
    database returned it (JSONB reorders keys; SQLite drops time zones).
    """
    canonical = orjson.dumps(
        {"fields": fields, "prev_hash": prev_hash},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC,
    )
    return hashlib.sha256(canonical).hexdigest()
