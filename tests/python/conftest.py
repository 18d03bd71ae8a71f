"""Shared fixtures and synthetic data for the classiflow Python tests.

The data is made up here (two small vocabularies, a fixed random seed), so every test is
reproducible and needs no files.
"""

import contextlib
import math
import random
from typing import Dict, List, Optional, Tuple

import pytest

import classiflow as cf

SPAM_WORDS = "cheap pills offer win money free click discount casino prize bonus deal".split()
HAM_WORDS = "meeting lunch project report schedule team tomorrow review notes agenda coffee".split()
LABELS = ["ham", "spam"]


def make_docs(n: int, seed: int = 7, words: int = 6) -> Tuple[List[str], List[str]]:
    """Return (texts, labels): n synthetic documents, alternating spam and ham."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = LABELS[i % 2]
        vocabulary = SPAM_WORDS if label == "spam" else HAM_WORDS
        texts.append(" ".join(rng.choice(vocabulary) for _ in range(words)))
        labels.append(label)
    return texts, labels


def probability_sum(scores: Dict[str, float]) -> float:
    """exp() of log posteriors summed: 1 for a well-formed score dict."""
    return sum(math.exp(s) for s in scores.values())


@contextlib.contextmanager
def refused(error: type, *, engine=None, model=None, match: Optional[str] = None):
    """Expect exactly `error` (not a subclass) from the block, and that it changed nothing: the
    engine's model names, the model's version and labels stay as they were."""

    def state():
        return (engine.models() if engine is not None else None,
                (model.version, model.labels) if model is not None else None)

    before = state()
    with pytest.raises(error, match=match) as info:
        yield info
    assert type(info.value) is error, f"expected {error.__name__}, got {info.value!r}"
    assert state() == before, "a refused call changed the engine or model"


@pytest.fixture
def engine():
    """An in-memory engine, closed after the test."""
    with cf.Engine() as eng:
        yield eng


def engine_uri(tmp_path, backend: str) -> Optional[str]:
    """Where an engine of `backend` ("memory", "rocksdb", "sqlite") keeps its data."""
    return {"memory": None, "rocksdb": str(tmp_path / "db"),
            "sqlite": f"sqlite:{tmp_path / 'engine.db'}"}[backend]


@pytest.fixture(params=["memory", "rocksdb", "sqlite"])
def any_engine(request, tmp_path):
    """The same test against an in-memory engine, a RocksDB directory and an SQLite file."""
    with cf.Engine(engine_uri(tmp_path, request.param)) as eng:
        yield eng


@pytest.fixture
def spam(engine) -> "cf.Model":
    """A bayes model with fixed labels ham/spam, trained on 40 synthetic documents."""
    model = engine.create_model("spam", labels=LABELS)
    texts, labels = make_docs(40)
    model.train_batch(texts, labels)
    return model


@pytest.fixture
def threads_restored():
    """Tests that call set_threads() restore the default (all cores) afterwards."""
    yield
    cf.set_threads(0)
