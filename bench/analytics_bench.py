#!/usr/bin/env python3
"""What live analytics cost the pipeline, and how fast they are read, per store backend, in
one run:

1. Pipeline throughput with ``"analytics": true`` vs ``false``, same run, same items: the spec
   ``tag`` (classify) -> ``out`` (sink), on ``memory:``, a RocksDB data directory and
   ``sqlite:FILE`` (both in a temp dir). Each run is a fresh pipeline in a fresh store (trained anew), fed ``--items`` texts by
   ``submit_many`` in chunks of ``--chunk``, timed up to ``flush()`` returning. Off and on runs
   alternate (off first on even repeats, on first on odd ones) ``--repeats`` times; the table
   shows the medians and on/off (target >= 0.90).
2. ``analytics()`` read latency once one pipeline has processed ``--analytics-items`` items
   (the claim is "< 1 ms at 10M items": ``--analytics-items 10000000``): 1000 calls each of
   ``pipeline.analytics()`` (JSON decoded to a dict) and of the raw JSON
   (``pipeline._p.analytics_json()``), p50 / p99 in ms.
3. Backend speed: pipeline items/s with analytics on (the medians of 1.) and the model's
   ``train_batch`` docs/s on an engine of each backend (median of ``--repeats``).
4. The SQLite results sink (target >= 100k results/s): on a RocksDB engine, pipeline items/s
   without and with ``{"sink": {"sqlite": FILE}}`` (timed to ``flush()``, which returns once
   the file holds every result), alternating, and ``export_sqlite`` rows/s.

    PYTHONPATH=<built classiflow> /usr/bin/python3 bench/analytics_bench.py \
        [--items 200000] [--repeats 3] [--analytics-items 1000000] [--analytics-backend rocksdb]

Corpus: .data/debian_{train,test}.tsv of bench/prepare_data.py (test texts cut after ~60 bytes
at a word boundary, as pipeline_compare.py does, cycled); without them, generated texts (8
labels, ~60 bytes each, random.Random(42)), and the output says so. Model: the benchmark
configuration (peers/classiflow_py.py OPTIONS). Every section ends in one line for a commit
message. Peak RSS is this process's.
"""
import argparse
import datetime
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))
DATA = os.path.join(ROOT, ".data")

from common import load_tsv  # noqa: E402
from classiflow_py import OPTIONS  # noqa: E402

import classiflow as cf  # noqa: E402

BACKENDS = ("memory", "rocksdb", "sqlite")
READS = 1000


def short(text, limit=60):
    """The text cut after `limit` bytes at the next space (pipeline_bench.cpp does the same)."""
    cut = text.find(" ", limit)
    return text if cut < 0 else text[:cut]


def generated_corpus(train_docs=50000, test_docs=20000, labels=8, seed=42):
    """(train labels, train texts, test texts, description): each label draws most words from
    a vocabulary of its own, the rest from a shared one."""
    rng = random.Random(seed)
    shared = [f"w{i}" for i in range(2000)]
    own = {f"label{k}": [f"l{k}x{i}" for i in range(500)] for k in range(labels)}
    names = sorted(own)

    def text(label):
        words = []
        while sum(map(len, words)) + len(words) < 60:
            words.append(rng.choice(own[label] if rng.random() < 0.6 else shared))
        return " ".join(words)

    train_labels = [rng.choice(names) for _ in range(train_docs)]
    train_texts = [text(label) for label in train_labels]
    test_texts = [text(rng.choice(names)) for _ in range(test_docs)]
    return train_labels, train_texts, test_texts, (
        f"GENERATED texts ({DATA}/debian_train.tsv is missing: run bench/prepare_data.py for "
        f"the Debian corpus): {labels} labels, {train_docs:,} train / {test_docs:,} test texts")


def load_corpus():
    train, test = (os.path.join(DATA, f"debian_{s}.tsv") for s in ("train", "test"))
    if not (os.path.isfile(train) and os.path.isfile(test)):
        return generated_corpus()
    labels, texts = load_tsv(train)
    _, test_texts = load_tsv(test)
    return labels, texts, [short(t) for t in test_texts if t], (
        f"Debian package descriptions ({train}): {len(texts):,} train texts, "
        f"{len(test_texts):,} test texts cut after ~60 bytes")


