"""classiflow.Pipeline: submitting, results, callbacks on the pipeline's threads (with the GIL
taken only while they run), retries and dead letters, bad input, and reopen."""

import gc
import subprocess
import sys
import threading
import time

import pytest

import classiflow as cf

SENTIMENT = {
    "stages": [
        {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "happy", "*": "unhappy"}},
        {"name": "happy", "sink": {}},
        {"name": "unhappy", "sink": {"ttl_s": 3600}},
    ]
}


def enrich_spec(callback="crm", max_attempts=3, **settings):
    spec = {
        "stages": [
            {"name": "s", "classify": "sentiment", "next": "lookup"},
            {"name": "lookup", "enrich": callback, "next": "out"},
            {"name": "out", "sink": {}},
        ],
        "max_attempts": max_attempts,
        "retry": {"initial_ms": 1, "max_ms": 5},
    }
    spec.update(settings)
    return spec


def train(eng):
    model = eng.create_model("sentiment", labels=["pos", "neg"])
    model.train_batch(["good great fine", "great good nice", "bad awful poor", "awful bad"] * 10,
                      ["pos", "pos", "neg", "neg"] * 10)


def eventually(condition, seconds=5.0):
    """Polls `condition`. flush() should return only after the result callbacks ran, but the
    pipeline retires a commit's items before it hands the commit to its delivery thread, so the
    callbacks of the last commit may still be running when flush() returns."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    return condition()


@pytest.fixture
def eng():
    with cf.Engine(threads=2) as engine:
        train(engine)
        yield engine


@pytest.fixture
def reviews(eng):
    return eng.pipeline("reviews", SENTIMENT)


# ---- lifetime --------------------------------------------------------------------------------


def test_pipeline_is_created_found_and_dropped(eng):
    p = eng.pipeline("reviews", SENTIMENT)
    assert isinstance(p, cf.Pipeline) and p.name == "reviews"
    assert repr(p) == "<classiflow.Pipeline 'reviews'>"
    assert p.spec["stages"][0]["classify"] == "sentiment"
    assert eng.pipeline("reviews").name == "reviews"
    assert eng.pipeline("reviews", SENTIMENT).spec == p.spec  # the same spec: the running one
    with pytest.raises(cf.AlreadyExistsError):
        eng.pipeline("reviews", {"stages": [{"name": "o", "sink": {}}]})
    eng.pipeline("json", '{"stages": [{"name": "o", "sink": {}}]}')  # JSON text works too
    assert eng.pipelines() == ["json", "reviews"]
    eng.drop_pipeline("json")
    assert eng.pipelines() == ["reviews"]
    with pytest.raises(KeyError):
        eng.pipeline("json")
    with pytest.raises(cf.NotFoundError):
        eng.drop_pipeline("json")
    p.submit("good")
    eng.drop_pipeline("reviews")
    with pytest.raises(cf.UnavailableError):
        p.submit("good")
    with pytest.raises(TypeError):
        cf.Pipeline()


def test_bad_specs_name_the_stage_and_field(eng):
    with pytest.raises(cf.InvalidArgumentError, match=r"stage 's'.*classify.*unknown model"):
        eng.pipeline("x", {"stages": [{"name": "s", "classify": "nope"},
                                      {"name": "o", "sink": {}}]})
    with pytest.raises(ValueError, match=r"stage 's'.*next.*nowhere"):
        eng.pipeline("x", {"stages": [{"name": "s", "classify": "sentiment", "next": "nowhere"}]})
    with pytest.raises(ValueError, match="min_confidence"):
        eng.pipeline("x", {"stages": [{"name": "s", "classify": "sentiment", "min_confidence": 2,
                                       "fallback": "o"}, {"name": "o", "sink": {}}]})
    with pytest.raises(ValueError, match="pipeline spec"):
        eng.pipeline("x", {"stages": [{"name": "o", "sink": {"ttl_s": float("nan")}}]})
    with pytest.raises(ValueError):
        eng.pipeline("x", "{not json")
    with pytest.raises(ValueError):
        eng.pipeline("bad name!", SENTIMENT)
    with pytest.raises(TypeError):
        eng.pipeline("x", ["stages"])
    with pytest.raises(ValueError, match="needs a 'name'"):
        eng.pipeline("x", {"stages": [{"enrich": lambda item: {}, "next": "o"}]})
    assert eng.pipelines() == []


def test_read_only_engines_have_no_pipelines(tmp_path):
    with cf.Engine(tmp_path / "db") as writer:
        train(writer)
        with cf.Engine(tmp_path / "db", mode="read") as reader:
            with pytest.raises(cf.NotSupportedError):
                reader.pipeline("x", SENTIMENT)


# ---- submitting and results ------------------------------------------------------------------


def test_submit_classifies_routes_and_stores(reviews):
    assert reviews.submit("a good great day", id="r1", meta={"user": 7}) == "r1"
    r = reviews.result("r1")  # durable when submit returned
    assert r["id"] == "r1" and r["route"] == ["sentiment", "happy"]
    assert r["predictions"]["sentiment"]["label"] == "pos"
    assert r["predictions"]["sentiment"]["model"] == "sentiment"
    assert r["meta"] == {"user": 7} and r["attempts"] == 1 and r["expires_at"] is None
    generated = reviews.submit(b"bad awful")  # bytes are UTF-8 text
    assert generated and reviews.result(generated)["route"][-1] == "unhappy"
    assert reviews.result(generated)["expires_at"] > reviews.result(generated)["done_at"]
    assert reviews.submit("awful", id="r1") == "r1"  # a duplicate: no second result
    assert reviews.result("r1")["route"][-1] == "happy"
    with pytest.raises(KeyError):
        reviews.result("nope")
    assert reviews.stats()["duplicates"] == 1


@pytest.mark.parametrize("kind", ["bayes", "linear", "lsi"])
def test_every_kind_classifies_in_a_pipeline(kind):
    with cf.Engine(threads=2) as engine:
        model = engine.create_model("mood", kind=kind, labels=["pos", "neg"])
        model.fit(["good great fine", "great good nice", "bad awful poor", "awful bad"] * 10,
                  ["pos", "pos", "neg", "neg"] * 10)
        spec = {"stages": [
            {"name": "mood", "classify": "mood", "routes": {"pos": "happy", "*": "unhappy"}},
            {"name": "happy", "sink": {}}, {"name": "unhappy", "sink": {}}]}
        p = engine.pipeline("by-" + kind, spec)
        p.submit("a good great day", id="a")
        p.submit("bad and awful", id="b")
        assert p.result("a")["route"] == ["mood", "happy"]
        assert p.result("b")["route"] == ["mood", "unhappy"]
        assert p.result("a")["predictions"]["mood"]["version"] == model.version


def test_bad_input_is_refused_and_changes_nothing(reviews):
    for text in ["", b"", b"\xff\xfe"]:
        with pytest.raises(ValueError):
            reviews.submit(text)
    with pytest.raises(cf.InvalidArgumentError, match="larger than"):
        reviews.submit("x" * (2 << 20))
    with pytest.raises(TypeError, match="meta must be a dict"):
        reviews.submit("good", meta="[1]")
    with pytest.raises(ValueError, match="meta"):
        reviews.submit("good", meta={"x": float("nan")})
    with pytest.raises(TypeError, match="meta"):
        reviews.submit("good", meta={"x": object()})
    with pytest.raises(TypeError, match="id must be"):
        reviews.submit("good", id=7)
    with pytest.raises(ValueError, match="control character"):
        reviews.submit("good", id="a\nb")
    with pytest.raises(TypeError):
        reviews.submit(None)
    with pytest.raises(ValueError, match=r"items\[1\]: text is empty"):
        reviews.submit_many([("a", "good"), ""])
    with pytest.raises(TypeError, match=r"items\[1\]"):
        reviews.submit_many(["good", 5])
    with pytest.raises(TypeError, match="single str"):
        reviews.submit_many("good")
    with pytest.raises(ValueError, match=r"items\[0\]: no 'text'"):
        reviews.submit_many([{"id": "x"}])
    with pytest.raises(ValueError, match="unknown key 'txt'"):
        reviews.submit_many([{"txt": "good"}])
    with pytest.raises(TypeError, match="pair"):
        reviews.submit_many([("a", "b", "c")])
    with pytest.raises(KeyError):
        reviews.result("a")
    assert reviews.stats()["submitted"] == 0


def test_submit_many_strings_pairs_and_dicts(reviews):
    ids = reviews.submit_many(f"good {i}" if i % 2 else f"bad {i}" for i in range(10_000))
    assert len(ids) == 10_000 and len(set(ids)) == 10_000
    reviews.flush()
    assert reviews.stats()["completed"] == 10_000
    assert reviews.result(ids[1])["route"][-1] == "happy"
    mixed = reviews.submit_many([
        "good",
        ("p1", "bad awful"),
        {"id": "d1", "text": "great", "meta": {"sku": "A-1", "n": [1, 2]}},
        {"text": b"awful"},
    ])
    assert mixed[1:3] == ["p1", "d1"] and mixed[0] and mixed[3]
    assert reviews.result("d1")["meta"] == {"sku": "A-1", "n": [1, 2]}
    assert reviews.result("p1")["route"][-1] == "unhappy"
    assert reviews.submit_many([]) == []


def test_results_are_newest_first(reviews):
    for i in range(5):
        reviews.submit("good", id=f"n{i}")
    assert [r["id"] for r in reviews.results(newest=3)] == ["n4", "n3", "n2"]
    assert len(reviews.results()) == 5
    assert reviews.results(0) == []
    with pytest.raises(ValueError):
        reviews.results(-1)


def test_try_submit_refuses_when_full(eng):
    p = eng.pipeline("slow", {"stages": [{"name": "e", "enrich": "slow", "next": "out"},
                                         {"name": "out", "sink": {}}], "max_in_flight": 4})
    for _ in range(4):
        p.try_submit("x")
    with pytest.raises(cf.BusyError, match="full"):
        p.try_submit("x", id="fifth")
    with pytest.raises(cf.UnavailableError, match="not registered"):
        p.flush(timeout=0.05)
    with pytest.raises(ValueError):
        p.flush(timeout=-1)
    p.register_callback("slow", lambda item: None)
    p.flush(timeout=10)
    assert p.try_submit("x", id="sixth") == "sixth"
    p.flush()
    assert p.result("sixth")["route"] == ["e", "out"]


def test_stats_and_metrics_name_the_pipeline(reviews):
    reviews.submit_many(["good"] * 100)
    reviews.flush()
    stats = reviews.stats()
    assert stats["pipeline"] == "reviews" and stats["completed"] == 100
    assert [s["name"] for s in stats["stages"]] == ["sentiment", "happy", "unhappy"]
    text = reviews.metrics_text()
    assert 'classiflow_pipeline_completed_total{pipeline="reviews"} 100' in text
    assert 'stage="sentiment"' in text


# ---- callbacks -------------------------------------------------------------------------------


def test_callables_in_the_spec_enrich_and_validate(eng):
    def lookup(item):
        assert item["predictions"]["topic"]["label"] == "pos" and item["attempt"] == 1
        assert item["meta"] == {"shop": 3} and "sku" in item["fields"]
        return {"customer": item["id"] + "-cust", "score": [1, 2.5], "none": None}

    spec = {"stages": [
        {"name": "topic", "classify": "sentiment", "next": "ids"},
        {"name": "ids", "extract": [{"sku": r"SKU-(\d+)"}], "next": "lookup"},
        {"name": "lookup", "enrich": lookup, "next": "check"},
        {"name": "check",
         "validate": [{"field": "sku", "callback": lambda item, v: int(v) % 2 == 0}],
         "on_valid": "out", "on_invalid": "review", "on_absent": "out"},
        {"name": "review", "sink": {}}, {"name": "out", "sink": {}}]}
    p = eng.pipeline("shop", spec)
    assert p.spec["stages"][2]["enrich"] == "lookup"
    assert p.spec["stages"][3]["validate"][0]["callback"] == "check.sku"
    p.submit("good SKU-42", id="even", meta={"shop": 3})
    p.submit("good SKU-43", id="odd", meta={"shop": 3})
    p.flush(timeout=10)
    even = p.result("even")
    assert even["fields"] == {"sku": "42", "customer": "even-cust", "score": [1, 2.5], "none": None}
    assert even["valid"] == {"sku": True} and even["route"][-1] == "out"
    assert p.result("odd")["route"][-1] == "review"
    # The same spec again returns the running pipeline and registers the callables again.
    assert eng.pipeline("shop", spec).name == "shop"


def test_register_callback_checks_name_and_callable(eng):
    p = eng.pipeline("e", enrich_spec())
    with pytest.raises(cf.InvalidArgumentError, match="no enrich stage or validate check"):
        p.register_callback("nope", lambda item: {})
    with pytest.raises(TypeError, match="callable"):
        p.register_callback("crm", "not a function")
    with pytest.raises(TypeError):
        p.on_result(None)
    with pytest.raises(ValueError):
        p.on_results(lambda rs: None, max_items=0)
    with pytest.raises(ValueError):
        p.on_results(lambda rs: None, max_delay_ms=-1)


def test_raising_enrich_is_retried_then_dead_lettered_then_requeued(eng):
    p = eng.pipeline("flaky", enrich_spec(max_attempts=3))
    healthy = threading.Event()
    attempts = []
    dead = []

    def crm(item):
        attempts.append(item["attempt"])
        if not healthy.is_set():
            raise ValueError("crm is down")
        return {"ok": True}

    p.register_callback("crm", crm)
    p.on_dead_letter(dead.append)
    p.submit("good", id="d1", meta={"k": 1})
    p.flush(timeout=10)
    assert attempts == [1, 2, 3]
    with pytest.raises(KeyError):
        p.result("d1")
    [letter] = p.dead_letters()
    assert letter["id"] == "d1" and letter["stage"] == "lookup" and letter["attempts"] == 3
    assert "ValueError: crm is down" in letter["error"] and letter["meta"] == {"k": 1}
    assert eventually(lambda: len(dead) == 1) and dead[0]["id"] == "d1"
    stats = p.stats()
    assert stats["dead_letters"] == 1 and stats["retries"] == 2 and stats["callback_errors"] == 3
    with pytest.raises(KeyError):
        p.requeue("nope")
    healthy.set()
    p.requeue("d1")
    p.flush(timeout=10)
    assert p.result("d1")["fields"] == {"ok": True}
    assert p.dead_letters() == [] and p.dead_letters(limit=1) == []


def test_enrich_returning_bad_values_fails_the_attempt(eng):
    p = eng.pipeline("bad", enrich_spec(max_attempts=1))
    p.register_callback("crm", lambda item: {"x": float("nan")} if "nan" in item["text"] else 5)
    p.submit("good nan", id="nan")
    p.submit("good five", id="five")
    p.flush(timeout=10)
    errors = {d["id"]: d["error"] for d in p.dead_letters()}
    assert "ValueError" in errors["nan"]
    assert "TypeError" in errors["five"] and "dict of fields" in errors["five"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_result_callbacks_that_raise_do_not_stop_the_pipeline(reviews):
    seen, batches = [], []

    def broken(result):
        raise RuntimeError("callback bug")

    reviews.on_result(broken)
    reviews.on_result(lambda r: seen.append(r["id"]))
    reviews.on_results(lambda rs: batches.append([r["id"] for r in rs]), max_items=100,
                       max_delay_ms=5)
    ids = reviews.submit_many(["good", "bad"] * 500)
    reviews.flush()
    assert eventually(lambda: len(seen) == 1000) and sorted(seen) == sorted(ids)
    assert eventually(lambda: sum(map(len, batches)) == 1000)
    assert max(map(len, batches)) <= 100
    assert sorted(i for b in batches for i in b) == sorted(ids)
    assert eventually(lambda: reviews.stats()["callback_errors"] == 1000)
    reviews.submit("good", id="after")  # the pipeline goes on
    assert reviews.result("after")["route"][-1] == "happy"


def test_close_releases_the_gil_while_callbacks_run(tmp_path):
    path = tmp_path / "db"
    started = threading.Event()

    def slow(item):
        started.set()
        time.sleep(0.01)
        return {"slow": True}

    eng = cf.Engine(path, threads=2)
    train(eng)
    p = eng.pipeline("slow", enrich_spec())
    p.register_callback("crm", slow)
    ids = p.submit_many(["good"] * 50)
    assert started.wait(10)
    eng.close()  # callbacks still queued: they stay durable, and close must not deadlock
    with pytest.raises(cf.UnavailableError):
        p.submit("good")
    with cf.Engine(path, threads=2) as again:
        p = again.pipeline("slow")
        p.register_callback("crm", slow)
        p.flush(timeout=30)
        assert all(p.result(i)["fields"] == {"slow": True} for i in ids)


def test_an_engine_collected_without_close_does_not_deadlock(tmp_path):
    def run():
        eng = cf.Engine(tmp_path / "db", threads=2)
        train(eng)
        p = eng.pipeline("gc", enrich_spec())
        p.register_callback("crm", lambda item: time.sleep(0.005) or {"n": 1})
        p.on_result(lambda r: None)
        p.submit_many(["good"] * 20)

    run()
    gc.collect()  # the engine closes on collection, without the GIL
    with cf.Engine(tmp_path / "db") as eng:  # the directory lock was released
        assert eng.pipelines() == ["gc"]


EXIT_SCRIPT = """
import sys, time
import classiflow as cf
eng = cf.Engine(sys.argv[1], threads=2)
eng.create_model("sentiment").train_batch(["good great", "bad awful"] * 5, ["pos", "neg"] * 5)
p = eng.pipeline("exit", {"stages": [
    {"name": "s", "classify": "sentiment", "next": "slow"},
    {"name": "slow", "enrich": lambda item: time.sleep(0.002) or {"ok": 1}, "next": "out"},
    {"name": "out", "sink": {}}]})
