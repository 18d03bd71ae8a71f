"""Errors: the code -> class mapping, and bad input that must be refused and change nothing."""

import os
import subprocess
import sys

import pytest

import classiflow as cf
from classiflow import _classiflow
from conftest import LABELS, make_docs, refused

# (Status code value, code name, Python class, the builtin or parent it must also be)
MAPPING = [
    (1, "InvalidArgument", cf.InvalidArgumentError, ValueError),
    (2, "NotFound", cf.NotFoundError, KeyError),
    (3, "AlreadyExists", cf.AlreadyExistsError, ValueError),
    (4, "Corruption", cf.CorruptionError, cf.Error),
    (5, "IOError", cf.StorageError, OSError),
    (6, "Busy", cf.BusyError, cf.UnavailableError),
    (7, "Unavailable", cf.UnavailableError, cf.Error),
    (8, "Internal", cf.InternalError, RuntimeError),
    (9, "NotSupported", cf.NotSupportedError, NotImplementedError),
]


@pytest.mark.parametrize("value, code, error, parent", MAPPING)
def test_status_maps_to_exception(value, code, error, parent):
    with pytest.raises(error) as info:
        _classiflow._raise_status(value, "model 'x' is broken: ü")
    assert type(info.value) is error
    assert isinstance(info.value, cf.Error) and isinstance(info.value, parent)
    assert info.value.code == code
    assert str(info.value) == "model 'x' is broken: ü"  # unquoted, even for KeyError


def test_raise_status_refuses_ok():
    with pytest.raises(ValueError):
        _classiflow._raise_status(0, "fine")


# --- names, options, labels ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "has space", ".hidden", "a/b", "x" * 129, "naïve", "a\x00b"])
def test_invalid_model_name(engine, name):
    engine.create_model("existing")
    with refused(cf.InvalidArgumentError, engine=engine):
        engine.create_model(name)


@pytest.mark.parametrize("options, fragment", [
    ({"colour": "red"}, "colour"),
    ({"ngrams": "2"}, "ngrams"),
    ({"ngrams": 9}, "ngrams"),
    ({"hash_bits": 5}, "hash_bits"),
    ({"alpha": 0}, "alpha"),
    ({"min_confidence": 2}, "min_confidence"),
    ({"kind": "svm"}, "svm"),
    ({"stemmer": "klingon"}, "klingon"),
    ({"labels": ["a", "a"]}, "duplicate"),
    ({"labels": ["ok", ""]}, "label"),
])
def test_bad_options(engine, options, fragment):
    with refused(cf.InvalidArgumentError, engine=engine, match=fragment):
        engine.create_model("m", **options)


def test_labels_must_be_a_list(engine):
    with refused(TypeError, engine=engine):
        engine.create_model("m", labels="ham")


def test_unknown_model(engine):
    engine.create_model("known")
    with refused(cf.NotFoundError, engine=engine, match="nope") as info:
        engine.model("nope")
    assert not str(info.value).startswith(("'", '"'))  # KeyError would quote the message
    with refused(cf.NotFoundError, engine=engine):
        engine.drop_model("nope")
    with pytest.raises(KeyError):  # the builtin a dict user would catch
        engine.model("nope")


def test_create_existing_model(spam, engine):
    with refused(cf.AlreadyExistsError, engine=engine, model=spam, match="spam"):
        engine.create_model("spam", labels=["other"])
    assert spam.options["labels"] == LABELS


def test_unknown_label_when_labels_are_fixed(spam):
    with refused(cf.InvalidArgumentError, model=spam, match="eggs"):
        spam.train("eggs", "green eggs")
    with refused(cf.InvalidArgumentError, model=spam):  # all or nothing
        spam.train_batch(["cheap pills", "green eggs"], ["spam", "eggs"])
    with refused(cf.InvalidArgumentError, model=spam):
        spam.untrain("eggs", "green eggs")