def uri_of(backend, tmp):
    if backend == "memory":
        return "memory:"
    if backend == "rocksdb":
        return os.path.join(tmp, "rocksdb")
    return "sqlite:" + os.path.join(tmp, "bench.sqlite")


def spec(analytics, sink_file=None):
    sink = {"sqlite": sink_file} if sink_file else {}
    return {"stages": [{"name": "tag", "classify": "bench", "next": "out"},
                       {"name": "out", "sink": sink}], "analytics": analytics}


def chunks_of(texts, items, chunk):
    """`items` texts (cycled) as lists of at most `chunk`, laid out before any clock starts."""
    stream = (texts * (items // len(texts) + 1))[:items]
    return [stream[i:i + chunk] for i in range(0, items, chunk)]


def run_pipeline(engine, name, analytics, chunks, sink_file=None, keep=False):
    """Seconds from the first submit_many to flush() returning (the sink file, if any, holding
    every result then), on a fresh pipeline, dropped after unless `keep`."""
    pipeline = engine.pipeline(name, spec(analytics, sink_file))
    start = time.perf_counter()
    for chunk in chunks:
        pipeline.submit_many(chunk)
    pipeline.flush()
    seconds = time.perf_counter() - start
    done = pipeline.stats()["completed"]
    expected = sum(map(len, chunks))
    if done != expected:
        raise RuntimeError(f"{name}: {done} items completed, {expected} submitted")
    if not keep:
        engine.drop_pipeline(name)
    return seconds


def train_rate(engine, labels, texts, repeats):
    """Median train_batch docs/s of a fresh model, `repeats` times."""
    rates = []
    for r in range(repeats):
        model = engine.create_model(f"train{r}", **OPTIONS)
        start = time.perf_counter()
        model.train_batch(texts, labels)
        rates.append(len(texts) / (time.perf_counter() - start))
        engine.drop_model(f"train{r}")
    return statistics.median(rates)


def measure_backend(backend, corpus, opts):
    """{"off", "on": median items/s, "train": median docs/s} of one backend. Every pipeline run
    gets a fresh store: what earlier runs left behind (a dropped pipeline's tombstones, their
    compactions) would otherwise weigh on whichever run comes later."""
    labels, texts, test_texts, _ = corpus
    chunks = chunks_of(test_texts, opts.items, opts.chunk)
    runs = {False: [], True: []}
    with tempfile.TemporaryDirectory(dir=opts.tmp) as tmp:
        with cf.Engine(uri_of(backend, tmp)) as engine:
            train = train_rate(engine, labels, texts, opts.repeats)
    for r in range(opts.repeats):
        for analytics in ((False, True) if r % 2 == 0 else (True, False)):
            with tempfile.TemporaryDirectory(dir=opts.tmp) as tmp:
                with cf.Engine(uri_of(backend, tmp)) as engine:
                    engine.create_model("bench", **OPTIONS).train_batch(texts, labels)
                    seconds = run_pipeline(engine, "run", analytics, chunks, keep=True)
            runs[analytics].append(opts.items / seconds)
            print(f"  {backend} repeat {r + 1} analytics {'on' if analytics else 'off'}: "
                  f"{opts.items / seconds:,.0f} items/s", file=sys.stderr, flush=True)
    return {"off": statistics.median(runs[False]), "on": statistics.median(runs[True]),
            "train": train}


def sqlite_rows(file):
    import sqlite3
    with sqlite3.connect(file) as db:
        return db.execute("select count(*) from results").fetchone()[0]


def measure_sink(corpus, opts):
    """The SQLite results sink on a RocksDB engine (analytics on): pipeline items/s without a
    sink file and with one (flush() returns once the file holds every result), alternating,
    and export_sqlite rows/s of the stored results into a fresh file (the sink's write path
    alone: decode, row, upsert)."""
    _, _, test_texts, _ = corpus
    labels, texts = corpus[0], corpus[1]
    chunks = chunks_of(test_texts, opts.items, opts.chunk)
    runs = {False: [], True: []}
    exports = []
    with tempfile.TemporaryDirectory(dir=opts.tmp) as tmp:
        with cf.Engine(uri_of("rocksdb", tmp)) as engine:
            engine.create_model("bench", **OPTIONS).train_batch(texts, labels)
            for r in range(opts.repeats):
                for sink in ((False, True) if r % 2 == 0 else (True, False)):
                    file = os.path.join(tmp, f"sink{r}.db") if sink else None
                    name = f"sink{r}_{int(sink)}"
                    seconds = run_pipeline(engine, name, True, chunks, file, keep=True)
                    if sink and sqlite_rows(file) != opts.items:
                        raise RuntimeError(f"{file}: {sqlite_rows(file)} rows, {opts.items} items")
                    runs[sink].append(opts.items / seconds)
                    print(f"  sink {'on' if sink else 'off'} repeat {r + 1}: "
                          f"{opts.items / seconds:,.0f} items/s", file=sys.stderr, flush=True)
                    if not sink:
                        out = os.path.join(tmp, f"export{r}.db")
                        start = time.perf_counter()
                        rows = engine.pipeline(name).export_sqlite(out)
                        exports.append(rows / (time.perf_counter() - start))
                    engine.drop_pipeline(name)
    return {"off": statistics.median(runs[False]), "on": statistics.median(runs[True]),
            "export": statistics.median(exports)}


def print_sink(sink, opts):
    print(f"\n## 4. SQLite results sink (RocksDB engine, analytics on, {opts.items:,} items, "
          f"median of {opts.repeats}, alternating)\n")
    print("| run | items/s (rows/s) |")
    print("|---|---:|")
    print(f"| pipeline, no sink file | {sink['off']:,.0f} |")
    print(f"| pipeline + sink file (flush waits for the file) | {sink['on']:,.0f} |")
    print(f"| export_sqlite of the stored results | {sink['export']:,.0f} |")
    ok = min(sink["on"], sink["export"]) >= 100000
    print(f"\nTarget >= 100k results/s into SQLite: {'met' if ok else 'missed'}; with the "
          f"sink the pipeline keeps {sink['on'] / sink['off']:.2f} of its throughput.")
    print(f"\nCommit line: SQLite sink {sink['off'] / 1000:,.0f}k -> {sink['on'] / 1000:,.0f}k "
          f"items/s ({sink['on'] / sink['off']:.2f}), export {sink['export'] / 1000:,.0f}k rows/s")


def load():
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q / 100 * len(sorted_values)))]


