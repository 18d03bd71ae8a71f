#!/usr/bin/env python3
"""Side-by-side benchmark: classiflow vs scikit-learn and fastText, in one run.

Prepares the corpora (prepare_data.py), then for each corpus runs every system in its own
process (so each peak RSS is its own): classiflow's C++ bench program, classiflow's Python API
(when the package is installed in .venv), scikit-learn and fastText. Prints a Markdown table and
the throughput ratios the README quotes.

    /usr/bin/python3 bench/compare.py [--corpus debian|spam] [--skip-prepare]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, ".data")
BENCH_BIN = os.path.join(ROOT, "build", "bench", "classiflow_bench_bayes")
VENV_PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
CPP_OPTIONS = ["--alpha", "0.1", "--ngrams", "1", "--stop-words", "--hash-bits", "18"]  # = peers/classiflow_py.py


def run_json(cmd, what):
    """Runs a worker and returns its JSON result lines; a failing worker is reported, not fatal."""
    print(f"  running {what} ...", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.join(HERE, "peers"))
    if proc.returncode != 0:
        print(f"  {what} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return []
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def workers(corpus):
    train = os.path.join(DATA, f"{corpus}_train.tsv")
    test = os.path.join(DATA, f"{corpus}_test.tsv")
    jobs = [([BENCH_BIN, train, test, "--name", corpus, "--json", *CPP_OPTIONS], "classiflow C++")]
    if os.path.exists(VENV_PYTHON):
        jobs.append(([VENV_PYTHON, "classiflow_py.py", corpus, train, test], "classiflow Python"))
    for script in ("sklearn_nb.py", "fasttext_sup.py"):
        jobs.append(([sys.executable, script, corpus, train, test], script))
    return jobs


def summarise(rows):
    """One line per (corpus, system): best-of columns for 1 thread and all cores."""
    table = {}
    for r in rows:
        entry = table.setdefault((r["corpus"], r["system"]), {})
        if r["op"] in ("train_batch", "classify_batch"):
            key = f'{r["op"]}_{"1" if r["threads"] == 1 else "all"}'
            entry[key] = r["docs_per_s"]
            if "accuracy" in r:
                entry["accuracy"] = r["accuracy"]
        elif r["op"] == "peak rss":
            entry["rss_mb"] = r["rss_mb"]
        elif r["op"] == "classify latency":
            entry["latency"] = f'{r["p50_us"]:.1f} / {r["p99_us"]:.1f}'
    return table


def fmt(value, pattern="{:,.0f}"):
    return "—" if value is None else pattern.format(value)


def print_table(table):
    print("| corpus | system | train docs/s (1 thr) | train docs/s (all) | classify docs/s (1 thr) "
          "| classify docs/s (all) | accuracy | peak RSS MB | classify() p50/p99 µs |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for (corpus, system), e in table.items():
        print(f"| {corpus} | {system} | {fmt(e.get('train_batch_1'))} | {fmt(e.get('train_batch_all'))} "
              f"| {fmt(e.get('classify_batch_1'))} | {fmt(e.get('classify_batch_all'))} "
              f"| {fmt(e.get('accuracy'), '{:.4f}')} | {fmt(e.get('rss_mb'), '{:.1f}')} "
              f"| {e.get('latency', '—')} |")


def print_ratios(table):
    print()
    for corpus in sorted({c for c, _ in table}):
        ours = {s: e for (c, s), e in table.items() if c == corpus and s.startswith("classiflow")}
        peers = {s: e for (c, s), e in table.items() if c == corpus and not s.startswith("classiflow")}
        for system, e in ours.items():
            for peer, p in peers.items():
                if e.get("classify_batch_all") and p.get("classify_batch_1"):
                    ratio = e["classify_batch_all"] / p["classify_batch_1"]
                    print(f"- {corpus}: {system} classify_batch (all cores) = {ratio:.1f}x {peer} predict")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["debian", "spam"], action="append")
    parser.add_argument("--skip-prepare", action="store_true")
    opts = parser.parse_args()
    if not opts.skip_prepare:
        subprocess.run([sys.executable, os.path.join(HERE, "prepare_data.py")], check=True)
    if not os.path.exists(BENCH_BIN):
        sys.exit(f"{BENCH_BIN} is missing: build first (scripts/build.sh)")
    rows = []
    for corpus in opts.corpus or ["debian", "spam"]:
        for cmd, what in workers(corpus):
            rows += run_json(cmd, f"{what} on {corpus}")
    table = summarise(rows)
    print_table(table)
    print_ratios(table)


if __name__ == "__main__":
    main()
