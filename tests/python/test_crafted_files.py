"""Hostile model files and label sets from Python: crafted files with valid checksums are
CorruptionError (never a crash), and every entry refuses what the loader refuses."""

import json
import math
import os

import pytest

import classiflow as cf
from crafted import model_file, xxh64


def load(tmp_path, data: bytes) -> cf.Model:
    path = tmp_path / "crafted.cfm"
    path.write_bytes(data)
    return cf.Model.load(path)


def test_xxh64_matches_the_reference_vectors():
    assert xxh64(b"") == 0xEF46DB3751D8E999
    assert xxh64(b"a") == 0xD24EC4F1A98C6E5B
    assert xxh64(b"abc") == 0x44BC2CF5AD770999
    assert xxh64(b"Nobody inspects the spammish repetition") == 0xFBCEA83C8A378BF1


def test_a_well_crafted_file_loads(tmp_path):
    model = load(tmp_path, model_file([b"ham", b"spam"]))
    assert model.name == "crafted" and model.labels == ["ham", "spam"] and model.version == 1
    model.train("spam", "cheap pills")
    assert model.classify("cheap pills") == "spam"


@pytest.mark.parametrize(
    "what, labels",
    [
        ("more labels than the cap", [b"l%d" % i for i in range(65536)]),
        ("duplicate labels", [b"a", b"b", b"a"]),
        ("invalid UTF-8", [b"ok", b"\xff\xfe"]),
        ("a C0 control character", [b"a\x01b"]),
        ("a C1 control character (U+0085)", ["a\u0085b".encode()]),
        ("a bidi override (U+202E)", ["evil\u202etxt".encode()]),
        ("an empty label", [b""]),
    ],
)
def test_crafted_labels_are_corruption(tmp_path, what, labels):
    with pytest.raises(cf.CorruptionError):
        load(tmp_path, model_file(labels))


@pytest.mark.parametrize("name", [b"../../etc/passwd", b"x" * (1 << 20), b"", b"a\0b", b".hidden"])
def test_crafted_names_are_corruption(tmp_path, name):
    with pytest.raises(cf.CorruptionError):
        load(tmp_path, model_file([b"a"], name=name))


def test_options_that_disagree_with_the_header_are_corruption(tmp_path):
    with pytest.raises(cf.CorruptionError):
        load(tmp_path, model_file([b"a", b"b"], option_labels=["a", "c"]))


def test_the_last_version_loads_but_never_wraps(tmp_path):
    model = load(tmp_path, model_file([b"a", b"b"], version=2**64 - 1))
    assert model.version == 2**64 - 1
    assert model.classify("anything") in ("a", "b")
    with pytest.raises(cf.InvalidArgumentError):
        model.train("a", "one more step would be version 0")
    assert model.version == 2**64 - 1


def test_every_byte_flipped_is_refused_cleanly(tmp_path):
    data = model_file([b"ham", b"spam"])
    for i in range(0, len(data), 7):
        damaged = bytearray(data)
        damaged[i] ^= 0x41
        with pytest.raises(cf.Error):
            load(tmp_path, bytes(damaged))


def test_create_model_refuses_what_the_loader_refuses():
    with cf.Engine() as eng:
        for labels in (
            ["l%d" % i for i in range(65536)],
            ["a", "b", "a"],
            ["a\u0085b"],
            ["evil\u202etxt"],
            ["line\u2028break"],
            ["a\x00b"],
        ):
            with pytest.raises(cf.InvalidArgumentError):
                eng.create_model("m", labels=labels)
        assert eng.models() == []
        eng.create_model("big", labels=["l%d" % i for i in range(65535)])  # the cap itself


@pytest.mark.parametrize(
    "options, names",
    [
        ({"alpha": 1e308}, "alpha"),
        ({"alpha": math.nan}, "alpha"),
        ({"alpha": math.inf}, "alpha"),
        ({"min_confidence": math.nan}, "min_confidence"),
        ({"hash_bits": 2**32 + 20}, "hash_bits"),
        ({"ngrams": 2**32 + 1}, "ngrams"),
        ({"max_text_bytes": -1}, "max_text_bytes"),
        ({"ngrams": 2.5}, "ngrams"),
    ],
)
def test_bad_option_values_name_the_option_and_are_never_truncated(options, names):
    with cf.Engine() as eng:
        with pytest.raises(cf.InvalidArgumentError, match=names):
            eng.create_model("m", **options)
        assert eng.models() == []


def test_deeply_nested_options_are_refused_quickly():
    deep = 500  # as deep as Python's json module writes; core's cap is 64
    value = json.loads("[" * deep + "]" * deep)
    with cf.Engine() as eng:
        with pytest.raises(cf.InvalidArgumentError, match="nested"):
            eng.create_model("m", labels=value)


def test_the_golden_format1_file_keeps_loading():
    """tests/data/golden/bayes_format1.cfm was saved by format 1 (golden_format_test.cpp wrote
    it); every later release must load it and answer as it did."""
    path = os.path.join(os.path.dirname(__file__), "..", "data", "golden", "bayes_format1.cfm")
    model = cf.Model.load(path)
    assert (model.name, model.kind, model.version) == ("golden", "bayes", 1)
    assert model.labels == ["ham", "spam"]
    assert model.classify_batch(["cheap pills", "meeting at noon", "win money at noon"]) == [
        "spam", "ham", "ham"]
    scores = model.scores("win money at noon")
    assert math.isclose(scores["ham"], -0.35616232440911944, abs_tol=1e-12)
    assert math.isclose(scores["spam"], -1.2051699394697621, abs_tol=1e-12)


@pytest.mark.parametrize("name", ["linear_format1.cfm", "linear_quantized_format1.cfm"])
def test_the_golden_linear_files_keep_loading(name):
    """The linear kind's format-1 files (full-precision and quantized pages) load and answer as
    they did when golden_format_test.cpp wrote them."""
    path = os.path.join(os.path.dirname(__file__), "..", "data", "golden", name)
    model = cf.Model.load(path)
    assert (model.name, model.kind, model.version) == ("golden", "linear", 1)
    assert model.classify_batch(["cheap pills", "meeting at noon", "win money at noon"]) == [
        "spam", "ham", "spam"]
    scores = model.scores("cheap pills")
    assert math.isclose(scores["ham"], -9.740971500947829, abs_tol=1e-6)


def test_the_golden_lsi_file_keeps_loading():
    """The lsi kind's format-1 file (items, an index, one item folded in after the build) loads
    and answers as it did when golden_format_test.cpp wrote it."""
    path = os.path.join(os.path.dirname(__file__), "..", "data", "golden", "lsi_format1.cfm")
    model = cf.Model.load(path)
    assert (model.name, model.kind, model.version) == ("golden", "lsi", 3)
    status = model.index_status()
    assert (status["items"], status["indexed_items"], status["changes"]) == (5, 4, 1)
    (first, score, label), = model.search("lunch money", n=1)
    assert (first, label) == ("s2", "spam")
    assert math.isclose(score, 0.87494051456451416, abs_tol=1e-6)
    assert model.classify_batch(["cheap pills", "meeting at noon"]) == ["spam", "ham"]
    assert model.find_related("note", n=5)
