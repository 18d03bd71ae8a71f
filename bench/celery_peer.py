#!/usr/bin/env python3
"""The Celery + redis peer on its own: submit -> classify -> stored result, through a Celery 5
prefork worker (2 processes) and a private redis-server as broker and result backend.

Trains a classiflow bayes model on the corpus's training split with the benchmark configuration
(peers/classiflow_py.py), saves it to a temporary file the worker processes load, classifies the
test split's texts (cycled to --items) through Celery and prints items/s, latency percentiles
and peak RSS. See peers/celery_pipeline.py for what exactly is measured.

    .venv/bin/python bench/celery_peer.py --corpus debian --items 5000 [20000 ...]
    .venv/bin/python bench/celery_peer.py --corpus debian --items 5000 --rate 800   # paced

--corpus is debian or spam (the .data/NAME_{train,test}.tsv files bench/prepare_data.py makes)
or a label<TAB>text file, whose texts are then also the ones classified unless --test names
others. Needs Debian's python3-celery, python3-redis and redis-server (scripts/install_deps.sh
bench) and the classiflow package in .venv.
"""
import argparse
import json
import os
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peers"))
DATA = os.path.join(os.path.dirname(HERE), ".data")

from common import load_tsv  # noqa: E402  (peers/ is on the path only now)


def corpus_paths(corpus, test):
    """(train, test) TSV paths for a corpus name or file, or exit saying what is missing."""
    if os.path.sep not in corpus and not corpus.endswith(".tsv"):
        train, test = (os.path.join(DATA, f"{corpus}_{split}.tsv") for split in ("train", "test"))
        hint = "run /usr/bin/python3 bench/prepare_data.py first"
    else:
        train, test = corpus, test or corpus
        name = os.path.splitext(os.path.basename(corpus))[0]
        hint = (f"the prepared corpus is {DATA}/{name}_{{train,test}}.tsv: --corpus {name}"
                if name in ("debian", "spam") else
                "give --corpus debian|spam, or an existing label<TAB>text file")
    for path in (train, test):
        if not os.path.isfile(path):
            sys.exit(f"celery_peer: {path} does not exist: {hint}")
    return train, test


def train_model(train_path, model_path):
    import classiflow as cf
    from classiflow_py import OPTIONS  # the benchmark configuration all classiflow runs use

    labels, texts = load_tsv(train_path)
    with cf.Engine() as engine:
        model = engine.create_model("celery_peer", **OPTIONS)
        model.train_batch(texts, labels)
        model.save(model_path)
    print(f"trained on {len(texts):,} docs of {train_path} ({len(set(labels))} labels)",
          file=sys.stderr, flush=True)


def print_tables(rows, persistence, test_path, n_texts):
    first = rows[0]
    print(f'{first["system"]}, redis persistence {persistence}, prefetch multiplier '
          f'{first["prefetch_multiplier"]}; {n_texts:,} distinct texts from {test_path}\n')
    print("| items | rate/s | items/s | p50 / p95 / p99 ms (task end) "
          "| p50 / p95 / p99 ms (stored) | worker RSS MB (main + pool) | redis RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        stored = (f'{r["stored_p50_ms"]:.2f} / {r["stored_p95_ms"]:.2f} / {r["stored_p99_ms"]:.2f}'
                  if "stored_p50_ms" in r else "—")
        rate = f'{r["rate"]:,.0f}' if r["rate"] else "unpaced"
        each = " + ".join(f"{mb:.0f}" for mb in r["worker_rss_mb_each"])
        print(f'| {r["items"]:,} | {rate} | {r["items_per_s"]:,.0f} '
              f'| {r["p50_ms"]:.2f} / {r["p95_ms"]:.2f} / {r["p99_ms"]:.2f} | {stored} '
              f'| {r["worker_rss_mb"]:.1f} ({each}) | {r["redis_rss_mb"]:.1f} |')
    # Where the time goes: on a small machine the submitter and the worker's main process
    # compete with the pool for the same cores.
    # other programs' CPU during the run: on a shared machine, the measure of its noise.
    print("\n| items | submit s | CPU ms per item: submitter / worker main / pool / redis "
          "| other programs' CPU | worker PSS MB at end |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        cpu = " / ".join(f'{r["cpu_s"][k] * 1e3 / r["items"]:.2f}'
                         for k in ("submitter", "worker_main", "worker_pool", "redis"))
        other = r["cpu_s"]["other"] / (r["seconds"] * os.cpu_count())
        print(f'| {r["items"]:,} | {r["submit_s"]:.2f} | {cpu} | {other:.0%} of the cores '
              f'| {r["worker_pss_mb_end"]:.1f} |')


def _exit_on_signal(signum, _frame):
    # SIGTERM and SIGHUP end Python without running finally blocks; as an exception they
    # unwind through the context managers that stop redis-server and the worker.
    raise SystemExit(128 + signum)


def run_all(opts, pipeline):
    pipeline.check_tools()  # before training: fail fast, saying what is missing
    train_path, test_path = corpus_paths(opts.corpus, opts.test)
    _, texts = load_tsv(test_path)
    rows = []
    with tempfile.TemporaryDirectory(prefix="celery_peer_") as tmp:
        model_path = os.path.join(tmp, "model.cfm")
        train_model(train_path, model_path)
        for n in opts.items:
            row = pipeline.run_celery(texts, model_path, n, opts.rate,
                                      persistence=opts.persistence, concurrency=opts.concurrency,
                                      prefetch_multiplier=opts.prefetch)
            if opts.json:
                print(json.dumps(row), flush=True)
            if row["label_mismatches"]:
                sys.exit(f"celery_peer: {row['label_mismatches']} Celery labels differ from "
                         "the model's own: the worker did not classify with this model")
            rows.append(row)
    print_tables(rows, opts.persistence, test_path, len(texts))


def main():
    try:
        import celery_pipeline as pipeline
    except ImportError as e:
        sys.exit(f"celery_peer: {e}")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="debian", help="debian, spam or a TSV file")
    parser.add_argument("--test", help="TSV whose texts are classified (with a --corpus file)")
    parser.add_argument("--items", type=int, nargs="+", default=[5000],
                        help="items per run; several values make several runs")
    parser.add_argument("--rate", type=float, help="submit at this many items/s (latency run)")
    parser.add_argument("--persistence", default="aof-everysec", choices=pipeline.PERSISTENCE,
                        help="redis append-only file mode (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=2, help="prefork pool processes")
    parser.add_argument("--prefetch", type=int,
                        help="worker_prefetch_multiplier (default: Celery's, 4)")
    parser.add_argument("--json", action="store_true", help="also print each result as JSON")
    opts = parser.parse_args()
    if any(n < 1 for n in opts.items) or (opts.rate is not None and opts.rate <= 0):
        parser.error("--items and --rate must be positive")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    try:
        run_all(opts, pipeline)
    except pipeline.SetupError as e:
        sys.exit(f"celery_peer: {e}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the servers are stopped by now: say so briefly, no traceback
        sys.exit("celery_peer: interrupted")
