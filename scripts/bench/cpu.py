"""Python CPU per request, in-process: `python -m scripts.bench.cpu [--profile]`.

wrk figures depend on everything else the two cores do; the CPU time one request costs the
service's process does not. This runs the app in-process on the database `make bench` prepared
(adr_bench) and sends the same requests one after another straight through its ASGI interface
(``AsgiClient`` below: no HTTP client, whose own CPU would be counted too, and no network; under
uvicorn httptools parses HTTP in C). It prints the process CPU time per request for each
scenario; `--profile` prints where one scenario's CPU time goes (cProfile on process time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import uvloop
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.domain.auth.tokens import mint_token  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.states.codes import Role  # noqa: E402
from scripts.bench import baseline  # noqa: E402
from scripts.bench.common import connect, use_bench_environment  # noqa: E402
from scripts.bench.run import DB, RELEASE_SQL, VACUUM_SQL, intake_body  # noqa: E402

# The seeded pool's ~76 approved lawyers with 5 places each (the policy's limit): a batch of
# dispatches larger than their 380 places would end in 409s.
DISPATCH_BATCH = 300
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id() -> str:
    """A valid resident ID (the checksum is checked at intake), different each time."""
    draw = secrets.randbelow
    stem = f"371502{1950 + draw(55):04d}{1 + draw(12):02d}{1 + draw(28):02d}{draw(1000):03d}"
    total = sum(int(d) * w for d, w in zip(stem, WEIGHTS, strict=True))
    return stem + "10X98765432"[total % 11]


@dataclass
class Answer:
    status_code: int
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class AsgiClient:
    """Requests straight into an ASGI app: the scope, the body and the answer, nothing more
    (what uvicorn hands the app after httptools has parsed the request)."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def request(self, method: str, target: str, body: bytes = b"") -> Answer:
        path, _, query = target.partition("?")
        headers = list(self.headers)
        if body:
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return Answer(status, b"".join(chunks))

    async def get(self, target: str) -> Answer:
        return await self.request("GET", target)

    async def post(self, target: str, body: bytes) -> Answer:
        return await self.request("POST", target, body)


async def measure(
    name: str,
    send: Callable[[], Awaitable[Answer]],
    n: int,
    expect: int,
    before_batch: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """The least CPU per request over five batches: other work on the machine only ever
    adds to it (caches, frequency), so the minimum is the steadiest figure. ``before_batch``
    runs untimed before the warm-up and before each batch."""
    if before_batch is not None:
        await before_batch()
    for _ in range(20):  # warm up caches and the connection pool
        await send()
    batches = []
    for _ in range(5):
        if before_batch is not None:
            await before_batch()
        start = time.process_time()
        for _ in range(n):
            response = await send()
            if response.status_code != expect:
                raise SystemExit(f"{name}: {response.status_code} {response.text[:300]}")
        batches.append((time.process_time() - start) * 1000 / n)
    print(
        f"{name:8} {min(batches):6.2f} ms CPU per request"
        f" (least of 5 x {n}; median {sorted(batches)[2]:.2f})",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--profile", metavar="SCENARIO")
    parser.add_argument("--target", choices=("service", "baseline"), default="service")
    parser.add_argument("--profile-sort", default="cumulative")
    parser.add_argument("--profile-filter", default="")
    parser.add_argument("--profile-lines", type=int, default=60)
    parser.add_argument("--scenarios", default="intake,read,list")
    args = parser.parse_args()
    base = os.environ.get(
        "ADR_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    url = make_url(base).set(database=DB).render_as_string(False)
    use_bench_environment()
    settings = Settings(env="development", database_url=url, log_level="WARNING")
    app: Any = create_app(settings)
    if args.target == "baseline":
        baseline.DSN = make_url(url).set(drivername="postgresql").render_as_string(False)
        app = baseline.app
        await baseline._startup()
    token = mint_token(settings, sub="bench", role=Role.CENTER_COORDINATOR, ttl=timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    client = AsgiClient(app, headers)
    async with app.router.lifespan_context(app) if args.target == "service" else nullcontext():
        # The start-up's background work (the classification's warm-up, then settling the
        # garbage collector) runs in a thread on this process's CPU clock: done before
        # anything is timed.
        for thread in threading.enumerate():
            if thread.name in ("warm-up", "classification"):
                thread.join()
        listed = await client.get("/api/v1/cases?status=classified&limit=50")
        respondent = listed.json()["items"][0]["respondent_agency_id"]
        case_id = listed.json()["items"][0]["id"]
        template = intake_body(respondent)

        async def intake() -> Answer:
            body = template.replace("__ID__", resident_id())
            return await client.post("/api/v1/cases", body.encode())

        # Straight from the database: the baseline's list has no cursor.
        conn = await connect(base, DB)
        try:
            rows = await conn.fetch(
                "SELECT id FROM cases WHERE status = 'classified' ORDER BY id LIMIT $1",
                6 * args.n + 40,  # five batches, the warm-up and a profile
            )
        finally:
            await conn.close()
        to_dispatch = [str(r["id"]) for r in rows]

        async def dispatch() -> Answer:
            return await client.post(
                f"/api/v1/cases/{to_dispatch.pop()}/dispatch", b'{"role": "presiding"}'
            )

        async def release_offers() -> None:
            # Under the real capacity limit (5 per lawyer, ~100 lawyers) a batch of
            # dispatches must start with room: every open offer expires first; and with
            # the tables dispatch churns vacuumed, as autovacuum would (run.py).
            conn = await connect(base, DB)
            try:
                await conn.execute(RELEASE_SQL, 0)
                await conn.execute(VACUUM_SQL)
            finally:
                await conn.close()

        scenarios: dict[str, Any] = {
            "dispatch": (dispatch, 201, release_offers),
            "health": (lambda: client.get("/healthz"), 200),
            "intake": (intake, 201),
            "read": (lambda: client.get(f"/api/v1/cases/{case_id}"), 200),
            "list": (lambda: client.get("/api/v1/cases?status=classified&limit=50"), 200),
        }
        for name in args.scenarios.split(","):
            send, expect, *before = scenarios[name]
            n = args.n
            if name == "dispatch" and n > DISPATCH_BATCH:
                # A batch must fit in the pool's places (released before each batch).
                print(f"dispatch: batches of {DISPATCH_BATCH}, the places the pool has")
                n = DISPATCH_BATCH
            await measure(name, send, n, expect, *before)
        if args.profile:
            # CPU time, not wall time: awaiting PostgreSQL costs the process nothing.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            send = scenarios[args.profile][0]
            for _ in range(args.n):
                await send()
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(args.profile_sort)
            stats.print_stats(args.profile_filter, args.profile_lines)


if __name__ == "__main__":
    uvloop.run(main())  # as under `adr serve` (uvicorn picks uvloop when installed)
