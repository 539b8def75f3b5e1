"""Resolving the routes at start-up, not on the first request.

FastAPI (0.16x) builds the per-route state of each included router (its effective path,
dependencies and response fields) lazily, the first time a request is matched against that
router: ~200 ms of CPU on this app's ~90 routes, paid by whichever request comes first to a
freshly started worker, with the event loop stopped for every other request meanwhile.
Matching one path that no route has walks every router once and builds all of it; the
start-up thread does that (app/main.py), before the collector freezes what start-up built
(app/memory.py), so the routes' state is frozen too.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp

# No route has it: the match walks every router to the end.
_NO_SUCH_PATH = "/.route-warm-up/none"


def resolve_routes(app: ASGIApp) -> None:
    """Match one path no route has against every route of ``app`` (Starlette's public
    ``matches``); each included router builds its routes' state as it is walked. Safe from
    another thread: FastAPI builds it under a lock, and builds it once."""
    for method in ("GET", "POST"):
        scope: dict[str, Any] = {
            "type": "http",
            "method": method,
            "path": _NO_SUCH_PATH,
            "root_path": "",
            "headers": [],
            "query_string": b"",
            "app": app,
        }
        for route in app.router.routes:  # type: ignore[attr-defined]
            route.matches(scope)
