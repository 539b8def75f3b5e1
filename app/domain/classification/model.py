"""The optional statistical model of the classification suggestion (SPEC 2.6).

A linear model (logistic regression) over word n-grams (jieba words) and character n-grams of a
case's text, trained on the project's labelled corpus by ``make classify-model``
(``scripts/classification/train.py``, fixed seed). It adds a probability per business system and
act type to the lexicon's scores; the evidence shown stays the lexicon's words, plus the model's
probability on each candidate.

The model is optional twice over: scikit-learn is an extra (``pip install -e ".[model]"``), and
the file is built, not downloaded. Without either, :func:`load_model` returns None, the service
logs that it runs on the lexicon only, and every suggestion says ``method: lexicon``.

The file is a pickle the project builds itself from its own corpus; it is never fetched, and the
service only reads it from the package directory.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import structlog

from app.domain.classification.keywords import normalise_text
from app.domain.classification.lexicon import TEXT_FIELDS
from app.domain.classification.results import ModelScores
from app.domain.classification.segment import SEGMENTER

__all__ = ["DEFAULT_MODEL_PATH", "TextModel", "load_model", "model_features", "words_of"]

DEFAULT_MODEL_PATH: Final = Path(__file__).with_name("model.pickle")
MODEL_FORMAT: Final = 1

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
    """Two classifiers (business system, act type) over shared word and character features."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.words = payload["words"]
        self.chars = payload["chars"]
        self.systems = payload["systems"]
        self.acts = payload["acts"]
        self.system_weight: float = float(payload["system_weight"])
        self.act_weight: float = float(payload["act_weight"])
        self.corpus: str = str(payload.get("corpus", ""))

    def predict(self, fields: Mapping[str, str]) -> ModelScores:
        from scipy.sparse import hstack

        words, chars = model_features(fields)
        features = hstack([self.words.transform([words]), self.chars.transform([chars])]).tocsr()
        systems = dict(
            zip(self.systems.classes_, self.systems.predict_proba(features)[0], strict=True)
        )
        acts = dict(zip(self.acts.classes_, self.acts.predict_proba(features)[0], strict=True))
        return ModelScores(
            business_systems={str(k): float(v) for k, v in systems.items()},
            act_types={str(k): float(v) for k, v in acts.items()},
            system_weight=self.system_weight,
            act_weight=self.act_weight,
        )


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
            import sklearn  # noqa: F401 - the optional extra
        except ImportError:
            log.info("classification_method", method="lexicon", why="scikit-learn not installed")
        else:
            if not resolved.is_file():
                log.info("classification_method", method="lexicon", why="no model file")
            else:
                payload = pickle.loads(resolved.read_bytes())  # noqa: S301 - see module notes
                if payload.get("format") != MODEL_FORMAT:
                    log.warning("classification_method", method="lexicon", why="model format")
                else:
                    model = TextModel(payload)
                    log.info("classification_method", method="lexicon+model", model=model.corpus)
        _cache[resolved] = model
        return model
