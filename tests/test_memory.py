"""A worker sets the garbage collector for a long-running server once start-up is done
(app/memory.py): what start-up built is frozen, so a full collection no longer walks it, and
the young generation is collected less often. Run in a fresh interpreter: the setting is the
process's, and the test suite's own process has long been settled by its first app."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = textwrap.dedent(
    """
    import asyncio, gc, json, sys, time
    from app.main import create_app
    from app.memory import YOUNG_THRESHOLD
    from tests.support.databases import test_settings

    async def start_and_wait(url):
        app = create_app(test_settings(url))
        async with app.router.lifespan_context(app):
            deadline = time.monotonic() + 60
            while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return gc.get_freeze_count()

    before = {"frozen": gc.get_freeze_count(), "young": gc.get_threshold()[0]}
    first = asyncio.run(start_and_wait(sys.argv[1]))
    second = asyncio.run(start_and_wait(sys.argv[1]))

    class Cycle:
        pass

    gc.collect()
    kept = Cycle()
    kept.me = kept
    del kept  # unreachable, held only by its own cycle: the collector must still find it
    print(json.dumps({
        "before": before, "first": first, "second": second,
        "young": gc.get_threshold()[0], "expected_young": YOUNG_THRESHOLD,
        "enabled": gc.isenabled(), "cycle_collected": gc.collect() > 0,
    }))
    """
)


def test_start_up_freezes_what_it_built_once_and_collection_goes_on(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'memory.db'}"
    done = subprocess.run(  # noqa: S603 (this interpreter, our own probe)
        [sys.executable, "-c", _PROBE, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # CPython's defaults until then: nothing frozen, young collections far more often.
    assert seen["before"]["frozen"] == 0
    assert seen["before"]["young"] < seen["expected_young"]
    assert seen["first"] > 50_000  # the routes, the mappers, the segmenter's dictionary
    # A second app in the process freezes nothing more (frozen objects still die by reference
    # counting: the first app's, once it is gone).
    assert seen["second"] <= seen["first"]
    assert seen["young"] == seen["expected_young"]
    assert seen["enabled"]
    assert seen["cycle_collected"]
