"""evaluate() and cross_validate(): metrics that agree with a count by hand, folds that are
stratified and repeatable, and clear errors."""

import pytest

import classiflow as cf
from conftest import LABELS, make_docs


def hand_metrics(truth, predicted):
    """Accuracy and macro-F1 counted directly (labels true or predicted at least once)."""
    labels = sorted(set(truth) | set(predicted))
    f1s = []
    for label in labels:
        tp = sum(t == p == label for t, p in zip(truth, predicted))
        n_pred = sum(p == label for p in predicted)
        n_true = sum(t == label for t in truth)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    accuracy = sum(t == p for t, p in zip(truth, predicted)) / len(truth)
    return accuracy, sum(f1s) / len(f1s)


def test_evaluate_matches_a_count_by_hand(engine):
    model = engine.create_model("m", labels=LABELS, ngrams=1)
    texts, labels = make_docs(200, seed=3, words=3)
    model.train_batch(texts[:100], labels[:100])
    # Flip some truths so that the model is wrong on them, and add a label it has never seen.
    truth = ["ham" if i % 7 == 0 else label for i, label in enumerate(labels[100:])]
    truth[0] = "other"
    result = model.evaluate(texts[100:], truth)
    predicted = model.classify_batch(texts[100:], min_confidence=0.0)
    accuracy, macro_f1 = hand_metrics(truth, predicted)
    assert result["count"] == 100
    assert result["accuracy"] == pytest.approx(accuracy)
    assert result["macro_f1"] == pytest.approx(macro_f1)
    assert result["labels"] == ["ham", "spam", "other"]
    assert sum(map(sum, result["confusion"])) == 100
    assert result["per_label"]["other"]["support"] == 1
    assert result["per_label"]["other"]["recall"] == 0.0


def test_cross_validate_is_stratified_and_repeatable(engine):
    model = engine.create_model("cv", labels=LABELS, ngrams=1)
    texts, labels = make_docs(50, seed=4)
    first = model.cross_validate(texts, labels, k=5, seed=1)
    assert [f["count"] for f in first["folds"]] == [10] * 5
    for fold in first["folds"]:  # 25 of each label over 5 folds: 5 each
        assert fold["per_label"]["ham"]["support"] == fold["per_label"]["spam"]["support"] == 5
    assert first["accuracy"] > 0.9
    assert model.cross_validate(texts, labels, k=5, seed=1) == first
    assert model.version == 0  # the model itself was not trained


@pytest.mark.parametrize("call", [
    lambda m, t, l: m.evaluate(t, l[:-1]),             # lengths differ
    lambda m, t, l: m.evaluate([], []),                # nothing to evaluate
    lambda m, t, l: m.cross_validate(t, l, k=1),       # k below 2
    lambda m, t, l: m.cross_validate(t, l, k=len(t) + 1),
    lambda m, t, l: m.cross_validate(t, l, seed=-1),
])
def test_bad_requests_are_invalid_arguments(engine, call):
    model = engine.create_model("bad", labels=LABELS)
    texts, labels = make_docs(10)
    model.train_batch(texts, labels)
    with pytest.raises(cf.InvalidArgumentError):
        call(model, texts, labels)
