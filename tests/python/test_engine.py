"""classiflow.Engine (lifecycle, models, persistence) and the package itself (version, stubs)."""

import ast
import gc
import importlib.metadata
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import classiflow as cf
from conftest import LABELS, engine_uri, make_docs, refused


def test_create_get_list_drop(any_engine):
    assert any_engine.models() == []
    any_engine.create_model("b-model")
    any_engine.create_model("a.model", labels=LABELS)
    assert any_engine.models() == ["a.model", "b-model"]  # sorted
    assert any_engine.model("a.model").labels == LABELS
    any_engine.drop_model("b-model")
    assert any_engine.models() == ["a.model"]


def test_model_handles_share_one_model(engine):
    a = engine.create_model("shared", labels=LABELS)
    b = engine.model("shared")
    a.train("spam", "cheap pills")
    assert b.version == 1 and b.scores("cheap") == a.scores("cheap")


def test_close_is_idempotent_and_context_manager_closes(tmp_path):
    with cf.Engine(tmp_path / "db") as eng:
        assert str(tmp_path / "db") in repr(eng)
    assert repr(eng) == "<classiflow.Engine (closed)>"
    eng.close()  # again: no error
    with cf.Engine(tmp_path / "db") as again:  # the lock was released
        assert again.models() == []


def test_model_handle_keeps_its_engine_open():
    model = cf.Engine().create_model("orphan", labels=LABELS)
    gc.collect()  # the Engine object is unreferenced, but the handle needs it
    model.train("spam", "cheap pills")
    assert model.classify("cheap") == "spam"


@pytest.mark.parametrize("form", ["path", "str", "rocksdb-uri", "sqlite-uri"])
def test_persistence_across_reopen(tmp_path, form):
    db = tmp_path / "db"
    where = {"path": db, "str": str(db), "rocksdb-uri": f"rocksdb:{db}",
             "sqlite-uri": f"sqlite:{tmp_path / 'db.sqlite'}"}[form]
    texts, labels = make_docs(60)
    probe, _ = make_docs(30, seed=11)
    with cf.Engine(where, sync=True) as eng:
        spam = eng.create_model("spam", labels=LABELS, min_confidence=0.2, ngrams=1)
        spam.train_batch(texts, labels)
        spam.train("spam", "casino prize")
        grown = eng.create_model("grown")
        grown.train("x", "x words")
        grown.train("y", "y words")
        eng.create_model("empty")
        before = {name: eng.model(name) for name in eng.models()}
        expected = {name: (m.labels, m.version, m.options) for name, m in before.items()}
        proba = spam.predict_proba(probe)
    with cf.Engine(where) as eng:
        assert eng.models() == ["empty", "grown", "spam"]
        for name, (labels_, version, options) in expected.items():
            m = eng.model(name)
            assert (m.labels, m.version, m.options) == (labels_, version, options)
        np.testing.assert_array_equal(eng.model("spam").predict_proba(probe), proba)
        # Training continues from the stored version.
        eng.model("grown").train("z", "z words")
        assert eng.model("grown").version == 3


def test_dropped_model_is_gone_after_reopen(tmp_path):
    with cf.Engine(tmp_path / "db") as eng:
        eng.create_model("gone").train("a", "some text")
        eng.create_model("kept")
        eng.drop_model("gone")
    with cf.Engine(tmp_path / "db") as eng:
        assert eng.models() == ["kept"]
        eng.create_model("gone")  # the name is free again, and the model starts empty
        assert eng.model("gone").version == 0


MAIL = {
    "stages": [
        {"name": "filter", "classify": "spam", "routes": {"spam": "junk", "*": "inbox"}},
        {"name": "junk", "sink": {}},
        {"name": "inbox", "sink": {"ttl_s": 3600}},
    ]
}


@pytest.mark.parametrize("backend", ["rocksdb", "sqlite"])
def test_models_and_pipeline_results_survive_reopen(tmp_path, backend):
    uri = engine_uri(tmp_path, backend)
    texts, labels = make_docs(60)
    with cf.Engine(uri) as eng:
        spam = eng.create_model("spam", labels=LABELS)
        spam.train_batch(texts, labels)
        version = spam.version
        p = eng.pipeline("mail", MAIL)
        ids = p.submit_many([("a", "cheap pills casino prize"), ("b", "meeting agenda tomorrow")])
        p.flush()
        before = {i: p.result(i) for i in ids}
    if backend == "sqlite":  # one SQLite file holds it all
        assert (tmp_path / "engine.db").read_bytes()[:16] == b"SQLite format 3\x00"
    assert before["a"]["route"] == ["filter", "junk"]
    assert before["b"]["route"] == ["filter", "inbox"]
    with cf.Engine(uri) as eng:
        assert eng.models() == ["spam"] and eng.model("spam").version == version
        assert eng.model("spam").classify("free money bonus") == "spam"
        p = eng.pipeline("mail")
        assert {i: p.result(i) for i in ids} == before
        p.submit("free money bonus", id="c")  # and the pipeline goes on
        p.flush()
        assert p.result("c")["route"] == ["filter", "junk"]


