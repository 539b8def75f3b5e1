"""The optional statistical model (docs/classification.md): the service computes its features
and probabilities without scikit-learn, so they must agree with what scikit-learn trained on, and
the file it reads must hold plain arrays only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.domain.classification.model import TextModel, load_model, read_payload, write_payload
from scripts.classification.corpus import Text, load
from scripts.classification.train import build


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Text]]:
    texts = load("train")[:80]
    path = tmp_path_factory.mktemp("model") / "model.npz"
    write_payload(path, build(texts))
    return path, texts


def test_features_and_probabilities_agree_with_scikit_learn(small_model) -> None:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from app.domain.classification.model import model_features

    path, texts = small_model
    model = TextModel(read_payload(path))
    # Refit the same way the build does and compare on texts the model never saw.
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
    systems = LogisticRegression(C=20.0, max_iter=5000, random_state=18)
    systems.fit(matrix, [t.business_system for t in texts])
    for unseen in load("held_out")[:10]:
        w, c = model_features(unseen.fields)
        expected = hstack([words.transform([w]), chars.transform([c])]).toarray()[0]
        assert np.allclose(model.features(unseen.fields), expected)
        ours = model.predict(unseen.fields).business_systems
        probabilities = systems.predict_proba(expected[None, :])[0]
        theirs = dict(zip(systems.classes_, probabilities, strict=True))
        assert ours.keys() == theirs.keys()
        assert all(abs(ours[k] - theirs[k]) < 1e-6 for k in ours)


def test_the_file_holds_no_pickled_objects(small_model, tmp_path: Path) -> None:
    path, _ = small_model
    with np.load(path, allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)
    missing = load_model(tmp_path / "absent.npz")
    assert missing is None
    loaded = load_model(path)
    assert loaded is not None
    assert loaded is load_model(path)
