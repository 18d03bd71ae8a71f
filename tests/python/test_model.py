"""classiflow.Model: properties, training, classification, probabilities, save/load."""

import math
from pathlib import Path

import numpy as np
import pytest

import classiflow as cf
from conftest import LABELS, make_docs, probability_sum


def test_new_model_properties(engine):
    m = engine.create_model("props", labels=["b", "a"], min_confidence=0.25, ngrams=1)
    assert (m.name, m.kind, m.version) == ("props", "bayes", 0)
    assert m.labels == ["b", "a"]  # creation order, not sorted
    opts = m.options
    assert opts["kind"] == "bayes" and opts["labels"] == ["b", "a"]
    assert opts["min_confidence"] == 0.25 and opts["ngrams"] == 1
    assert opts["hash_bits"] == 20 and opts["fit_prior"] is True  # defaults filled in
    opts["ngrams"] = 3  # a copy: mutating it changes nothing
    assert m.options["ngrams"] == 1
    assert "props" in repr(m)


def test_create_model_forwards_every_option(engine):
    options = dict(min_confidence=0.5, alpha=0.5, fit_prior=False, lowercase=False,
                   stop_words=True, stemmer="english", normalize_urls=False,
                   normalize_emails=False, normalize_numbers=False, ngrams=3, hash_bits=16,
                   max_text_bytes=4096)
    m = engine.create_model("all", **options)
    assert {k: m.options[k] for k in options} == options
    assert m.labels == []


def test_train_and_classify(spam):
    assert spam.version == 1  # one train_batch = one version
    assert spam.classify("cheap pills free money") == "spam"
    assert spam.classify("team meeting tomorrow") == "ham"
    spam.train("spam", "casino bonus")
    assert spam.version == 2
    spam.train_batch([], [])  # nothing to commit: no new version
    assert spam.version == 2


def test_labels_grow_when_not_fixed(engine):
    m = engine.create_model("open")
    assert m.labels == []
    m.train("b", "beta words")
    m.train_batch(["alpha words", "gamma words"], ["a", "c"])
    assert m.labels == ["b", "a", "c"]  # first use order
    assert m.version == 2
    assert m.classify("gamma") == "c"


def test_train_batch_accepts_any_iterable_and_bytes(engine):
    m = engine.create_model("iter", labels=LABELS)
    texts, labels = make_docs(10)
    m.train_batch((t.encode() for t in texts), tuple(labels))
    assert m.version == 1
    assert m.classify(b"cheap pills") == m.classify("cheap pills") == "spam"


def test_untrain_restores_scores(spam):
    before = spam.scores("free lunch offer")
    spam.train("ham", "free lunch offer")
    assert spam.scores("free lunch offer") != before
    spam.untrain("ham", "free lunch offer")
    assert spam.version == 3
    assert spam.scores("free lunch offer") == pytest.approx(before, abs=1e-12)


def test_classify_top_k(spam):
    top = spam.classify("cheap pills meeting", k=2)
    assert sorted(top) == LABELS  # both labels, most probable first
    scores = spam.scores("cheap pills meeting")
    assert scores[top[0]] >= scores[top[1]]
    assert spam.classify("cheap pills meeting", k=5) == top  # at most the label count
    # The threshold applies to every entry: only the winner is certain enough.
    assert spam.classify("cheap pills money", k=2, min_confidence=0.9) == ["spam"]
    assert spam.classify("cheap pills meeting", k=2, min_confidence=1.0) == []


def test_min_confidence_threshold(engine):
    m = engine.create_model("mc", labels=LABELS, min_confidence=0.99)
    texts, labels = make_docs(40)
    m.train_batch(texts, labels)
    ambiguous = "cheap meeting"
    assert m.predict(ambiguous).confidence < 0.99
    assert m.classify(ambiguous) is None  # the model's own threshold
    assert m.classify(ambiguous, min_confidence=0.0) is not None  # overridden per call
    assert m.classify_batch([ambiguous, "cheap pills casino prize bonus"]) == [None, "spam"]
    best = max(LABELS, key=m.scores(ambiguous).get)
    assert m.classify_batch([ambiguous], min_confidence=0.0) == [best]


def test_predict_is_consistent_with_scores(spam):
    p = spam.predict("cheap pills")
    assert isinstance(p, cf.Prediction)
    assert (p.label, p.model, p.version) == ("spam", "spam", spam.version)
    assert set(p.scores) == set(LABELS)
    assert probability_sum(p.scores) == pytest.approx(1.0)
    assert p.confidence == pytest.approx(math.exp(max(p.scores.values())))
    assert p.scores == spam.scores("cheap pills")
    with pytest.raises(AttributeError):
        p.label = "ham"  # frozen: a prediction is a record of what happened


def test_predict_proba(spam):
    texts = ["cheap pills", "team lunch", "", "cheap pills meeting"]
    proba = spam.predict_proba(texts)
    assert proba.dtype == np.float64 and proba.shape == (4, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    for row, text in zip(proba, texts):  # columns follow spam.labels
        scores = spam.scores(text)
        np.testing.assert_allclose(row, [math.exp(scores[label]) for label in spam.labels])
    assert spam.predict_proba([]).shape == (0, 2)


def test_classify_batch_matches_classify(spam):
    texts, _ = make_docs(200, seed=99)
    assert spam.classify_batch(texts) == [spam.classify(t) for t in texts]


def test_classify_empty_text_uses_priors(engine):
    m = engine.create_model("prior", labels=LABELS)
    m.train_batch(["cheap pills", "free money", "casino prize", "team lunch"],
                  ["spam", "spam", "spam", "ham"])
    p = m.predict("")
    assert p.label == "spam" and p.confidence > 0.5  # 3 of 4 documents are spam
    assert m.classify("") == "spam"
    uniform = engine.create_model("uniform", labels=LABELS, fit_prior=False)
    uniform.train_batch(["cheap pills", "free money", "team lunch"], ["spam", "spam", "ham"])
    assert uniform.predict("").confidence == pytest.approx(0.5)


def test_invalid_utf8_bytes_are_separators(spam):
    assert spam.scores(b"cheap\xff\xfepills") == pytest.approx(spam.scores("cheap pills"))


@pytest.mark.parametrize("as_path", [str, Path])
def test_save_and_load(spam, tmp_path, as_path):
    path = as_path(tmp_path / "spam.cfm")
    spam.save(path)
    loaded = cf.Model.load(path)
    assert (loaded.name, loaded.kind, loaded.labels) == (spam.name, spam.kind, spam.labels)
    assert loaded.version == spam.version and loaded.options == spam.options
    texts, _ = make_docs(50, seed=3)
    np.testing.assert_array_equal(loaded.predict_proba(texts), spam.predict_proba(texts))


def test_loaded_model_trains_in_memory(spam, tmp_path):
    path = tmp_path / "spam.cfm"
    spam.save(path)
    loaded = cf.Model.load(path)
    loaded.train("ham", "casino meeting")
    assert loaded.version == spam.version + 1
    assert spam.version == 1  # the engine's model is untouched
    assert cf.Model.load(path).version == 1  # and so is the file, until saved again
    loaded.save(path)
    assert cf.Model.load(path).scores("casino meeting") == loaded.scores("casino meeting")


def test_model_cannot_be_constructed_directly():
    with pytest.raises(TypeError, match="create_model"):
        cf.Model()
