"""Threads: batch calls release the GIL; readers see one consistent version while training."""

import math
import os
import threading
import time
from collections import defaultdict

import numpy as np
import pytest

import classiflow as cf
from conftest import LABELS, make_docs, probability_sum


def run_beside_ticker(call):
    """Run `call` in a thread while this thread ticks: short sleeps, each needing the GIL back.

    Returns (duration of `call`, the longest stretch during it in which this thread made no
    progress). If `call` held the GIL throughout, that stretch would be the whole call.
    """
    span = {}

    def worker():
        start = time.perf_counter()
        call()
        span["call"] = (start, time.perf_counter())

    thread = threading.Thread(target=worker)
    ticks = []
    thread.start()
    while thread.is_alive():
        time.sleep(0.001)
        ticks.append(time.perf_counter())
    thread.join()
    start, end = span["call"]
    inside = [start] + [t for t in ticks if start < t < end] + [end]
    return end - start, max(np.diff(inside))


@pytest.fixture
def long_texts():
    """Texts of ~60 words; a batch of them repeated keeps a call busy without much memory."""
    texts, labels = make_docs(64, words=60, seed=21)
    return texts, labels


BATCH_CALLS = {
    "classify_batch": lambda m, texts, labels: m.classify_batch(texts),
    "predict_proba": lambda m, texts, labels: m.predict_proba(texts),
    "train_batch": lambda m, texts, labels: m.train_batch(texts, labels),
}


@pytest.mark.parametrize("name", BATCH_CALLS)
def test_batch_calls_release_the_gil(engine, long_texts, name, threads_restored):
    # One worker thread: the ticker gets a core of its own even on a two-core machine.
    cf.set_threads(1)
    model = engine.create_model("gil", labels=LABELS)
    model.train_batch(*long_texts)
    call = BATCH_CALLS[name]
    repeat = 16
    while True:  # grow the batch until one call takes long enough to measure
        texts, labels = long_texts[0] * repeat, long_texts[1] * repeat
        duration, stall = run_beside_ticker(lambda: call(model, texts, labels))
        if duration >= 0.3 or repeat >= 1 << 14:
            break
        repeat *= 4
    assert duration >= 0.3, "the batch got too fast to measure; make it bigger"
    assert stall < duration / 3, f"{name}: no Python progress for {stall:.3f}s of {duration:.3f}s"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 cores")
def test_an_engines_threads_bound_its_batch_calls(long_texts):
    """Engine(threads=1): classify_batch and train_batch keep one core busy, not all of them,
    whatever another engine in the process was given."""
    with cf.Engine(threads=2), cf.Engine(threads=1) as engine:
        model = engine.create_model("bounded", labels=LABELS)
        texts, labels = long_texts[0] * 2000, long_texts[1] * 2000
        cpu, wall = time.process_time(), time.perf_counter()
        model.train_batch(texts, labels)
        for _ in range(3):
            model.classify_batch(texts)
        cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
    assert cores < 1.25, f"batch calls kept {cores:.2f} cores busy with threads=1"


def test_readers_see_one_consistent_version(any_engine):
    """Readers classify while a writer trains one document per version. Each reader must see
    versions in order, and every answer must equal a replay of that exact version."""
    model = any_engine.create_model("live", labels=LABELS)
    texts, labels = make_docs(150, seed=5)
    probes, _ = make_docs(4, seed=8, words=3)
    seen = defaultdict(set)  # version -> {(probe, label, scores)}; many answers for one version
    batches = {}  # distinct predict_proba matrices (by bytes), each from one unknown version
    problems = []
    stop = threading.Event()

    def single_reader():
        last = -1
        while not stop.is_set():
            for i, probe in enumerate(probes):
                p = model.predict(probe)
                if p.version < last:
                    problems.append(f"version went back from {last} to {p.version}")
                last = p.version
                if not math.isclose(probability_sum(p.scores), 1.0, rel_tol=1e-9):
                    problems.append(f"scores of version {p.version} do not sum to 1")
                if p.label != max(p.scores, key=p.scores.get):
                    problems.append(f"label {p.label} is not the argmax at {p.version}")
                seen[p.version].add((i, p.label, tuple(sorted(p.scores.items()))))

    def batch_reader():
        while not stop.is_set():
            matrix = model.predict_proba(probes)
            batches[matrix.tobytes()] = matrix

    readers = [threading.Thread(target=single_reader) for _ in range(3)]
    readers.append(threading.Thread(target=batch_reader))
    for reader in readers:
        reader.start()
    try:
        for label, text in zip(labels, texts):
            model.train(label, text)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert not problems, problems[:5]
    assert model.version == len(texts)
    assert len(seen) > 1, "the readers never overlapped with training"

    # Replay: the same documents, one version each, in a fresh model.
    replay = cf.Engine().create_model("replay", labels=LABELS)
    expected = {}
    for version in range(len(texts) + 1):
        if version:
            replay.train(labels[version - 1], texts[version - 1])
        expected[version] = replay.predict_proba(probes)
        for i, label, scores in seen.get(version, ()):
            assert replay.predict(probes[i]).label == label, (version, i)
            assert dict(scores) == pytest.approx(replay.scores(probes[i]), abs=1e-12)
    for matrix in batches.values():  # each equals one version as a whole, never a mixture
        assert any(np.allclose(matrix, e, rtol=0, atol=1e-12) for e in expected.values())


def test_parallel_trainers_lose_nothing(any_engine):
    model = any_engine.create_model("shared", labels=LABELS)
    texts, labels = make_docs(200, seed=13)
    chunks = [(texts[i::4], labels[i::4]) for i in range(4)]

    def trainer(chunk_texts, chunk_labels):
        for label, text in zip(chunk_labels, chunk_texts):
            model.train(label, text)

    threads = [threading.Thread(target=trainer, args=chunk) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert model.version == len(texts)
    # Counts add up regardless of order: the result equals one sequential batch.
    sequential = cf.Engine().create_model("sequential", labels=LABELS)
    sequential.train_batch(texts, labels)
    probes, _ = make_docs(20, seed=17)
    np.testing.assert_allclose(model.predict_proba(probes), sequential.predict_proba(probes),
                               rtol=0, atol=1e-12)


def test_concurrent_batches_agree(spam):
    texts, _ = make_docs(2000, seed=19)
    expected = spam.classify_batch(texts)
    results = [None] * 4

    def worker(slot):
        results[slot] = spam.classify_batch(texts)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4
