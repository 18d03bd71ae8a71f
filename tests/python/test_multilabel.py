"""Multilabel linear models from Python: label sets in every training verb, each label judged
on its own, per-label thresholds (set, tuned, persisted in a durable engine), evaluation and
cross-validation of sets, scikit-learn's indicator-array convention, and clear errors."""

import pickle
import random

import numpy as np
import pytest

import classiflow as cf
from classiflow.sklearn import LinearClassifier

TOPICS = {
    "sports": ["goal", "match", "team", "league", "score", "coach"],
    "politics": ["vote", "election", "senate", "party", "law", "minister"],
    "tech": ["software", "chip", "code", "server", "app", "robot"],
}
FILLER = ["the", "a", "today", "news", "report", "new"]


def make_sets(n, seed):
    """n texts on any subset of the topics (none included), and their label sets."""
    rng = random.Random(seed)
    texts, sets = [], []
    for _ in range(n):
        words, labels = [rng.choice(FILLER)], []
        for topic, vocabulary in TOPICS.items():
            if rng.random() < 0.5:
                labels.append(topic)
                words += rng.choices(vocabulary, k=3)
        words.append(rng.choice(FILLER))
        texts.append(" ".join(words))
        sets.append(labels)
    return texts, sets


@pytest.fixture
def tagger(engine):
    model = engine.create_model("tags", kind="linear", multilabel=True, hash_bits=14)
    model.fit(*make_sets(400, seed=1))
    return model


def test_fit_on_sets_gives_each_text_its_labels(tagger):
    assert tagger.multilabel
    assert tagger.version == 1
    assert sorted(tagger.labels) == sorted(TOPICS)
    assert sorted(tagger.classify("goal match vote election")) == ["politics", "sports"]
    assert tagger.classify("software chip code") == ["tech"]
    assert tagger.classify("the news today") == []
    assert tagger.classify("goal match vote election", k=1) in ("politics", "sports")
    prediction = tagger.predict("goal match vote election")
    assert sorted(prediction.labels) == ["politics", "sports"]
    assert prediction.label == prediction.labels[0]
    proba = tagger.predict_proba(["goal match vote election", "the news today"])
    assert proba.shape == (2, 3)
    assert proba[0].sum() > 1.5  # independent probabilities, not a distribution
    assert (proba[1] < 0.5).all()
    batch = tagger.classify_batch(["goal vote", "chip code", "the report"])
    assert [sorted(labels) for labels in batch] == [["politics", "sports"], ["tech"], []]


def test_online_sets_single_labels_and_empty_sets(engine):
    model = engine.create_model("tags", kind="linear", multilabel=True, hash_bits=12)
    model.train(["sports", "politics", "sports"], "goal vote")  # a label twice counts once
    model.train("tech", "chip code")  # a set of one
    model.train(set(), "the weather")  # no label at all
    model.train_batch(["goal match", "senate law"], [("sports",), ["politics"]])
    assert model.version == 4
    assert model.labels == ["sports", "politics", "tech"]
    with pytest.raises(cf.InvalidArgumentError):
        model.train(["sports", ""], "goal")
    with pytest.raises(TypeError):
        model.train_batch(["goal"], [[1]])
    with pytest.raises(cf.InvalidArgumentError, match="2 texts but 1"):
        model.train_batch(["goal", "vote"], [["sports"]])
    assert model.version == 4


def test_single_label_models_refuse_sets(engine):
    model = engine.create_model("plain", kind="linear", hash_bits=12)
    with pytest.raises(cf.NotSupportedError, match="not multilabel"):
        model.train(["a", "b"], "some text")
    for call in (model.thresholds, lambda: model.set_thresholds({"a": 0.3}),
                 lambda: model.tune_thresholds(["x"], [["a"]])):
        with pytest.raises(cf.NotSupportedError):
            call()
    assert not model.multilabel
    with pytest.raises(cf.InvalidArgumentError, match="threshold per label"):
        engine.create_model("bad", kind="linear", multilabel=True, min_confidence=0.4)


