"""Shared helpers for the peer benchmark workers: corpus loading, timing, JSON result lines.

Each worker runs in its own process, so its peak RSS is its own."""
import json
import os
import resource
import sys
import time


def load_tsv(path):
    """Returns (labels, texts) from a "label<TAB>text" file written by prepare_data.py."""
    labels, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            labels.append(label)
            texts.append(text)
    return labels, texts


def timed(fn, *args, **kwargs):
    """Runs fn once and returns (result, seconds)."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def best_of(repeats, fn, *args, **kwargs):
    """Runs fn `repeats` times; returns (last result, fastest seconds)."""
    best = float("inf")
    for _ in range(repeats):
        result, seconds = timed(fn, *args, **kwargs)
        best = min(best, seconds)
    return result, best


REPEATS = 10  # classify runs per measurement, best taken (as in the C++ bench)


def accuracy(predicted, truth):
    return sum(p == t for p, t in zip(predicted, truth)) / len(truth)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(corpus, system, op, **fields):
    """Prints one result as a JSON line on stdout (what bench/compare.py reads)."""
    print(json.dumps({"corpus": corpus, "system": system, "op": op, **fields}), flush=True)


def args():
    """argv: CORPUS_NAME TRAIN.tsv TEST.tsv"""
    if len(sys.argv) != 4:
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} NAME TRAIN.tsv TEST.tsv")
    return sys.argv[1], sys.argv[2], sys.argv[3]
