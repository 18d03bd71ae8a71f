"""classiflow.sklearn: the estimators in scikit-learn's own machinery (clone, cross_val_score,
Pipeline, GridSearchCV), pickling, online learning and clear errors; and that importing
classiflow does not import scikit-learn."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from classiflow.sklearn import BayesClassifier, LinearClassifier, LsiClassifier
from conftest import make_docs

ESTIMATORS = [BayesClassifier(ngrams=1, hash_bits=12),
              LinearClassifier(hash_bits=12, epochs=3, threads=1),
              LinearClassifier(loss="hinge", optimizer="dual", l2=1e-4, hash_bits=12,
                               epochs=3, threads=1),
              LsiClassifier(rank=20, hash_bits=12)]


# A parameter of each estimator and values to try for it.
TUNED = {BayesClassifier: ("alpha", [0.5, 1.0]), LinearClassifier: ("learning_rate", [0.5, 1.0]),
         LsiClassifier: ("neighbors", [5, 10])}


@pytest.fixture(params=ESTIMATORS,
                ids=lambda e: type(e).__name__ + ("-hinge" if getattr(e, "loss", "") == "hinge" else ""))
def estimator(request):
    return clone(request.param)


def test_fit_predict_proba_and_score_with_any_class_values(estimator):
    texts, labels = make_docs(200, seed=5)
    y = np.array([1 if label == "spam" else 0 for label in labels])  # ints, as sklearn users do
    estimator.fit(texts, y)
    assert list(estimator.classes_) == [0, 1]
    predicted = estimator.predict(texts[:20])
    assert set(predicted) <= {0, 1}
    proba = estimator.predict_proba(texts[:20])
    assert proba.shape == (20, 2)
    assert proba.sum(axis=1) == pytest.approx(np.ones(20))
    assert list(np.argmax(proba, axis=1)) == list(predicted)
    assert estimator.score(*make_docs(100, seed=8)[:1], [1 if lab == "spam" else 0
                                                      for lab in make_docs(100, seed=8)[1]]) > 0.9


def test_clone_get_and_set_params(estimator):
    params = estimator.get_params()
    copy = clone(estimator)
    assert copy.get_params() == params and copy is not estimator
    assert is_classifier(estimator)
    key, values = TUNED[type(estimator)]
    estimator.set_params(**{key: values[0]})
    assert estimator.get_params()[key] == values[0]
    with pytest.raises(ValueError, match="invalid parameter"):
        estimator.set_params(colour=1)
    assert repr(estimator).startswith(type(estimator).__name__ + "(")


def test_cross_val_score_pipeline_and_grid_search(estimator):
    texts, labels = make_docs(120, seed=6)
    scores = cross_val_score(estimator, texts, labels, cv=3)
    assert len(scores) == 3 and min(scores) > 0.8
    pipeline = make_pipeline(FunctionTransformer(lambda xs: [x.upper() for x in xs]), estimator)
    pipeline.fit(texts, labels)
    assert pipeline.score(texts, labels) > 0.9
    key, values = TUNED[type(estimator)]
    search = GridSearchCV(estimator, {key: values}, cv=2).fit(texts, labels)
    assert search.best_params_[key] in values


def test_pickle_keeps_the_fitted_model(estimator):
    texts, labels = make_docs(100, seed=3)
    estimator.fit(texts, labels)
    restored = pickle.loads(pickle.dumps(estimator))
    assert restored.get_params() == estimator.get_params()
    assert list(restored.predict(texts)) == list(estimator.predict(texts))
    assert restored.predict_proba(texts) == pytest.approx(estimator.predict_proba(texts))
    unfitted = pickle.loads(pickle.dumps(clone(estimator)))
    with pytest.raises(AttributeError, match="not fitted"):
        unfitted.predict(texts)


def test_partial_fit_learns_online_and_needs_classes_first(estimator):
    texts, labels = make_docs(200, seed=4)
    with pytest.raises(ValueError, match="classes="):
        clone(estimator).partial_fit(texts, labels)
    estimator.partial_fit(texts[:100], labels[:100], classes=["ham", "spam", "other"])
    for start in range(100, 200, 20):
        estimator.partial_fit(texts[start:start + 20], labels[start:start + 20])
    assert list(estimator.classes_) == ["ham", "other", "spam"]
    proba = estimator.predict_proba(texts[:5])
    assert proba.shape == (5, 3)
    assert proba[:, 1] == pytest.approx(np.zeros(5))  # never trained
    assert estimator.score(texts, labels) > 0.9
    with pytest.raises(ValueError, match="not in classes_"):
        estimator.partial_fit(["x"], ["surprise"])


def test_importing_classiflow_does_not_import_sklearn():
    code = "import sys, classiflow; sys.exit('sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
