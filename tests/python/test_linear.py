"""kind="linear" from Python: fit with epochs, threads and progress, online steps, persistence
through a durable engine and a file, options of its own, and clear errors."""

import pytest

import classiflow as cf
from conftest import LABELS, SPAM_WORDS, make_docs, probability_sum, refused


def test_fit_learns_and_commits_one_version(engine):
    model = engine.create_model("lin", kind="linear", hash_bits=14)
    texts, labels = make_docs(200, seed=2)
    model.fit(texts, labels, epochs=5)
    assert model.version == 1
    assert model.kind == "linear"
    assert set(model.labels) == set(LABELS)
    result = model.evaluate(*make_docs(100, seed=9))
    assert result["accuracy"] > 0.95
    label, confidence, scores, *_ = model._m.predict("cheap pills free money")
    assert label == "spam" and confidence > 0.8
    assert probability_sum(scores) == pytest.approx(1.0)
    proba = model.predict_proba(["cheap pills", "team meeting notes"])
    assert proba.shape == (2, 2)
    assert proba.sum(axis=1) == pytest.approx([1.0, 1.0])


def test_progress_reports_every_epoch_and_its_exception_is_raised_after(engine):
    model = engine.create_model("lin", kind="linear", hash_bits=14)
    texts, labels = make_docs(100)
    seen = []
    model.fit(texts, labels, epochs=4, progress=lambda *args: seen.append(args))
    assert [s[2] for s in seen] == [1, 2, 3, 4]
    assert seen[-1][:2] == (400, 400)
    assert seen[-1][3] < seen[0][3]  # the loss falls

    def broken(done, total, epoch, loss):
        raise RuntimeError("stop it")

    with pytest.raises(RuntimeError, match="stop it"):
        model.fit(texts, labels, progress=broken)
    model.fit(texts, labels, progress=False)  # no bar, no callback


def test_one_thread_repeats_for_a_seed(engine, tmp_path):
    texts, labels = make_docs(150, seed=4)
    paths = []
    for i, seed in enumerate([3, 3, 4]):
        model = engine.create_model(f"m{i}", kind="linear", hash_bits=12, seed=seed)
        model.fit(texts, labels, threads=1)
        paths.append(tmp_path / f"m{i}.cfm")
        model.save(paths[-1])
    sizes = [p.read_bytes() for p in paths]
    # Names differ inside the files; the scores tell.
    a, b, c = (cf.Model.load(p) for p in paths)
    probe = ["cheap pills", "team lunch", "offer notes"]
    assert a.predict_proba(probe).tolist() == b.predict_proba(probe).tolist()
    assert a.predict_proba(probe).tolist() != c.predict_proba(probe).tolist()
    assert len(sizes) == 3


def test_online_steps_and_a_label_added_at_runtime(any_engine):
    model = any_engine.create_model("lin", kind="linear", hash_bits=12)
    texts, labels = make_docs(40)
    for _ in range(3):
        for text, label in zip(texts, labels):
            model.train(label, text)
        model.train("sport", "football goal match")
    assert model.version == 3 * 41
    assert model.labels[-1] == "sport"
    with refused(cf.NotSupportedError, model=model):
        model.untrain("spam", texts[0])


@pytest.mark.parametrize("options", [{}, {"loss": "hinge", "optimizer": "dual"},
                                     {"loss": "hinge", "optimizer": "sgd"}])
def test_one_text_of_a_new_label_moves_only_the_texts_like_it(engine, options):
    model = engine.create_model("lin", kind="linear", hash_bits=14, **options)
    texts, labels = make_docs(200, seed=4)
    model.fit(texts, labels)
    probes = make_docs(40, seed=5)
    before = model.classify_batch(probes[0], min_confidence=0.0)
    model.train("sports", "football match tonight at the stadium")
    assert model.classify("football match tonight", min_confidence=0.0) == "sports"
    # Texts that share no word with it keep their labels.
    assert model.classify_batch(probes[0], min_confidence=0.0) == before


def test_a_durable_engine_reopens_the_same_model(tmp_path):
    texts, labels = make_docs(120)
    probe = ["cheap casino bonus", "project review agenda"]
    with cf.Engine(tmp_path / "db") as engine:
        model = engine.create_model("lin", kind="linear", hash_bits=12, quantize=True)
        model.fit(texts, labels)
        model.train("spam", "free prize")
        before = model.predict_proba(probe).tolist()
        version = model.version
    with cf.Engine(tmp_path / "db") as engine:
        model = engine.model("lin")
        assert model.version == version
        assert model.options["quantize"] is True
        assert model.predict_proba(probe).tolist() == before


