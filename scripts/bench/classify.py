"""Time one classification suggestion, in-process: ``python -m scripts.bench.classify``.

The suggestion must answer in under 20 ms (issue 18). This times what the endpoint does after
reading the case: the statistical model's prediction (when its file is built) and the scorer
(segmentation, matching, ranking), once per text of the corpus, after a warm-up that loads the
dictionary and the model as the service does at start-up. It prints the median, the 95th
percentile and the maximum wall time and CPU time per suggestion, and the longest text timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.domain.classification.model import load_model  # noqa: E402
from app.domain.classification.service import warm_up  # noqa: E402
from app.domain.classification.suggest import suggest  # noqa: E402
from scripts.classification.corpus import load  # noqa: E402

BUDGET_MS = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the corpus")
    args = parser.parse_args()
    started = time.perf_counter()
    method = warm_up()
    print(f"warm-up (lexicon, jieba dictionary, model): {time.perf_counter() - started:.2f} s")
    model = load_model()
    texts = load("train") + load("held_out")
    # Long texts too: a lawyer's petition of several thousand characters.
    longest = max(texts, key=lambda t: sum(len(v) for v in t.fields.values()))
    long_petition = {name: value * 12 for name, value in longest.fields.items()}
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(args.rounds):
        for fields in [t.fields for t in texts] + [long_petition]:
            wall, cpu = time.perf_counter(), time.process_time()
            scores = model.predict(fields) if model is not None else None
            suggest(
                fields,
                respondent_kind="administrative_organ",
                respondent_business_system="housing_construction",
                applicant_count=1,
                collective_threshold=5,
                act_type_hint=None,
                model_scores=scores,
            )
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    chars = sum(len(v) for v in long_petition.values())
    print(f"method {method}; {len(walls)} suggestions; longest text {chars} characters")
    for name, values in (("wall", walls), ("cpu", cpus)):
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"  {name:<5} median {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms"
            f"   max {ordered[-1]:6.2f} ms   (budget {BUDGET_MS:.0f} ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
