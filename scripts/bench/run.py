"""`make bench`: the service against a bare ASGI + asyncpg baseline doing the same SQL.

Both run under uvicorn with the same number of workers on a fresh PostgreSQL database; wrk
loads them with the same connections and bodies, in alternating rounds, and the figures
and ratios are printed at the end (see docs/performance.md for how to read them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.db.session import create_database  # noqa: E402
from app.domain.auth.tokens import mint_token  # noqa: E402
from app.domain.statistics.rollups import compact_pending  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.states.codes import Role  # noqa: E402
from scripts.bench import lua  # noqa: E402
from scripts.bench.common import (  # noqa: E402
    connect,
    migrate_and_seed,
    recreate_database,
    use_bench_environment,
)

BIN = Path(sys.executable).parent
DB = os.environ.get("ADR_BENCH_DB", "adr_bench")  # a name of your own: runs side by side
SERVICE_PORT = int(os.environ.get("ADR_BENCH_SERVICE_PORT", "8100"))
BASELINE_PORT = int(os.environ.get("ADR_BENCH_BASELINE_PORT", "8101"))
# The second intake baseline: the gap-free limit (scripts/bench/baseline.py), served by the
# baseline's server.
GAP_FREE = "gap-free"
# The second dispatch baseline: the lean dispatch (scripts/bench/baseline.py), what the
# dispatch baseline did before it ran the service's own statements (issue 16, v8).
LEAN = "lean"
# Each scenario's second baseline, printed as a last line of the report.
SECOND_BASELINE = {"intake": GAP_FREE, "dispatch": LEAN}
LEAN_PATH = "/lean/cases/%s/dispatch"
# Dispatch runs under the seeded policy's real capacity limit (5 open assignments per
# lawyer) with a city's pool of ~100 lawyers: ~500 places, fewer than a run dispatches. So
# while a dispatch run lasts, offers older than RELEASE_AFTER are released (expired), as
# lawyers answering would, every RELEASE_EVERY seconds: each lawyer holds one or two open
# offers, and every dispatch still ranks the whole pool and checks capacity. (At 200 ms, and
# once at 100, the baseline, past 1,100 dispatches/s, found the pool full: once the
# releaser falls behind, every refusal is fast and the next comes sooner.)
RELEASE_AFTER_MS, RELEASE_EVERY = 50, 0.025
RELEASE_SQL = (
    "UPDATE assignments SET status = 'expired', ended_at = now(), version = version + 1"
    " WHERE status = 'offered' AND offered_at < now() - make_interval(secs => $1 / 1000.0)"
)
# Dispatch churns small tables (the lawyers' pending open-count changes, the statistics'
# deltas, the lawyers' rows): PostgreSQL's autovacuum keeps them small on a server, but a
# bench machine may run with it off (CI's does: conf.d/90-ci.conf), and then every run is
# slower than the one before, its index scans wading through dead rows. So the bench
# vacuums after each dispatch run, as autovacuum would.
VACUUM_SQL = "VACUUM"
FACTS = (
    "申请人系东昌府区某村村民，其房屋位于征收范围内。二〇二六年九月，被申请人作出房屋征收补偿决定，"
    "认定申请人房屋建筑面积一百二十平方米，按每平方米三千二百元给予货币补偿。申请人认为评估机构未入户"
    "测量，遗漏附属设施和装修，补偿标准明显低于同地段商品房价格，多次向街道办和征收办反映未获答复。"
) * 3


@dataclass
class Result:
    target: str
    scenario: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if match is None:  # wrk prints "-nan" when no request completed
        return float("nan")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str, target: str, scenario: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    # Anchored: "85.50%" in the thread stats line must not pass for the 50th percentile.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    return Result(target, scenario, rps, p50, p99, errors, total)


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"nothing answered on port {port}")


def worker_rss_mb(master: subprocess.Popen[bytes]) -> list[float]:
    out = subprocess.run(
        ["ps", "--ppid", str(master.pid), "-o", "rss=,comm="], capture_output=True, text=True
    ).stdout
    return [int(line.split()[0]) / 1024 for line in out.splitlines() if line.strip()]


async def prepare(base_url: str, settings: Settings, cases: int) -> dict[str, object]:
    """A fresh database, migrated and seeded, with a year's pool and classified cases."""
    await recreate_database(base_url, DB)
    migrate_and_seed(settings.database_url)
    conn = await connect(base_url, DB)
    organs = await conn.fetch(
        "SELECT id, region_code FROM agencies WHERE kind = 'administrative_organ' ORDER BY name"
    )
    respondent = organs[0]["id"]
    year = date.today().year
    # The seeded policy stays in force: dispatch runs under its real capacity limit (5).
    for i, organ in enumerate(organs[1:], start=1):
        for j in range(2):
            lawyer = uuid.uuid4()
            await conn.execute(
                "INSERT INTO lawyers (id, name, agency_id, certificate_no, certificate_issued_on,"
                " certificate_status, active, created_at, updated_at) VALUES"
                " ($1, $2, $3, $4, '2022-01-01', 'active', true, now(), now())",
                lawyer,
                f"律师{i}-{j}",
                organ["id"],
                f"BENCH{i:03d}{j}",
            )
            await conn.execute(
                "INSERT INTO lawyer_specialties (lawyer_id, business_system) VALUES"
                " ($1, 'natural_resources')",
                lawyer,
            )
            await conn.execute(
                "INSERT INTO pool_memberships (id, lawyer_id, agency_id, year, status,"
                " nominated_at, nominated_by) VALUES ($1, $2, $3, $4, 'approved', now(), 'bench')",
                uuid.uuid4(),
                lawyer,
                organ["id"],
                year,
            )
    await conn.execute(
        """
        INSERT INTO cases (id, case_no, status, version, channel, received_at, intake_agency_id,
            respondent_agency_id, title, facts, claims, act_type, act_made_on, act_known_on,
            act_real_property, related_procedures, applicant_count, collective, business_system,
            priority, created_at, created_by, updated_at, act_remedy_notice_given,
            act_reconsideration_first)
        SELECT gen_random_uuid(), 'LCB-' || lpad(g::text, 6, '0'), 'classified', 1, 'petition',
            now() - (g || ' seconds')::interval, $1, $1, '房屋征收补偿争议 ' || g, $2, '提高补偿',
            'expropriation', current_date - 30, current_date - 20, true, '[]', 1, false,
            'natural_resources', 'normal', now(), 'bench', now(), true, false
        FROM generate_series(1, $3) g
        """,
        respondent,
        FACTS,
        cases,
    )
    await conn.execute(
        """
        INSERT INTO case_applicants (id, case_id, position, kind, name, id_type, id_number_sealed,
            id_number_masked, id_number_hash)
        SELECT gen_random_uuid(), id, 0, 'natural_person', '王某', 'resident_id', 'v1.x.y',
            '3715**********1234', md5(id::text) || md5(case_no) FROM cases
        """
    )
    ids = [str(r["id"]) for r in await conn.fetch("SELECT id FROM cases ORDER BY case_no")]
    await conn.execute("ANALYZE")
    await conn.close()
    return {"respondent": str(respondent), "ids": ids}


