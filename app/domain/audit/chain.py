"""The audit chain, as pure functions: what a record's hash is, and what a checkpoint is.

Version 1 (legacy): SHA-256 over the record and its predecessor's hash. Anyone with the
database can recompute it, so it proves order and completeness but not authorship.
Version 2 (SPEC 4.4): HMAC-SHA256 under ``ADR_AUDIT_KEY``, which is never in the database:
someone with database access alone can neither edit a record nor forge a new one without
the chain failing. The first version-2 record links to the last version-1 hash, so every
legacy record stays verifiable and is sealed in by the first keyed link.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import orjson

GENESIS_HASH = "0" * 64
LEGACY_SHA256 = 1
KEYED_HMAC_SHA256 = 2
_KEYED_DOMAIN = b"adr-audit-chain-v2\n"
_CHECKPOINT_DOMAIN = b"adr-audit-checkpoint-v1\n"


def _canonical(fields: dict[str, Any], prev_hash: str) -> bytes:
    # Keys are sorted and times are ISO strings, so the same record hashes the same whichever
    # database returned it (JSONB reorders keys; SQLite drops time zones).
    return orjson.dumps(
        {"fields": fields, "prev_hash": prev_hash},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC,
    )


def record_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """Version 1: SHA-256 over the canonical JSON of the fields and the previous hash."""
    return hashlib.sha256(_canonical(fields, prev_hash)).hexdigest()


def keyed_record_hash(key: bytes, fields: dict[str, Any], prev_hash: str) -> str:
    """Version 2: HMAC-SHA256 under the audit key over the same canonical JSON."""
    return hmac.new(key, _KEYED_DOMAIN + _canonical(fields, prev_hash), hashlib.sha256).hexdigest()


def expected_hash(version: int | None, key: bytes, fields: dict[str, Any], prev_hash: str) -> str:
    if version == KEYED_HMAC_SHA256:
        return keyed_record_hash(key, fields, prev_hash)
    if version == LEGACY_SHA256:
        return record_hash(fields, prev_hash)
    raise ValueError(f"unknown chain version {version!r}")


def checkpoint_signature(key: bytes, *, seq: int, mac: str, created_at: str) -> str:
    """The signature of a checkpoint: the last sequence number and MAC, and when."""
    message = _CHECKPOINT_DOMAIN + orjson.dumps(
        {"seq": seq, "mac": mac, "created_at": created_at}, option=orjson.OPT_SORT_KEYS
    )
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_matches(expected: str, given: object) -> bool:
    return isinstance(given, str) and hmac.compare_digest(expected, given)
