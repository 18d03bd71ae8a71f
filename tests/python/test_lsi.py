"""kind="lsi" from Python: items with ids and labels, search and related items, fold-in,
removal, background rebuilds, classification, persistence through a durable engine, a file
and bytes, and clear errors."""

import threading

import pytest

import classiflow as cf
from conftest import make_docs, refused

TOPICS = [
    ("the cat sat on the mat with another cat", "pets", "cat1"),
    ("a cat and a kitten purr on the sofa", "pets", "cat2"),
    ("dogs and cats are friendly pets at home", "pets", "pet3"),
    ("the stock market fell as shares dropped", "finance", "fin1"),
    ("investors sold shares when the market dropped", "finance", "fin2"),
    ("bond yields and the stock market rose", "finance", "fin3"),
    ("the team won the football match on sunday", "sport", "sp1"),
    ("a late goal won the football match", "sport", "sp2"),
    ("the match ended after the team scored a goal", "sport", "sp3"),
]


def indexed(engine, name="lsi", **options):
    model = engine.create_model(name, kind="lsi", rebuild_after=0, **options)
    texts, labels, ids = zip(*TOPICS)
    assert model.add_items(texts, labels, ids) == list(ids)
    model.build_index()
    return model


def test_search_and_related_items_stay_in_topic(engine):
    model = indexed(engine)
    hits = model.search("shares on the stock market", n=3)
    assert [label for _, _, label in hits] == ["finance"] * 3
    assert all(0 < score <= 1.0 + 1e-6 for _, score, _ in hits)
    assert [s for _, s, _ in hits] == sorted((s for _, s, _ in hits), reverse=True)
    related = model.find_related("sp1", n=2)
    assert {label for _, _, label in related} == {"sport"}
    assert "sp1" not in [i for i, _, _ in related]
    # Not an id: the argument is a text.
    assert model.find_related("a goal in the football match", n=1)[0][2] == "sport"
    assert model.search("zyxxy qwv") == []


def test_classify_and_predict_proba_vote_by_neighbours(engine):
    model = indexed(engine, neighbors=3)
    assert model.classify("my kitten and my cat") == "pets"
    assert model.classify_batch(["a goal in the match", "the market fell"]) == ["sport", "finance"]
    proba = model.predict_proba(["a goal in the match"])
    assert proba.shape == (1, 3)
    assert proba.sum() == pytest.approx(1.0)
    explained = model.explain("the cat and the kitten", n=0)
    assert explained["label"] == "pets"
    total = explained["base"] + sum(f["weight"] for f in explained["features"])
    assert total == pytest.approx(explained["log_odds"], abs=1e-6)


def test_fold_in_removal_and_ids(engine):
    model = indexed(engine)
    version = model.version
    new_id = model.add_item("kitten and cat toys for pets", "pets")
    assert model.version == version + 1
    assert model.search("kitten and cat toys for pets", n=1)[0][0] == new_id
    unlabelled = model.add_item("a note without a label", id="note")
    assert unlabelled == "note"
    assert model.search("a note without a label", n=1)[0][2] is None
    status = model.index_status()
    assert (status["items"], status["indexed_items"], status["changes"]) == (11, 9, 2)
    assert status["rank"] > 0 and status["terms"] > 0 and status["rebuilding"] is False
    with refused(cf.AlreadyExistsError, match="note"):
        model.add_item("again", id="note")
    with refused(cf.NotFoundError, match="ghost"):
        model.remove_items(["fin1", "ghost"])
    assert "fin1" in [i for i, _, _ in model.search("stock market shares", n=9)]
    model.remove_item("fin1")
    assert "fin1" not in [i for i, _, _ in model.search("stock market shares", n=9)]
    with refused(cf.NotFoundError):
        model.remove_item("fin1")
    model.build_index()
    assert model.index_status()["changes"] == 0


def test_bad_items_are_refused_and_change_nothing(engine):
    model = indexed(engine)
    version = model.version
    with refused(cf.InvalidArgumentError):
        model.add_item("")
    with refused(cf.InvalidArgumentError):
        model.add_item("text", id="bad\nid")
    with refused(cf.InvalidArgumentError):
        model.add_item("text", id="")
    with refused(cf.InvalidArgumentError, match="labels"):
        model.add_items(["a", "b"], labels=["pets"])
    with pytest.raises(TypeError):
        model.add_items(["a"], labels="pets")
    with refused(cf.AlreadyExistsError):
        model.add_items(["a", "b"], ids=["same", "same"])
    with refused(cf.InvalidArgumentError):
        model.search("cat", n=0)
    with refused(cf.NotSupportedError):
        model.untrain("pets", "the cat sat on the mat with another cat")
    assert model.version == version
    with refused(cf.InvalidArgumentError, match="rank"):
        engine.create_model("bad", kind="lsi", rank=0)
    with refused(cf.InvalidArgumentError, match="belongs to kind 'lsi'"):
        engine.create_model("bad", kind="bayes", rank=10)


def test_other_kinds_have_no_items(engine):
    model = engine.create_model("b")
    for call in (lambda: model.add_item("x"), lambda: model.search("x"),
                 lambda: model.find_related("x"), model.build_index, model.index_status,
                 lambda: model.remove_item("1")):
        with refused(cf.NotSupportedError, match="no items"):
            call()


def test_the_first_index_comes_with_the_first_items_and_rebuilds_run_behind(engine):
    model = engine.create_model("auto", kind="lsi", rebuild_after=0.5)
    model.train("pets", "the cat sat on the mat")
    assert model.index_status()["rank"] > 0
    assert model.search("cat", n=3)[0][2] == "pets"
    errors = []

    def read():
        try:
            for _ in range(200):
                model.search("football match", n=3)
                model.classify("the cat")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    texts, labels = make_docs(300, seed=4)
    for text, label in zip(texts, labels):
        model.add_item(text, label)
    reader.join()
    assert errors == []
    model.wait_for_rebuild()
    status = model.index_status()
    assert status["items"] == 301
    assert status["indexed_items"] > 1  # background builds ran


def test_items_and_index_survive_reopen_save_and_bytes(tmp_path):
    with cf.Engine(tmp_path / "db") as engine:
        model = indexed(engine)
        model.add_item("a late cat, folded in", "pets", id="late")
        before = model.search("a cat on the mat", n=4)
        status = model.index_status()
        model.save(tmp_path / "lsi.cfm")
    with cf.Engine(tmp_path / "db") as engine:
        again = engine.model("lsi")
        assert again.index_status() == status
        assert again.search("a cat on the mat", n=4) == before
        assert again.find_related("late", n=2)
    loaded = cf.Model.load(tmp_path / "lsi.cfm")
    assert loaded.search("a cat on the mat", n=4) == before
    copy = cf.Model.from_bytes(loaded.to_bytes())
    assert copy.search("a cat on the mat", n=4) == before


def test_fit_adds_items_and_builds_one_index(engine):
    model = engine.create_model("fitted", kind="lsi", rebuild_after=0)
    texts, labels = make_docs(200, seed=2)
    model.fit(texts, labels)
    assert model.version == 1
    assert model.index_status()["indexed_items"] == 200
    assert model.evaluate(*make_docs(100, seed=9))["accuracy"] > 0.9