def intake_body(respondent: str) -> str:
    return json.dumps(
        {
            "channel": "petition",
            "intake_agency_id": respondent,
            "respondent_agency_id": respondent,
            "applicants": [
                {
                    "kind": "natural_person",
                    "name": "王某某",
                    "id_type": "resident_id",
                    "id_number": "__ID__",
                    "phone": "13800000000",
                    "address": "聊城市东昌府区某街道某村",
                }
            ],
            "act": {
                "type": "expropriation",
                "made_on": "2026-09-01",
                "known_on": "2026-09-03",
                "document_no": "聊征补字〔2026〕8号",
            },
            "title": "对房屋征收补偿决定不服",
            "facts": FACTS,
            "claims": "请求依法重新评估并提高补偿标准，补偿遗漏的附属设施。",
        },
        ensure_ascii=False,
    )


class Releaser:
    """Expires the offers older than RELEASE_AFTER_MS every RELEASE_EVERY seconds, in a
    thread of its own, while a dispatch run lasts (see RELEASE_SQL)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.stop = threading.Event()
        self.released = 0
        self.thread = threading.Thread(target=lambda: asyncio.run(self._loop()), daemon=True)

    async def _loop(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.dsn)
        try:
            while not self.stop.is_set():
                status = await conn.execute(RELEASE_SQL, RELEASE_AFTER_MS)
                self.released += int(status.split()[-1])
                await asyncio.sleep(RELEASE_EVERY)
            status = await conn.execute(RELEASE_SQL, 0)  # the next run starts with room
            self.released += int(status.split()[-1])
            await conn.execute(VACUUM_SQL)
        finally:
            await conn.close()

    def __enter__(self) -> Releaser:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


async def _fold_statistics(settings: Settings) -> int:
    database = create_database(settings)
    try:
        return await compact_pending(database.sessionmaker)
    finally:
        await database.engine.dispose()


def settle(settings: Settings) -> None:
    """Before each round: the statistics' deltas that the seeding and the earlier rounds
    appended (database triggers, whoever wrote) are folded into their cells, as the
    service's background compaction does within seconds on a server. Without it the
    service's first round folded the seeding's 50,000 deltas (~3.6 s of the database's
    time), and the service, idle but compacting, folded the baseline's during its rounds:
    each round now pays for its own writes only."""
    asyncio.run(_fold_statistics(settings))


def run_wrk(script: Path, port: int, *, connections: int, duration: int, threads: int) -> str:
    return subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--scenarios", default="intake,read,list,dispatch")
    parser.add_argument(
        "--dispatch-rate",
        type=int,
        default=1500,
        help="classified cases set aside per second of each dispatch run (more than any side"
        " dispatches)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    base = os.environ.get(
        "ADR_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    bench_url = make_url(base).set(database=DB)
    use_bench_environment()
    settings = Settings(env="development", database_url=bench_url.render_as_string(False))
    scenarios = [s for s in args.scenarios.split(",") if s]
    # Dispatch consumes the cases it dispatches: every run of it gets its own, as many as
    # even the baseline cannot use up in one run, so that no run dispatches a case twice.
    per_dispatch_run = args.dispatch_rate * args.duration if "dispatch" in scenarios else 0
    dispatch_targets = ("service", "baseline", LEAN)
    dispatch_total = per_dispatch_run * len(dispatch_targets) * args.rounds
    fixtures = asyncio.run(prepare(base, settings, args.cases + dispatch_total))
    token = mint_token(settings, sub="bench", role=Role.CENTER_COORDINATOR, ttl=timedelta(hours=2))
    work = Path(tempfile.mkdtemp(prefix="adr-bench-"))
    ids: list[str] = fixtures["ids"]  # type: ignore[assignment]
    read_ids, dispatch_ids = ids[: args.cases], ids[args.cases :]
    for t in ("service", "baseline"):
        (work / f"ids-{t}.txt").write_text("\n".join(read_ids))
    for n, t in enumerate(dispatch_targets):
        for round_no in range(args.rounds):
            start = (round_no * len(dispatch_targets) + n) * per_dispatch_run
            chunk = dispatch_ids[start : start + per_dispatch_run]
            (work / f"dispatch-ids-{t}-{round_no}.txt").write_text("\n".join(chunk))
    threads = 2

    def script(name: str, text: str) -> Path:
        path = work / f"{name}.lua"
        path.write_text(text.replace("__TOKEN__", token).replace("__THREADS__", str(threads)))
        return path

    template = lua.INTAKE.replace("__TEMPLATE__", intake_body(str(fixtures["respondent"])))
    intake = script("intake", template.replace("__PATH__", "/api/v1/cases"))
    scripts: dict[str, dict[Any, Path]] = {
        "intake": {
            "service": intake,
            "baseline": intake,
            GAP_FREE: script("intake-gap-free", template.replace("__PATH__", "/gapfree/cases")),
        },
        "read": {
            t: script(
                f"read-{t}",
                lua.BY_ID.replace("__IDS__", str(work / f"ids-{t}.txt"))
                .replace("__METHOD__", "GET")
                .replace("__PATH__", "/api/v1/cases/%s")
                .replace("__BODY__", ""),
            )
            for t in ("service", "baseline")
        },
        "list": {
            t: script(
                "list", lua.PLAIN.replace("__PATH__", "/api/v1/cases?status=classified&limit=50")
            )
            for t in ("service", "baseline")
        },
        "dispatch": {
            (t, round_no): script(
                f"dispatch-{t}-{round_no}",
                lua.BY_ID.replace("__IDS__", str(work / f"dispatch-ids-{t}-{round_no}.txt"))
                .replace("__METHOD__", "POST")
                .replace("__PATH__", LEAN_PATH if t == LEAN else "/api/v1/cases/%s/dispatch")
                .replace("__BODY__", '{"role": "presiding"}'),
            )
            for t in dispatch_targets
            for round_no in range(args.rounds)
        },
    }
    env = {
        **os.environ,
        "ADR_DATABASE_URL": settings.database_url,
        "ADR_LOG_LEVEL": "WARNING",
        "BENCH_DSN": bench_url.set(drivername="postgresql").render_as_string(False),
    }
    log = open(work / "servers.log", "wb")  # noqa: SIM115
    service = subprocess.Popen(
        [BIN / "adr", "serve", "--port", str(SERVICE_PORT), "--workers", str(args.workers)],
        env=env,
        stdout=log,
        stderr=log,
        cwd=ROOT,
    )
    baseline = subprocess.Popen(
        [
            BIN / "uvicorn",
            "scripts.bench.baseline:app",
            "--port",
            str(BASELINE_PORT),
            "--workers",
            str(args.workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=log,
        cwd=ROOT,
    )
    results: list[Result] = []
    rss: dict[str, list[list[float]]] = {"service": [], "baseline": []}
    try:
        wait_ready(SERVICE_PORT)
        wait_ready(BASELINE_PORT)
        for scenario in scenarios:
            second = SECOND_BASELINE.get(scenario)
            targets = ["service", "baseline"] + ([second] if second else [])
            for round_no in range(args.rounds):
                order = targets if round_no % 2 == 0 else targets[::-1]
                for target in order:
                    port = SERVICE_PORT if target == "service" else BASELINE_PORT
                    key = (target, round_no) if scenario == "dispatch" else target
                    releaser = Releaser(env["BENCH_DSN"]) if scenario == "dispatch" else None
                    settle(settings)
                    with releaser or contextlib.nullcontext():
                        out = run_wrk(
                            scripts[scenario][key],
                            port,
                            connections=args.connections,
                            duration=args.duration,
                            threads=threads,
                        )
                    result = parse_wrk(out, target, scenario)
                    if result.requests == 0 or result.errors:
                        (work / f"wrk-{scenario}-{target}-{round_no}.txt").write_text(out)
                        # A dispatch refused (409 no_eligible_mediator) is a fault of the
                        # bench's setup, not a figure: say so where it cannot be missed.
                        print(f"  !! {result.errors} failed requests: see {work}", flush=True)
                    results.append(result)
                    if target in rss:
                        master = service if target == "service" else baseline
                        rss[target].append(worker_rss_mb(master))
                    print(
                        f"  {scenario:9} round {round_no + 1} {target:9} {result.rps:8.0f} rps"
                        f"  p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms"
                        f"  non-2xx {result.errors}",
                        flush=True,
                    )
    finally:
        for proc in (service, baseline):
            proc.send_signal(signal.SIGINT)
        for proc in (service, baseline):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    report(results, rss, args)


def best_round(rounds: list[Result]) -> Result:
    """The fastest round without a failed request: a refused request is answered sooner
    than a served one, so a round with failures would look the best for the wrong reason.
    The fastest of all when every round failed (its non-2xx are shown)."""
    clean = [r for r in rounds if not r.errors]
    return max(clean or rounds, key=lambda r: r.rps)


def report(
    results: list[Result], rss: dict[str, list[list[float]]], args: argparse.Namespace
) -> None:
    print(
        f"\n== {args.connections} connections, {args.workers} workers, "
        f"{args.duration}s x {args.rounds} rounds (best round of each without a failed"
        " request, if any)"
    )
    print(
        f"{'scenario':10}{'service rps':>12}{'base rps':>10}{'ratio':>7}"
        f"{'svc p50':>9}{'svc p99':>9}{'base p99':>9}{'p99 x':>7}{'svc non-2xx':>12}"
        f"{'base non-2xx':>13}"
    )
    second_lines: list[str] = []
    for scenario in dict.fromkeys(r.scenario for r in results):
        best = {
            t: best_round([r for r in results if r.scenario == scenario and r.target == t])
            for t in ("service", "baseline")
        }
        s, b = best["service"], best["baseline"]
        print(
            f"{scenario:10}{s.rps:12.0f}{b.rps:10.0f}{s.rps / b.rps:7.2f}{s.p50_ms:9.1f}"
            f"{s.p99_ms:9.1f}{b.p99_ms:9.1f}{s.p99_ms / b.p99_ms:7.2f}{s.errors:12d}"
            f"{b.errors:13d}"
        )
        second = SECOND_BASELINE.get(scenario)
        limits = [r for r in results if r.scenario == scenario and r.target == second]
        if limits:
            g = best_round(limits)
            second_lines.append(
                f"{scenario} against the {second} baseline: service {s.rps:.0f} rps /"
                f" {g.rps:.0f} rps = {s.rps / g.rps:.2f}; p99 {s.p99_ms:.1f} / {g.p99_ms:.1f} ms"
                f" = {s.p99_ms / g.p99_ms:.2f}x; its non-2xx {g.errors}"
            )
    for line in second_lines:
        print(line)
    for target, rounds in rss.items():
        shown = " | ".join("/".join(f"{mb:.0f}" for mb in r) for r in rounds)
        print(f"RSS MB per worker after each run ({target}): {shown}")


if __name__ == "__main__":
    main()