def read_latencies(fn):
    """(p50 ms, p99 ms, max ms) of READS calls of fn."""
    times = []
    for _ in range(READS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return percentile(times, 50), percentile(times, 99), times[-1]


def measure_reads(corpus, opts):
    """Processes --analytics-items items through one pipeline, then times analytics() reads."""
    labels, texts, test_texts, _ = corpus
    # One cycle of at most 1M items, laid out once and submitted again until the count is met.
    chunks = chunks_of(test_texts, min(opts.analytics_items, 1000000), opts.chunk)
    with tempfile.TemporaryDirectory(dir=opts.tmp) as tmp:
        with cf.Engine(uri_of(opts.analytics_backend, tmp)) as engine:
            engine.create_model("bench", **OPTIONS).train_batch(texts, labels)
            pipeline = engine.pipeline("reads", spec(True))
            start = time.perf_counter()
            done = 0
            while done < opts.analytics_items:
                for chunk in chunks:
                    if done >= opts.analytics_items:
                        break
                    part = chunk[:opts.analytics_items - done]
                    pipeline.submit_many(part)
                    done += len(part)
                print(f"  analytics: {done:,} items submitted", file=sys.stderr, flush=True)
            pipeline.flush()
            fill = time.perf_counter() - start
            counted = pipeline.analytics()["items"]
            raw = getattr(pipeline, "_p", None)
            rows = [("pipeline.analytics() (dict)", read_latencies(pipeline.analytics))]
            if raw is not None and hasattr(raw, "analytics_json"):
                size = len(raw.analytics_json())
                rows.append((f"pipeline._p.analytics_json() ({size:,} bytes)",
                             read_latencies(raw.analytics_json)))
    return {"items": done, "counted": counted, "fill_items_per_s": done / fill, "rows": rows}


def print_overhead(results, opts):
    print(f"\n## 1. Pipeline throughput, analytics off vs on ({opts.items:,} items, "
          f"chunks of {opts.chunk:,}, median of {opts.repeats}, alternating)\n")
    print("| backend | off items/s | on items/s | on/off |")
    print("|---|---:|---:|---:|")
    for backend, r in results.items():
        print(f"| {backend} | {r['off']:,.0f} | {r['on']:,.0f} | {r['on'] / r['off']:.2f} |")
    low = [b for b, r in results.items() if r["on"] / r["off"] < 0.90]
    print(f"\nTarget on/off >= 0.90: {'missed on ' + ', '.join(low) if low else 'met'}.")
    print("\nCommit line: analytics on/off items/s, " + "; ".join(
        f"{b} {r['off'] / 1000:,.0f}k -> {r['on'] / 1000:,.0f}k ({r['on'] / r['off']:.2f})"
        for b, r in results.items()) + f" ({opts.items:,} items, median of {opts.repeats})")


def print_reads(reads, opts):
    print(f"\n## 2. analytics() latency after {reads['items']:,} items "
          f"({opts.analytics_backend}, {READS} calls each)\n")
    print(f"Filled at {reads['fill_items_per_s']:,.0f} items/s; analytics()['items'] = "
          f"{reads['counted']:,}.\n")
    print("| call | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, (p50, p99, worst) in reads["rows"]:
        print(f"| {name} | {p50:.3f} | {p99:.3f} | {worst:.3f} |")
    slow = [name for name, (_, p99, _) in reads["rows"] if p99 >= 1.0]
    print(f"\nTarget p99 < 1 ms: {'missed by ' + ', '.join(slow) if slow else 'met'}.")
    print(f"\nCommit line: analytics() at {reads['items'] / 1e6:g}M items "
          f"({opts.analytics_backend}): " + "; ".join(
              f"{name.split(' ')[0]} p50 {p50:.3f} ms p99 {p99:.3f} ms"
              for name, (p50, p99, _) in reads["rows"]))


def print_backends(results, opts):
    print(f"\n## 3. Backend speed (pipeline with analytics on, {opts.items:,} items; "
          f"train_batch, median of {opts.repeats})\n")
    print("| backend | pipeline items/s (analytics on) | train_batch docs/s |")
    print("|---|---:|---:|")
    for backend, r in results.items():
        print(f"| {backend} | {r['on']:,.0f} | {r['train']:,.0f} |")
    print("\nCommit line: backends pipeline items/s / train_batch docs/s, " + "; ".join(
        f"{b} {r['on'] / 1000:,.0f}k / {r['train'] / 1000:,.0f}k" for b, r in results.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=200000, help="items per throughput run")
    ap.add_argument("--chunk", type=int, default=10000, help="items per submit_many call")
    ap.add_argument("--repeats", type=int, default=3, help="off/on run pairs per backend")
    ap.add_argument("--analytics-items", type=int, default=1000000,
                    help="items processed before timing analytics() (claim: 10000000)")
    ap.add_argument("--analytics-backend", choices=BACKENDS, default="rocksdb")
    ap.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    ap.add_argument("--tmp", default=None, help="where the temp stores go (default: $TMPDIR)")
    opts = ap.parse_args()
    if min(opts.items, opts.chunk, opts.repeats, opts.analytics_items) < 1:
        ap.error("--items, --chunk, --repeats and --analytics-items must be >= 1")

    corpus = load_corpus()
    print("# classiflow analytics benchmark\n")
    print(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"- classiflow {cf.__version__} ({os.path.dirname(cf.__file__)}), "
          f"Python {platform.python_version()}")
    print(f"- N = {opts.items:,} items per run, {opts.repeats} repeats, analytics read after "
          f"{opts.analytics_items:,} items")
    print(f"- corpus: {corpus[3]}")
    print(f"- model: bayes {OPTIONS}")
    print(f"- load average at start (1/5/15 min): {load()}", flush=True)

    results = {b: measure_backend(b, corpus, opts) for b in opts.backends}
    print_overhead(results, opts)
    reads = measure_reads(corpus, opts)
    print_reads(reads, opts)
    print_backends(results, opts)
    print_sink(measure_sink(corpus, opts), opts)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak RSS: {rss:,.0f} MB; load average at the end (1/5/15 min): {load()} "
          f"(above {os.cpu_count()}, other processes shared the cores: tails are noisy)")


if __name__ == "__main__":
    main()
