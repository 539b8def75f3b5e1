"""What the statistics' indexes cost an intake: `python -m scripts.bench.stats_index_cost`
(after `make bench-scale`, on its database).

Two empty copies of ``cases`` with every index of the table (the text-search GIN index
included): one as before the statistics (``ix_cases_received_at`` on received_at alone), one
as now (the covering ``ix_cases_stats_received`` and ``ix_cases_stats_closed``). The same
generated cases are inserted one statement and one commit at a time into each, in
alternating batches, and the mean time per insert is compared. The insert of the case is
what the intake's counter lock waits for (docs/performance.md), so its cost is what could
slow intake down.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from scripts.bench.common import connect

DB = "adr_bench_scale"
BEFORE, NOW = "stats_cost_before", "stats_cost_now"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000, help="per batch")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    base = os.environ.get(
        "ADR_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    conn = await connect(base, DB)
    try:
        await conn.execute(
            f"DROP TABLE IF EXISTS {BEFORE}, {NOW}, stats_cost_source;"
            " CREATE TABLE stats_cost_source AS SELECT * FROM cases ORDER BY id DESC"
            f" LIMIT {args.cases * args.rounds * 2};"
            f" CREATE TABLE {NOW} (LIKE cases INCLUDING ALL);"
            f" CREATE TABLE {BEFORE} (LIKE cases INCLUDING ALL);"
        )
        names = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1", BEFORE
        )
        for row in names:
            if "received_at" in row["indexdef"] or "closed_at" in row["indexdef"]:
                await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        await conn.execute(f"CREATE INDEX ON {BEFORE} (received_at)")
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM stats_cost_source")]
        times: dict[str, list[float]] = {BEFORE: [], NOW: []}
        for round_no in range(args.rounds):
            for table in (BEFORE, NOW) if round_no % 2 == 0 else (NOW, BEFORE):
                batch, ids = ids[: args.cases], ids[args.cases :]
                insert = f"INSERT INTO {table} SELECT * FROM stats_cost_source WHERE id = $1"
                started = time.perf_counter()
                for case_id in batch:
                    async with conn.transaction():
                        await conn.execute(insert, case_id)
                times[table].append((time.perf_counter() - started) / len(batch) * 1000)
        for table, label in ((BEFORE, "before (received_at)"), (NOW, "now (two covering)")):
            per = times[table]
            print(
                f"{label:24} mean {statistics.mean(per):.3f} ms/insert "
                f"(rounds: {', '.join(f'{t:.3f}' for t in per)})"
            )
        ratio = statistics.mean(times[NOW]) / statistics.mean(times[BEFORE])
        print(f"now / before: {ratio:.3f}")
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {BEFORE}, {NOW}, stats_cost_source")
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
