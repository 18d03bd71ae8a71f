#!/usr/bin/env python3
"""classiflow's pipeline beside the seed architecture, in the same run, on the same texts with
the same model: submit -> classify -> durable result.

* classiflow C++ (build/bench/classiflow_bench_pipeline) and classiflow Python
  (eng.pipeline(...).submit_many): a RocksDB data directory, durability buffered and sync,
  as fast as the producer can, then paced at half that rate for latency;
* Celery 5 + redis-server (peers/celery_pipeline.py): a prefork worker with 2 processes, redis
  on 127.0.0.1 as broker and result backend, each task classifying with the same model file.

    .venv/bin/python bench/pipeline_compare.py [--items 1000000] [--celery-items 20000]

Texts: the Debian package descriptions of bench/prepare_data.py cut after ~60 bytes at a word
boundary (short texts: a synopsis, a product title, a review line), cycled; and the
SpamAssassin mails whole (--corpora debian spam). Model: the benchmark configuration
(peers/classiflow_py.py OPTIONS). Latency is submit -> result committed (classiflow: the
pipeline's own histogram, log-linear buckets of <= 12.5 %; Celery: submit -> result stored in
redis). Peak RSS is per process.
"""
import argparse
import os
import resource
import subprocess
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


def short(text, limit=60):
    """The text cut after `limit` bytes at the next space (pipeline_bench.cpp does the same)."""
    cut = text.find(" ", limit)
    return text if cut < 0 else text[:cut]


def run_python(engine, name, durability, texts, items, rate=None):
    spec = {"stages": [{"name": "classify", "classify": "bench", "next": "out"},
                       {"name": "out", "sink": {}}], "durability": durability}
    pipeline = engine.pipeline(name, spec)
    chunk = 100 if rate else 10000
    # The stream is laid out before the clock starts, as an application holds its items: the
    # timed loop is the engine's work and a slice per call, not a Python list comprehension.
    stream = (texts * (items // len(texts) + 1))[:items]
    start = time.perf_counter()
    done = 0
    while done < items:
        n = min(chunk, items - done)
        pipeline.submit_many(stream[done:done + n])
        done += n
        if rate:
            delay = start + done / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
    pipeline.flush()
    seconds = time.perf_counter() - start
    latency = pipeline.stats()["latency_ms"]
    return {"items": items, "items_per_s": items / seconds, "p50_ms": latency["p50"],
            "p95_ms": latency["p95"], "p99_ms": latency["p99"]}


def run_cpp(train, test, items):
    binary = os.path.join(ROOT, "build", "bench", "classiflow_bench_pipeline")
    if not os.path.exists(binary):
        return "(build/bench/classiflow_bench_pipeline not built: bash scripts/build.sh)"
    out = subprocess.run([binary, train, test, str(items)], capture_output=True, text=True,
                         check=True)
    return out.stdout


def row(system, durability, mode, r, rss=None):
    print(f"| {system} | {durability} | {mode} | {r['items']:,} | {r['items_per_s']:,.0f} | "
          f"{r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['p99_ms']:.2f} | "
          f"{'' if rss is None else f'{rss:.0f}'} |", flush=True)


def compare(corpus, opts):
    train, test = (os.path.join(DATA, f"{corpus}_{s}.tsv") for s in ("train", "test"))
    if not os.path.isfile(train):
        sys.exit(f"{train} is missing: run /usr/bin/python3 bench/prepare_data.py first")
    labels, texts = load_tsv(train)
    _, test_texts = load_tsv(test)
    if corpus == "debian":
        test_texts = [short(t) for t in test_texts]
    print(f"\n## {corpus}: {len(test_texts):,} texts, mean {sum(map(len, test_texts)) // len(test_texts)} bytes, cycled\n")
    cpp_rates = {}
    if corpus == "debian":
        print("classiflow C++ (bench/pipeline_bench.cpp):\n")
        cpp = run_cpp(train, test, opts.items)
        print(cpp)
        for line in cpp.splitlines():  # "| buffered | max | items | items/s | ..."
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) > 3 and cells[1] == "max":
                cpp_rates[cells[0]] = float(cells[3])
    print("| system | durability | producer | items | items/s | p50 ms | p95 ms | p99 ms | peak RSS MB |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, "bench.cfm")
        with cf.Engine(os.path.join(tmp, "db")) as engine:
            model = engine.create_model("bench", **OPTIONS)
            model.train_batch(texts, labels)
            model.save(model_path)
            for durability in ("buffered", "sync"):
                items = opts.items if corpus == "debian" else opts.items // 10
                r = run_python(engine, f"max_{durability}", durability, test_texts, items)
                rates[durability] = r["items_per_s"]
                row("classiflow Python", durability, "max", r)
                half = r["items_per_s"] / 2
                r = run_python(engine, f"paced_{durability}", durability, test_texts,
                               int(min(items, half * 3)), rate=half)
                row("classiflow Python", durability, "paced", r,
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        from celery_pipeline import run_celery
        celery_max = celery_row(run_celery(test_texts, model_path, opts.celery_items, quiet=True),
                                "max")
        half = celery_max / 2
        celery_row(run_celery(test_texts, model_path, int(min(opts.celery_items, half * 10)),
                              rate=half, quiet=True), "paced")
    for durability, rate in rates.items():
        print(f"\nclassiflow Python {durability} / Celery: {rate / celery_max:,.0f}x items/s")
    for durability, rate in cpp_rates.items():
        print(f"\nclassiflow C++ {durability} / Celery: {rate / celery_max:,.0f}x items/s")


def celery_row(c, mode):
    """Prints one Celery run (latency to the result stored in redis); returns its items/s."""
    row(c["system"], c["persistence"], mode,
        {"items": c["items"], "items_per_s": c["items_per_s"],
         **{f"p{q}_ms": c.get(f"stored_p{q}_ms", c[f"p{q}_ms"]) for q in (50, 95, 99)}},
        c["worker_rss_mb"] + c["redis_rss_mb"])
    return c["items_per_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=1000000)
    ap.add_argument("--celery-items", type=int, default=20000)
    ap.add_argument("--corpora", nargs="+", default=["debian", "spam"])
    opts = ap.parse_args()
    for corpus in opts.corpora:
        compare(corpus, opts)


if __name__ == "__main__":
    main()