def test_each_kind_has_its_own_options(engine):
    with refused(cf.InvalidArgumentError, engine=engine, match="belongs to kind 'bayes'"):
        engine.create_model("lin", kind="linear", alpha=0.5)
    with refused(cf.InvalidArgumentError, engine=engine, match="belongs to kind 'linear'"):
        engine.create_model("nb", learning_rate=0.5)
    for bad in ({"learning_rate": 0}, {"optimizer": "adam"}, {"epochs": 0}, {"l2": 2}):
        with refused(cf.InvalidArgumentError, engine=engine):
            engine.create_model("lin", kind="linear", **bad)
    model = engine.create_model("lin", kind="linear", epochs=7, optimizer="sgd")
    assert model.options["epochs"] == 7
    assert "alpha" not in model.options


def test_hinge_loss_fits_calibrated_probabilities(engine):
    model = engine.create_model("svm", kind="linear", loss="hinge", optimizer="dual",
                                l2=1e-4, hash_bits=14)
    texts, labels = make_docs(300, seed=4)
    model.fit(texts, labels, epochs=5)
    assert model.options["loss"] == "hinge"
    assert model.evaluate(*make_docs(100, seed=9))["accuracy"] > 0.95
    proba = model.predict_proba(["cheap pills free money", "team meeting notes"])
    assert proba.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert 0.5 < proba.max(axis=1).min() < 1.0  # a probability, not a hard 0 / 1 margin
    for bad in ({"loss": "squared"}, {"loss": "hinge", "multilabel": True},
                {"optimizer": "dual"}):
        with refused(cf.InvalidArgumentError, engine=engine):
            engine.create_model("bad", kind="linear", **bad)


def test_bad_fit_arguments_change_nothing(engine):
    model = engine.create_model("lin", kind="linear", hash_bits=12)
    texts, labels = make_docs(10)
    with refused(cf.InvalidArgumentError, model=model):
        model.fit(texts, labels, epochs=0)
    with refused(cf.InvalidArgumentError, model=model):
        model.fit(texts, labels, threads=-1)
    with refused(cf.InvalidArgumentError, model=model):
        model.fit(texts, labels[:-1])
    with refused(cf.InvalidArgumentError, model=model):
        model.fit(texts[:-1] + [""], labels)
    with pytest.raises(TypeError):
        model.fit("one text", labels)


def test_bayes_fit_is_train_batch(engine):
    a = engine.create_model("a", labels=LABELS)
    b = engine.create_model("b", labels=LABELS)
    texts, labels = make_docs(50)
    a.fit(texts, labels, epochs=3)
    b.train_batch(texts, labels)
    assert a.version == b.version == 1
    assert a.predict_proba(texts).tolist() == b.predict_proba(texts).tolist()


def test_progress_true_draws_a_tqdm_bar(engine, capsys):
    model = engine.create_model("lin", kind="linear", hash_bits=12)
    model.fit(*make_docs(50), epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "fit" in err and "100/100" in err


def test_to_bytes_round_trips_and_garbage_is_refused(engine):
    model = engine.create_model("lin", kind="linear", hash_bits=12)
    model.fit(*make_docs(60))
    data = model.to_bytes()
    copy = cf.Model.from_bytes(data)
    probe = ["cheap pills", "team lunch"]
    assert copy.predict_proba(probe).tolist() == model.predict_proba(probe).tolist()
    assert (copy.name, copy.kind, copy.version) == ("lin", "linear", 1)
    with pytest.raises(cf.CorruptionError):
        cf.Model.from_bytes(data[:-5])
    with pytest.raises(cf.CorruptionError):
        cf.Model.from_bytes(b"not a model")
    with pytest.raises(TypeError):
        cf.Model.from_bytes("text")


@pytest.mark.parametrize("kind", ["bayes", "linear"])
def test_explain_and_top_features(engine, kind):
    model = engine.create_model("m", kind=kind, hash_bits=14)
    texts, labels = make_docs(200, seed=12)
    model.fit(texts, labels)
    e = model.explain("cheap pills for the team meeting", n=0)
    assert e["label"] in LABELS and e["versus"] in LABELS and e["label"] != e["versus"]
    assert e["base"] + sum(f["weight"] for f in e["features"]) == pytest.approx(e["log_odds"],
                                                                                 abs=1e-4)
    assert {"ngram", "feature", "count", "weight"} <= set(e["features"][0])
    assert len(model.explain("cheap pills", n=2)["features"]) == 2
    top = model.top_features("spam", 3, texts)
    assert len(top) == 3 and all(t["ngram"].split()[0] in SPAM_WORDS for t in top)
    with refused(cf.NotFoundError, model=model):
        model.top_features("eggs", 3, texts)
    with refused(cf.InvalidArgumentError, model=model):
        model.explain("x", n=-1)