def test_untrain_never_trained(spam):
    with refused(cf.InvalidArgumentError, model=spam):
        spam.untrain("ham", "casino casino casino casino")


def test_train_batch_length_mismatch(spam):
    with refused(cf.InvalidArgumentError, model=spam, match="3 texts but 2 labels"):
        spam.train_batch(["a b", "c d", "e f"], ["spam", "ham"])


def test_model_without_labels_cannot_classify(engine):
    m = engine.create_model("blank")
    with refused(cf.InvalidArgumentError, model=m, match="no labels"):
        m.classify("anything")
    with refused(cf.InvalidArgumentError, model=m):
        m.predict_proba(["anything"])


# --- texts ----------------------------------------------------------------------------------


def test_empty_text(spam):
    with refused(cf.InvalidArgumentError, model=spam, match="empty"):
        spam.train("spam", "")
    with refused(cf.InvalidArgumentError, model=spam, match=r"texts\[1\]"):
        spam.train_batch(["cheap", ""], ["spam", "spam"])
    assert spam.classify("") in LABELS  # classification of "" is the prior, not an error


def test_huge_text(engine, spam):
    huge = "cheap pills " * (10 * 1024 * 1024 // 12 + 1)  # just over 10 MB
    with refused(cf.InvalidArgumentError, model=spam, match="max_text_bytes|long"):
        spam.train("spam", huge)
    for call in (lambda: spam.classify(huge), lambda: spam.classify_batch(["ok", huge]),
                 lambda: spam.predict_proba([huge]), lambda: spam.train_batch([huge], ["spam"])):
        with refused(cf.InvalidArgumentError, model=spam):
            call()
    roomy = engine.create_model("roomy", labels=LABELS, max_text_bytes=20_000_000)
    roomy.train("spam", huge)
    roomy.train("ham", "team lunch")
    assert roomy.version == 2 and roomy.classify(huge) == "spam"


def test_nul_bytes_separate_words(spam):
    expected = spam.scores("cheap pills")
    assert spam.scores("cheap\x00pills") == pytest.approx(expected)
    assert spam.scores(b"cheap\x00pills") == pytest.approx(expected)
    assert spam.classify("cheap\x00pills") == spam.classify("cheap pills") == "spam"


def test_text_with_lone_surrogate(spam):
    with refused(cf.InvalidArgumentError, model=spam, match="surrogate"):
        spam.train("spam", "cheap \udcff pills")
    with refused(cf.InvalidArgumentError, model=spam, match=r"texts\[1\]"):
        spam.classify_batch(["ok", "\ud800"])


@pytest.mark.parametrize("call, fragment", [
    (lambda m: m.classify(42), "text must be str or bytes, not int"),
    (lambda m: m.train(b"spam", "x"), "label must be str"),
    (lambda m: m.train_batch("cheap pills", ["spam"]), "not a single str"),
    (lambda m: m.train_batch(["x"], 5), "iterable"),
    (lambda m: m.classify_batch(["ok", None]), r"texts\[1\]"),
])
def test_wrong_argument_types(spam, call, fragment):
    with refused(TypeError, model=spam, match=fragment):
        call(spam)


@pytest.mark.parametrize("kwargs", [{"k": 0}, {"min_confidence": -0.1},
                                    {"min_confidence": 1.5}, {"min_confidence": float("nan")}])
def test_bad_classify_arguments(spam, kwargs):
    with refused(cf.InvalidArgumentError, model=spam):
        spam.classify("cheap", **kwargs)


def test_set_threads_negative():
    with refused(cf.InvalidArgumentError, match=">= 0"):
        cf.set_threads(-1)


# --- model files ------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["flip-header", "flip-middle", "flip-last", "truncate-half",
                                    "truncate-to-header", "empty"])
