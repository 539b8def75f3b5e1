"""The optional statistical model of the classification suggestion (SPEC 2.6).

A linear model (logistic regression) over word n-grams (jieba words) and character n-grams of a
case's text, trained on the project's labelled corpus by ``make classify-model``
(``scripts/classification/train.py``, fixed seed). It adds a probability per business system and
act type to the lexicon's scores; the evidence shown stays the lexicon's words, plus the model's
probability on each candidate.

The model is optional twice over: scikit-learn (which brings numpy, all the model needs at run
time) is an extra (``pip install -e ".[model]"``), and the file is built, not downloaded.
Without either, :func:`load_model` returns None, the service
logs that it runs on the lexicon only, and every suggestion says ``method: lexicon``.

The file is a numpy ``.npz`` of plain arrays, read with ``allow_pickle=False``: loading it runs
no code.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import structlog

from app.domain.classification.keywords import normalise_text
from app.domain.classification.lexicon import TEXT_FIELDS
from app.domain.classification.results import ModelScores
from app.domain.classification.segment import SEGMENTER

__all__ = [
    "DEFAULT_MODEL_PATH",
    "TextModel",
    "load_model",
    "model_features",
    "read_payload",
    "words_of",
    "write_payload",
]

DEFAULT_MODEL_PATH: Final = Path(__file__).with_name("model.npz")
MODEL_FORMAT: Final = 2

log = structlog.get_logger("adr.classification")


def words_of(text: str) -> str:
    """The text cut into words (jieba, accurate mode), joined by spaces."""
    tokenizer = SEGMENTER.load()
    return " ".join(w for w in tokenizer.cut(text, HMM=False) if w.strip())


def model_features(fields: Mapping[str, str]) -> tuple[str, str]:
    """The model's two views of a case: its words and its characters (title and act repeated,
    as they weigh more in the lexicon too)."""
    parts = [normalise_text(fields.get(name) or "") for name in TEXT_FIELDS]
    title, facts, claims, act = parts
    text = "。".join(p for p in (title, title, facts, claims, act, act) if p)
    return words_of(text), text


class TextModel:
    """Two softmax classifiers (business system, act type) over shared TF-IDF features.

    The file holds plain arrays (vocabularies, idf weights, coefficients), not scikit-learn
    objects: scoring one case is a few hundred dictionary look-ups and one small matrix product,
    well under the suggestion's time budget, and needs numpy only. The features are computed
    exactly as scikit-learn's ``TfidfVectorizer`` (sublinear tf, smooth idf, l2 norm) computes
    them; ``tests/unit/classification`` checks the two agree.
    """

    def __init__(self, payload: Mapping[str, Any]) -> None:
        import numpy as np

        self._np = np
        self.views: list[tuple[dict[str, int], Any, tuple[int, int], str]] = [
            (dict(view["vocabulary"]), np.asarray(view["idf"]), tuple(view["ngrams"]), kind)
            for kind, view in (("words", payload["words"]), ("chars", payload["chars"]))
        ]
        self.heads = {
            name: (
                [str(c) for c in head["classes"]],
                np.asarray(head["coef"]),
                np.asarray(head["intercept"]),
            )
            for name, head in (("systems", payload["systems"]), ("acts", payload["acts"]))
        }
        self.system_weight: float = float(payload["system_weight"])
        self.act_weight: float = float(payload["act_weight"])
        self.corpus: str = str(payload.get("corpus", ""))

    def sparse_features(self, fields: Mapping[str, str]) -> tuple[Any, Any]:
        """The case's feature vector as (indices, values): each view's TF-IDF, l2-normalised,
        side by side (only the few hundred non-zero entries are ever built)."""
        np = self._np
        words, chars = model_features(fields)
        indices: list[Any] = []
        values: list[Any] = []
        offset = 0
        for vocabulary, idf, (low, high), kind in self.views:
            units: list[str] = words.split() if kind == "words" else list(chars)
            joiner = " " if kind == "words" else ""
            counts: dict[int, int] = {}
            for n in range(low, high + 1):
                for start in range(len(units) - n + 1):
                    index = vocabulary.get(joiner.join(units[start : start + n]))
                    if index is not None:
                        counts[index] = counts.get(index, 0) + 1
            where = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(tf)) * idf[where]
            norm = np.sqrt(weights @ weights)
            indices.append(where + offset)
            values.append(weights / norm if norm > 0 else weights)
            offset += len(idf)
        return np.concatenate(indices), np.concatenate(values)

    def features(self, fields: Mapping[str, str]) -> Any:
        """The dense feature vector (for checking against scikit-learn)."""
        np = self._np
        indices, values = self.sparse_features(fields)
        dense = np.zeros(sum(len(idf) for _, idf, _, _ in self.views))
        dense[indices] = values
        return dense

    def predict(self, fields: Mapping[str, str]) -> ModelScores:
        np = self._np
        indices, values = self.sparse_features(fields)
        probabilities: dict[str, dict[str, float]] = {}
        for name, (classes, coef, intercept) in self.heads.items():
            scores = coef[:, indices] @ values + intercept
            exp = np.exp(scores - scores.max())
            probabilities[name] = dict(zip(classes, (exp / exp.sum()).tolist(), strict=True))
        return ModelScores(
            business_systems=probabilities["systems"],
            act_types=probabilities["acts"],
            system_weight=self.system_weight,
            act_weight=self.act_weight,
        )


def write_payload(path: Path, payload: Mapping[str, Any]) -> None:
    """Save a model (as built by ``scripts/classification/train.py``) as plain arrays."""
    import numpy as np

    arrays: dict[str, Any] = {
        "format": np.asarray(payload["format"]),
        "corpus": np.asarray(payload["corpus"]),
        "weights": np.asarray([payload["system_weight"], payload["act_weight"]]),
    }
    for name in ("words", "chars"):
        vocabulary = payload[name]["vocabulary"]
        arrays[f"{name}_terms"] = np.asarray(sorted(vocabulary, key=vocabulary.__getitem__))
        arrays[f"{name}_idf"] = np.asarray(payload[name]["idf"])
        arrays[f"{name}_ngrams"] = np.asarray(payload[name]["ngrams"])
    for name in ("systems", "acts"):
        arrays[f"{name}_classes"] = np.asarray(payload[name]["classes"])
        arrays[f"{name}_coef"] = np.asarray(payload[name]["coef"])
        arrays[f"{name}_intercept"] = np.asarray(payload[name]["intercept"])
    with path.open("wb") as out:
        np.savez_compressed(out, **arrays)


def read_payload(path: Path) -> dict[str, Any]:
    """The payload :func:`write_payload` saved (no pickled objects are accepted)."""
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        payload: dict[str, Any] = {
            "format": int(data["format"]),
            "corpus": str(data["corpus"]),
            "system_weight": float(data["weights"][0]),
            "act_weight": float(data["weights"][1]),
        }
        for name in ("words", "chars"):
            terms = [str(t) for t in data[f"{name}_terms"]]
            payload[name] = {
                "vocabulary": {term: index for index, term in enumerate(terms)},
                "idf": data[f"{name}_idf"],
                "ngrams": [int(n) for n in data[f"{name}_ngrams"]],
            }
        for name in ("systems", "acts"):
            payload[name] = {
                "classes": [str(c) for c in data[f"{name}_classes"]],
                "coef": data[f"{name}_coef"],
                "intercept": data[f"{name}_intercept"],
            }
    return payload


_cache: dict[Path, TextModel | None] = {}
_lock = threading.Lock()


def load_model(path: Path | None = None) -> TextModel | None:
    """The model in ``path`` (default: beside this module), once per process; None, with one log
    line saying why, when scikit-learn is not installed or the file was not built."""
    resolved = (path or DEFAULT_MODEL_PATH).resolve()
    with _lock:
        if resolved in _cache:
            return _cache[resolved]
        model: TextModel | None = None
        try:
            import numpy  # noqa: F401 - with the optional extra
        except ImportError:
            log.info("classification_method", method="lexicon", why="numpy not installed")
        else:
            if not resolved.is_file():
                log.info("classification_method", method="lexicon", why="no model file")
            else:
                payload = read_payload(resolved)
                if payload.get("format") != MODEL_FORMAT:
                    log.warning("classification_method", method="lexicon", why="model format")
                else:
                    model = TextModel(payload)
                    log.info("classification_method", method="lexicon+model", model=model.corpus)
        _cache[resolved] = model
        return model
