"""Pipeline analytics and feedback from Python: analytics() and its DataFrames, the urgent and
needs-review lists, feedback that scores model versions and trains them, recount and reset,
the Prometheus lines, and the same numbers after a reopen on every durable backend."""

import pytest

import classiflow as cf
from conftest import engine_uri

REVIEWS = {
    "stages": [
        {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "happy", "*": "contact"}},
        {"name": "contact", "extract": ["email"], "next": "unhappy"},
        {"name": "happy", "sink": {"keep_text": True}},
        {"name": "unhappy", "sink": {"keep_text": True}},
    ],
    "analytics": {"urgent": {"labels": ["neg"], "min_confidence": 0.5, "keep": 3},
                  "review_keep": 3,
                  "feedback": {"train": "later", "alert_window": 4, "alert_min": 4}},
}
TEXTS = ["good great fine", "great good nice", "bad awful poor mail a@b.io", "good fine",
         "awful terrible", "great nice good", "bad poor c@d.org awful", "good great",
         "terrible bad", "nice good great"]


def train(eng):
    model = eng.create_model("sentiment", labels=["pos", "neg"])
    model.train_batch(["good great fine", "great good nice", "bad awful poor", "awful bad"] * 10,
                      ["pos", "pos", "neg", "neg"] * 10)
    return model


def reviews(eng, spec=REVIEWS):
    p = eng.pipeline("reviews", spec)
    p.submit_many([(f"r{i}", t) for i, t in enumerate(TEXTS)])
    p.flush()
    return p


@pytest.fixture
def eng():
    with cf.Engine(threads=2) as engine:
        train(engine)
        yield engine


def test_analytics_count_every_result(eng):
    a = reviews(eng).analytics()
    assert a["pipeline"] == "reviews" and a["items"] == 10
    s = a["stages"]["sentiment"]
    assert {k: v["count"] for k, v in s["labels"].items()} == {"pos": 6, "neg": 4}
    assert sum(s["histogram"]["counts"]) == 10
    assert sum(sum(p["counts"].values()) for p in s["per_minute"]) == 10
    routes = {(r["from"], r["to"]): r["count"] for r in a["routes"]}
    assert routes == {("sentiment", "happy"): 6, ("sentiment", "contact"): 4,
                      ("contact", "unhappy"): 4}
    assert a["fields"]["email"]["extracted"] == 2
    assert [u["id"] for u in a["urgent"]] == ["r8", "r6", "r4"]
    assert len(a["needs_review"]) == 3
    confidences = [e["confidence"] for e in a["needs_review"]]
    assert confidences == sorted(confidences)


def test_analytics_frame_gives_dataframes(eng):
    pd = pytest.importorskip("pandas")
    p = reviews(eng)
    p.feedback("r0", "neg")
    frames = p.analytics_frame()
    labels = frames["labels"].set_index("label")["count"].to_dict()
    assert labels == {"pos": 6, "neg": 4}
    assert frames["per_minute"]["count"].sum() == 10
    assert pd.api.types.is_datetime64_any_dtype(frames["per_minute"]["t"])
    assert frames["histogram"]["count"].sum() == 10
    assert len(frames["routes"]) == 3
    assert list(frames["urgent"]["id"]) == ["r8", "r6", "r4"]
    assert frames["feedback"]["n"].tolist() == [1]
    assert frames["feedback"]["accuracy"].tolist() == [0.0]


def test_feedback_scores_the_version_that_answered_and_replaces_per_id(eng):
    p = reviews(eng)
    version = str(p.result("r3")["predictions"]["sentiment"]["version"])
    p.feedback("r3", "pos")
    p.feedback("r4", "pos")  # it answered neg
    v = p.analytics()["feedback"]["versions"]["sentiment"][version]
    assert v["n"] == 2 and v["accuracy"] == 0.5
    assert v["labels"] == ["neg", "pos"] and v["confusion"] == [[0, 0], [1, 1]]
    p.feedback("r4", "neg")  # replaces the first
    f = p.analytics()["feedback"]
    assert f["total"] == 2 and f["correct"] == 2
    assert f["versions"]["sentiment"][version]["macro_f1"] == 1.0


def test_answered_items_leave_the_review_list(eng):
    p = reviews(eng)
    first = p.analytics()["needs_review"][0]["id"]
    p.feedback(first, "pos")
    assert first not in [e["id"] for e in p.analytics()["needs_review"]]


def test_retrain_trains_each_model_once_on_its_feedback(eng):
    p = reviews(eng)
    model = eng.model("sentiment")
    before = model.version
    p.feedback("r0", "neg")
    p.feedback("r1", "neg")
    assert model.version == before
    assert p.retrain() == 2
    assert model.version == before + 1
    assert p.retrain() == 0


def test_online_feedback_trains_at_once(eng):
    spec = dict(REVIEWS, analytics=dict(REVIEWS["analytics"], feedback={"train": "online"}))
    p = reviews(eng, spec)
    model = eng.model("sentiment")
    before = model.version
    p.feedback("r9", "neg")
    assert model.version == before + 1


def test_bad_feedback_raises_and_changes_nothing(eng):
    p = reviews(eng)
    before = p.analytics()
    with pytest.raises(cf.NotFoundError):
        p.feedback("nope", "pos")
    with pytest.raises(cf.InvalidArgumentError):
        p.feedback("r0", "")
    with pytest.raises(cf.InvalidArgumentError, match="did not classify"):
        p.feedback("r0", "pos", stage="contact")
    with pytest.raises(TypeError):
        p.feedback("r0", 7)
    assert p.analytics() == before


def test_alert_line_when_recent_accuracy_drops(eng):
    p = reviews(eng)
    assert "feedback_alert" not in p.metrics_text()
    for id in ["r0", "r1", "r3", "r5"]:
        p.feedback(id, "neg")
    text = p.metrics_text()
    assert 'classiflow_pipeline_feedback_alert{pipeline="reviews"' in text
    assert 'classiflow_pipeline_label_total{pipeline="reviews",stage="sentiment",label="pos"} 6' \
        in text
    assert p.analytics()["feedback"]["recent"]["alert"] is True


def test_reset_and_recount(eng):
    p = reviews(eng)
    p.reset_analytics()
    assert p.analytics()["items"] == 0
    p.submit("bad awful", id="late")
    p.flush()
    live = p.analytics()
    assert live["items"] == 1
    p.recount()
    assert p.analytics() == live


def test_analytics_off(eng):
    p = eng.pipeline("quiet", {"stages": [{"name": "s", "classify": "sentiment", "next": "o"},
                                          {"name": "o", "sink": {}}], "analytics": False})
    with pytest.raises(cf.NotSupportedError):
        p.analytics()


@pytest.mark.parametrize("backend", ["rocksdb", "sqlite"])
def test_the_same_after_a_reopen(tmp_path, backend):
    uri = engine_uri(tmp_path, backend)
    with cf.Engine(uri) as writer:
        train(writer)
        p = reviews(writer)
        p.feedback("r2", "pos")
        before = p.analytics()
    with cf.Engine(uri) as again:
        p = again.pipeline("reviews")
        assert p.analytics() == before
        p.recount()
        assert p.analytics() == before