def test_corrupt_model_file(spam, engine, tmp_path, damage):
    good = tmp_path / "good.cfm"
    spam.save(good)
    data = bytearray(good.read_bytes())
    if damage.startswith("flip"):
        at = {"flip-header": 0, "flip-middle": len(data) // 2, "flip-last": len(data) - 1}[damage]
        data[at] ^= 0x5A
    else:
        data = data[:{"truncate-half": len(data) // 2, "truncate-to-header": 8, "empty": 0}[damage]]
    bad = tmp_path / "bad.cfm"
    bad.write_bytes(bytes(data))
    with refused(cf.CorruptionError, engine=engine, model=spam):
        cf.Model.load(bad)
    assert cf.Model.load(good).version == spam.version  # the intact file still loads


def test_missing_model_file(tmp_path):
    with refused(cf.NotFoundError, match="absent"):
        cf.Model.load(tmp_path / "absent.cfm")


def test_save_to_unwritable_place(spam, tmp_path):
    (tmp_path / "file").write_text("a regular file, not a directory")
    with refused(cf.StorageError, model=spam):
        spam.save(tmp_path / "file" / "model.cfm")


# A path the OS would cut short at the NUL (writing or reading another file), or no path at all.
BAD_PATHS = ["", b"", "model\x00.cfm", b"model\x00.cfm", "dir\x00/../model.cfm", "\x00"]


@pytest.mark.parametrize("path", BAD_PATHS, ids=repr)
def test_save_refuses_empty_and_nul_paths(spam, tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    with refused(cf.InvalidArgumentError, model=spam,
                 match="NUL" if path not in ("", b"") else "empty"):
        spam.save(path)
    assert os.listdir(tmp_path) == []  # not "model", not "dir", not a temporary file


@pytest.mark.parametrize("path", BAD_PATHS, ids=repr)
def test_load_refuses_empty_and_nul_paths(spam, tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    spam.save("model")  # what a truncated "model\0.cfm" would name
    with refused(cf.InvalidArgumentError):
        cf.Model.load(path)
    with pytest.raises(ValueError):  # the builtin, too
        cf.Model.load(path)


# --- data directories ---------------------------------------------------------------------------

HOLDER = """
import sys, classiflow as cf
engine = cf.Engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()  # hold the directory until the test lets go
engine.close()
"""


def test_directory_held_by_another_process(tmp_path):
    db = tmp_path / "db"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=tmp_path, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with refused(cf.BusyError) as info:
            cf.Engine(db)
        assert str(db) in str(info.value) and "in use" in str(info.value)
        assert isinstance(info.value, cf.UnavailableError)
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    cf.Engine(db).close()  # free again once the holder closed


def test_directory_held_by_this_process(tmp_path):
    with cf.Engine(tmp_path / "db") as first:
        first.create_model("m")
        with refused(cf.BusyError, engine=first):
            cf.Engine(tmp_path / "db")


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_unwritable_directory(tmp_path, where):
    if where == "under-a-file":
        (tmp_path / "file").write_text("a regular file, not a directory")
        path = tmp_path / "file" / "db"
    else:
        path = "/proc/classiflow-test"  # root cannot create directories in /proc either
        if os.path.exists(path):
            pytest.skip("/proc/classiflow-test exists")
    with refused(cf.StorageError) as info:
        cf.Engine(path)
    assert str(path) in str(info.value)


# --- closed engines and dropped models ------------------------------------------------------------

# Every method and property of a model: after close or drop each raises, as C's calls return
# CF_UNAVAILABLE / CF_NOT_FOUND; none answers from what the handle still holds in memory.
MODEL_CALLS = {
    "name": lambda m: m.name,
    "kind": lambda m: m.kind,
    "version": lambda m: m.version,
    "labels": lambda m: m.labels,
    "options": lambda m: m.options,
    "train": lambda m: m.train("spam", "cheap"),
    "train_batch": lambda m: m.train_batch(["cheap"], ["spam"]),
    "train_batch:empty": lambda m: m.train_batch([], []),
    "fit": lambda m: m.fit(["cheap"], ["spam"]),
    "to_bytes": lambda m: m.to_bytes(),
    "explain": lambda m: m.explain("cheap"),
    "top_features": lambda m: m.top_features("spam", 3, ["cheap"]),
    "untrain": lambda m: m.untrain("spam", "cheap"),
    "classify": lambda m: m.classify("cheap"),
    "classify:k=2": lambda m: m.classify("cheap", k=2),
    "classify_batch": lambda m: m.classify_batch(["cheap"]),
    "classify_batch:empty": lambda m: m.classify_batch([]),
    "predict": lambda m: m.predict("cheap"),
    "scores": lambda m: m.scores("cheap"),
    "predict_proba": lambda m: m.predict_proba(["cheap"]),
    "save": lambda m: m.save("refused.cfm"),
    "evaluate": lambda m: m.evaluate(["cheap"], ["spam"]),
    "cross_validate": lambda m: m.cross_validate(["cheap", "pills"], ["spam", "spam"], k=2),
    "add_item": lambda m: m.add_item("cheap"),
    "add_items": lambda m: m.add_items(["cheap"]),
    "remove_item": lambda m: m.remove_item("1"),
    "remove_items": lambda m: m.remove_items(["1"]),
    "build_index": lambda m: m.build_index(),
    "search": lambda m: m.search("cheap"),
    "find_related": lambda m: m.find_related("cheap"),
    "index_status": lambda m: m.index_status(),
    "wait_for_rebuild": lambda m: m.wait_for_rebuild(),
    "multilabel": lambda m: m.multilabel,
    "thresholds": lambda m: m.thresholds(),
    "set_thresholds": lambda m: m.set_thresholds({"spam": 0.4}),
    "tune_thresholds": lambda m: m.tune_thresholds(["cheap"], [["spam"]]),
    "train:set": lambda m: m.train(["spam"], "cheap"),
}


def test_model_calls_cover_the_public_api():
    # load and from_bytes make a new model: no model of a closed engine is involved.
    public = {name for name in dir(cf.Model) if not name.startswith("_")} - {"load", "from_bytes"}
    assert public <= {key.split(":")[0] for key in MODEL_CALLS}


@pytest.mark.parametrize("call", MODEL_CALLS.values(), ids=MODEL_CALLS.keys())
def test_model_of_closed_engine(tmp_path, monkeypatch, call):
    monkeypatch.chdir(tmp_path)
    engine = cf.Engine(tmp_path / "db")
    model = engine.create_model("spam", labels=LABELS)
    model.train_batch(*make_docs(10))
    engine.close()
    with refused(cf.UnavailableError, match="closed"):
        call(model)
    assert not os.path.exists("refused.cfm")
    assert "closed" in repr(model)  # repr() itself never raises


@pytest.mark.parametrize("call", [
    lambda e: e.models(), lambda e: e.model("spam"), lambda e: e.create_model("new"),
    lambda e: e.drop_model("spam")])
def test_closed_engine(call):
    engine = cf.Engine()
    engine.create_model("spam")
    engine.close()
    with refused(cf.UnavailableError, match="closed"):
        call(engine)


@pytest.mark.parametrize("call", MODEL_CALLS.values(), ids=MODEL_CALLS.keys())
def test_dropped_model_handle(engine, tmp_path, monkeypatch, call):
    monkeypatch.chdir(tmp_path)
    model = engine.create_model("spam", labels=LABELS)
    model.train_batch(*make_docs(10))
    engine.drop_model("spam")
    engine.create_model("spam", labels=LABELS)  # a new model under the old name ...
    with refused(cf.NotFoundError, engine=engine, match="dropped"):
        call(model)
    assert engine.model("spam").version == 0  # ... that the old handle cannot touch
    assert not os.path.exists("refused.cfm")
    assert "dropped" in repr(model)