def test_thresholds_decide_and_survive_reopening(tmp_path):
    engine = cf.Engine(tmp_path / "db")
    model = engine.create_model("tags", kind="linear", multilabel=True, hash_bits=12)
    model.fit(*make_sets(300, seed=2))
    assert model.thresholds() == {"sports": 0.5, "politics": 0.5, "tech": 0.5} or \
        set(model.thresholds().values()) == {0.5}
    model.set_thresholds({"sports": 1.0})
    assert model.classify("goal vote") == ["politics"]
    assert sorted(model.classify("goal vote", min_confidence=0.0)) == sorted(TOPICS)
    with pytest.raises(cf.NotFoundError, match="weather"):
        model.set_thresholds({"weather": 0.2})
    with pytest.raises(cf.InvalidArgumentError, match=r"\[0, 1\]"):
        model.set_thresholds({"tech": 1.5})
    with pytest.raises(TypeError):
        model.set_thresholds({"tech": "high"})
    version = model.version
    engine.close()
    engine = cf.Engine(tmp_path / "db")
    model = engine.model("tags")
    assert model.version == version
    assert model.thresholds()["sports"] == 1.0
    assert model.classify("goal vote") == ["politics"]
    engine.close()


def test_tune_thresholds_on_held_out_data(tagger):
    dev_texts, dev_sets = make_sets(200, seed=3)
    before = tagger.evaluate(dev_texts, dev_sets)
    chosen = tagger.tune_thresholds(dev_texts, dev_sets)
    assert set(chosen) == set(TOPICS)
    assert all(0.0 < t <= 1.0 for t in chosen.values())
    assert tagger.thresholds() == pytest.approx(chosen)
    after = tagger.evaluate(dev_texts, dev_sets)
    for label in TOPICS:
        assert after["per_label"][label]["f1"] >= before["per_label"][label]["f1"] - 1e-9
    with pytest.raises(cf.InvalidArgumentError, match="no texts"):
        tagger.tune_thresholds([], [])


def test_evaluate_and_cross_validate_sets(tagger):
    texts = ["goal match vote election", "chip code", "goal team"]
    truth = [["sports", "politics"], ["tech", "politics"], ["sports", "cooking"]]
    result = tagger.evaluate(texts, truth)
    assert result["multilabel"] is True
    assert result["accuracy"] == pytest.approx(1 / 3)
    assert result["micro_f1"] == pytest.approx(2 * 4 / (4 + 6))
    assert result["per_label"]["cooking"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0,
                                              "support": 1}
    assert result["confusion"] == []
    cv = tagger.cross_validate(*make_sets(300, seed=4), k=3)
    assert len(cv["folds"]) == 3
    assert cv["micro_f1"] > 0.9


def test_sklearn_indicator_arrays():
    texts, sets = make_sets(400, seed=5)
    topics = sorted(TOPICS)
    y = np.array([[int(t in labels) for t in topics] for labels in sets])
    estimator = LinearClassifier(multilabel=True, hash_bits=14)
    estimator.fit(texts, y)
    assert list(estimator.classes_) == [0, 1, 2]
    test_texts, test_sets = make_sets(100, seed=6)
    y_test = np.array([[int(t in labels) for t in topics] for labels in test_sets])
    predicted = estimator.predict(test_texts)
    assert predicted.shape == y_test.shape
    assert estimator.score(test_texts, y_test) > 0.9
    assert estimator.predict_proba(test_texts).shape == (100, 3)
    clone = pickle.loads(pickle.dumps(estimator))
    assert (clone.predict(test_texts) == predicted).all()
    assert estimator.model_.multilabel
    online = LinearClassifier(multilabel=True, hash_bits=14)
    online.partial_fit(texts[:200], y[:200])
    online.partial_fit(texts[200:], y[200:])
    assert online.score(test_texts, y_test) > 0.5
    with pytest.raises(ValueError, match="2-D indicator"):
        LinearClassifier(multilabel=True).fit(texts, [s[0] if s else "" for s in sets])
