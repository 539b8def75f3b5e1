"""The garbage collector, set for a long-running server (issue 16).

After start-up a worker holds ~250,000 objects the collector tracks (the routes and their
models, SQLAlchemy's mappers, the word segmenter's dictionary) that live as long as the
process. CPython's defaults make every full collection walk all of them: one took ~130 ms of
CPU, a pause of the whole event loop in the middle of some request. And its young
generation, collected every 700 allocations, ran about once per dispatch (~0.4 ms each, 3.6 %
of a dispatch's CPU) while most of a request's objects die by reference counting soon after.

So, once start-up is done: whatever start-up left is moved out of the collector's sight
(``gc.freeze``; it is still freed by reference counting, only cycles among it would stay), and
the young generation is collected every ``YOUNG_THRESHOLD`` allocations instead of 700. The
collector still runs; cyclic garbage of requests is still reclaimed, in fewer, larger passes.
Measured with ``gc.callbacks`` in ``scripts.bench.cpu`` (docs/performance.md).
"""

from __future__ import annotations

import gc
import threading

YOUNG_THRESHOLD = 10_000

_lock = threading.Lock()
_settled = False


def settle_after_startup() -> bool:
    """Freeze what start-up left and raise the young generation's threshold; once per
    process (a test suite starts many apps: only the first one's objects are frozen).
    Returns whether this call did it."""
    global _settled
    with _lock:
        if _settled:
            return False
        _settled = True
    gc.collect()  # the start-up's own garbage goes first, so that none of it is frozen
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    return True