TRY_OPEN = """
import sys, classiflow as cf
try:
    cf.Engine(sys.argv[1]).close()
    print("opened")
except cf.Error as e:
    print(type(e).__name__)
"""


@pytest.mark.parametrize("backend", ["rocksdb", "sqlite"])
def test_a_second_writer_is_busy(tmp_path, backend):
    uri = engine_uri(tmp_path, backend)
    with cf.Engine(uri) as first:
        first.create_model("m")
        with refused(cf.BusyError, engine=first) as info:  # in this process
            cf.Engine(uri)
        assert isinstance(info.value, cf.UnavailableError)
        other = subprocess.run([sys.executable, "-c", TRY_OPEN, uri], capture_output=True,
                               text=True, timeout=120)
        assert other.stdout.strip() == "BusyError", other.stderr
        with cf.Engine(uri, mode="read") as reader:  # a reader opens it all the same
            assert reader.models() == ["m"]
    with cf.Engine(uri) as again:  # released by close
        assert again.models() == ["m"]


def test_in_memory_engine_forgets_on_close():
    with cf.Engine() as eng:
        eng.create_model("m")
    with cf.Engine() as eng:
        assert eng.models() == []


# --- the package --------------------------------------------------------------------------


def test_version_matches_package_metadata():
    assert cf.__version__ == importlib.metadata.version("classiflow") == "0.1.0"


def test_set_threads_keeps_results(spam, threads_restored):
    texts, _ = make_docs(500, seed=5)
    expected = spam.predict_proba(texts)
    for n in (1, 2, 0):
        cf.set_threads(n)
        np.testing.assert_array_equal(spam.predict_proba(texts), expected)


def test_import_from_another_directory(tmp_path):
    script = (
        "import classiflow as cf\n"
        "m = cf.Engine().create_model('m')\n"
        "m.train('spam', 'cheap pills')\n"
        "print(cf.__file__, m.classify('cheap'))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    module_file, label = run.stdout.split()
    assert label == "spam"
    assert "site-packages" in module_file  # the installed package, not a source checkout


STUB = Path(cf.__file__).with_name("__init__.pyi")


def _stub_classes(tree: ast.Module):
    """{class: {member: ast node}} of the stub, members of stub base classes included."""
    classes = {}
    for node in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        members = {}
        for base in node.bases:
            members.update(classes.get(getattr(base, "id", None), {}))
        for item in node.body:
            name = item.target.id if isinstance(item, ast.AnnAssign) else getattr(item, "name", "")
            if name:
                members[name] = item
        classes[node.name] = members
    return classes


def _runtime_public(cls) -> set:
    """Public names a class adds to the builtins it derives from (dataclass fields included)."""
    builtin = set().union(*(dir(base) for base in cls.__mro__ if base.__module__ == "builtins"))
    names = {n for n in dir(cls) if n not in builtin and not n.startswith("_")}
    return names | set(getattr(cls, "__dataclass_fields__", {}))


def _stub_params(node: ast.FunctionDef) -> list:
    a = node.args
    names = [p.arg for p in a.posonlyargs + a.args]
    if a.vararg:
        names.append("*" + a.vararg.arg)
    names += [p.arg for p in a.kwonlyargs]
    if a.kwarg:
        names.append("**" + a.kwarg.arg)
    return names


def _runtime_params(function) -> list:
    star = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [star.get(p.kind, "") + p.name for p in inspect.signature(function).parameters.values()]


def test_stub_matches_runtime():
    tree = ast.parse(STUB.read_text())
    top = {getattr(n, "name", None) or n.target.id for n in tree.body
           if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AnnAssign))}
    assert {n for n in top if not n.startswith("_")} | {"__version__"} == set(cf.__all__)
    # set_threads is compiled: pybind11 writes its signature as the docstring's first line.
    assert cf.set_threads.__doc__.startswith("set_threads(n: int) -> None")
    for name, members in _stub_classes(tree).items():
        cls = getattr(cf, name)
        assert {m for m in members if not m.startswith("_")} == _runtime_public(cls), name
        for member, node in members.items():
            if not isinstance(node, ast.FunctionDef):
                continue
            decorators = {getattr(d, "id", "") for d in node.decorator_list}
            if "property" in decorators:
                assert isinstance(inspect.getattr_static(cls, member), property), (name, member)
                continue
            stub = _stub_params(node)
            if "staticmethod" not in decorators:
                stub = stub[1:]  # self / cls
            runtime = _runtime_params(getattr(cls, member))
            if "classmethod" not in decorators and "staticmethod" not in decorators:
                runtime = runtime[1:]  # self (a plain function from the class)
            assert stub == runtime, (name, member)


def test_every_public_api_is_documented():
    for name in set(cf.__all__) - {"__version__"}:
        obj = getattr(cf, name)
        assert inspect.getdoc(obj), name
        for member, value in vars(obj).items() if inspect.isclass(obj) else ():
            if not member.startswith("_") and (callable(value) or isinstance(
                    value, (property, classmethod, staticmethod))):
                assert inspect.getdoc(value), f"{name}.{member}"
