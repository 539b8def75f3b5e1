"""Build the optional statistical model of the classification suggestion (``make classify-model``).

    python -m scripts.classification.train [--output PATH] [--cv]

Trains two logistic regressions (business system, act type) over TF-IDF word n-grams (jieba
words, 1-2) and character n-grams (1-3) of the training split only (data/classification/
train.jsonl), with a fixed seed, and writes the arrays that
:func:`app.domain.classification.model.load_model` reads. Same corpus and library versions, same
file. ``--cv`` prints 5-fold cross-validated figures on the training split for several weights of
the model against the lexicon: that is how the weights were chosen, without the held-out
split.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.domain.classification.model import (
    DEFAULT_MODEL_PATH,
    MODEL_FORMAT,
    TextModel,
    model_features,
    write_payload,
)
from scripts.classification.corpus import Text, load

SEED = 18
SYSTEM_WEIGHT = 5.0
ACT_WEIGHT = 20.0
"""Raw lexicon points a probability of 1 is worth, for business systems and for act types
(chosen by ``--cv`` on the training split; see docs/classification.md)."""


def build(texts: Sequence[Text]) -> dict[str, Any]:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    features = [model_features(t.fields) for t in texts]
    words = TfidfVectorizer(
        tokenizer=str.split,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
    )
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    matrix = hstack(
        [
            words.fit_transform([w for w, _ in features]),
            chars.fit_transform([c for _, c in features]),
        ]
    ).tocsr()
    systems = LogisticRegression(C=20.0, max_iter=5000, random_state=SEED)
    systems.fit(matrix, [t.business_system for t in texts])
    acts = LogisticRegression(C=20.0, max_iter=5000, random_state=SEED)
    acts.fit(matrix, [t.act_type for t in texts])
    return {
        "format": MODEL_FORMAT,
        "words": view(words),
        "chars": view(chars),
        "systems": head(systems),
        "acts": head(acts),
        "system_weight": SYSTEM_WEIGHT,
        "act_weight": ACT_WEIGHT,
        "corpus": f"trained on {len(texts)} texts of data/classification/train.jsonl, seed {SEED}",
    }


def view(vectorizer: Any) -> dict[str, Any]:
    """A fitted vectorizer as plain data: what :class:`TextModel` needs to compute features."""
    return {
        "vocabulary": {str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        "idf": vectorizer.idf_.tolist(),
        "ngrams": list(vectorizer.ngram_range),
    }


def head(classifier: Any) -> dict[str, Any]:
    """A fitted multinomial logistic regression as plain data."""
    return {
        "classes": [str(c) for c in classifier.classes_],
        "coef": classifier.coef_.tolist(),
        "intercept": classifier.intercept_.tolist(),
    }


def cross_validate(texts: Sequence[Text], weights: Sequence[float], folds: int = 5) -> None:
    from scripts.classification.evaluate import figures, run

    shuffled = list(texts)
    random.Random(SEED).shuffle(shuffled)  # noqa: S311 - a reproducible split, not a secret
    outcomes: dict[float, list[Any]] = {w: [] for w in weights}
    for fold in range(folds):
        test = shuffled[fold::folds]
        train = [t for i, t in enumerate(shuffled) if i % folds != fold]
        payload = build(train)
        for weight in weights:
            model = (
                TextModel({**payload, "system_weight": weight, "act_weight": weight})
                if weight > 0
                else None
            )
            outcomes[weight].extend(run(test, model))
    for weight in weights:
        numbers = figures(outcomes[weight])
        print(f"weight {weight:>5}: " + "  ".join(f"{k} {v:.3f}" for k, v in numbers.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--cv", action="store_true", help="cross-validate weights on train")
    args = parser.parse_args(argv)
    texts = load("train")
    if args.cv:
        cross_validate(texts, [0.0, 5.0, 10.0, 20.0, 40.0])
        return 0
    write_payload(args.output, build(texts))
    print(f"wrote {args.output} ({len(texts)} training texts, seed {SEED})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
