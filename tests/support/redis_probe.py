"""Is there a Redis server for the tests of shared rate limits?

``ADR_TEST_REDIS_URL`` names it (default ``redis://127.0.0.1:6379/0``). Without one, the
tests marked ``redis`` are deselected (like ``postgres_only`` on SQLite) unless
``ADR_REQUIRE_REDIS`` is set, as CI sets it: then a missing Redis fails the run.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def redis_url() -> str:
    return os.environ.get("ADR_TEST_REDIS_URL") or DEFAULT_URL


def redis_required() -> bool:
    return bool(os.environ.get("ADR_REQUIRE_REDIS"))


def redis_answers(url: str | None = None) -> bool:
    """PING answered with PONG within a second."""
    parts = urlsplit(url or redis_url())
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False