p.on_result(lambda result: None)
p.submit_many(["good"] * 200)
print("exiting with callbacks running", flush=True)
"""


def test_interpreter_exit_with_callbacks_running(tmp_path):
    # The engine is left open: the atexit hook closes it while Python still runs callbacks.
    run = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, str(tmp_path / "db")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "exiting" in run.stdout
    with cf.Engine(tmp_path / "db") as eng:
        p = eng.pipeline("exit")
        p.register_callback("slow", lambda item: {"ok": 1})
        p.flush(timeout=30)
        assert len(p.results(1000)) == 200  # none lost, none twice


# ---- durability ------------------------------------------------------------------------------


def test_pipelines_results_and_waiting_items_survive_reopen(tmp_path):
    path = tmp_path / "db"
    with cf.Engine(path) as eng:
        train(eng)
        reviews = eng.pipeline("reviews", SENTIMENT)
        reviews.submit("good", id="kept", meta={"a": 1})
        waiting = eng.pipeline("waiting", enrich_spec())
        ids = waiting.submit_many(["good", "bad", "great"])
        with pytest.raises(cf.BusyError, match="not registered"):
            waiting.flush(timeout=0.02)
        assert waiting.stats()["queue_depth"] == 3
    with cf.Engine(path) as eng:
        assert eng.pipelines() == ["reviews", "waiting"]
        assert eng.pipeline("reviews").result("kept")["meta"] == {"a": 1}
        waiting = eng.pipeline("waiting")
        with pytest.raises(KeyError):
            waiting.result(ids[0])
        waiting.register_callback("crm", lambda item: {"attempt": item["attempt"]})
        waiting.flush(timeout=10)
        assert [waiting.result(i)["fields"] for i in ids] == [{"attempt": 1}] * 3
