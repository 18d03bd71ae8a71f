#!/usr/bin/env python3
"""Accuracy benchmark: classiflow's kinds against fastText and scikit-learn, in one run.

On the Debian package descriptions (section labels) and SpamAssassin (ham / spam), stratified
80/20 with seed 42 (prepare_data.py), each system fits the training split and predicts the test
split in its own process: accuracy, macro-F1, train seconds, predict docs/s, peak RSS. Then the
ratios the issue's targets are about: classiflow linear against the best peer's accuracy and
macro-F1, its training time and peak RSS against fastText's, its predict throughput against
fastText's Python throughput; and the lsi kind's accuracy.

    /usr/bin/python3 bench/accuracy_compare.py [--corpus debian|spam] [--skip-prepare]

classiflow runs through the Python API of the package installed in .venv.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), ".data")
VENV_PYTHON = os.path.join(os.path.dirname(HERE), ".venv", "bin", "python")
OURS = ["classiflow-bayes", "classiflow-linear", "classiflow-lsi"]
PEERS = ["fasttext", "sklearn-nb", "sklearn-sgd", "sklearn-svc"]


def run(system, corpus):
    python = VENV_PYTHON if system in OURS else sys.executable
    cmd = [python, "accuracy_worker.py", system, corpus, os.path.join(DATA, f"{corpus}_train.tsv"),
           os.path.join(DATA, f"{corpus}_test.tsv")]
    print(f"  running {system} on {corpus} ...", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.join(HERE, "peers"))
    if proc.returncode != 0:
        print(f"  {system} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["debian", "spam"], action="append")
    parser.add_argument("--skip-prepare", action="store_true")
    opts = parser.parse_args()
    if not opts.skip_prepare:
        subprocess.run([sys.executable, os.path.join(HERE, "prepare_data.py")], check=True)
    if not os.path.exists(VENV_PYTHON):
        sys.exit(f"{VENV_PYTHON} is missing: install the package first (README)")
    print("| corpus | system | accuracy | macro-F1 | train s | predict docs/s | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    notes = []
    for corpus in opts.corpus or ["debian", "spam"]:
        rows = {s: run(s, corpus) for s in OURS + PEERS}
        for r in rows.values():
            if r:
                print(f"| {corpus} | {r['system']} | {r['accuracy']:.4f} | {r['macro_f1']:.4f} "
                      f"| {r['train_s']:.2f} | {r['predict_docs_per_s']:,.0f} | {r['rss_mb']:.0f} |")
        linear, fasttext = rows["classiflow-linear"], rows["fasttext"]
        peers = [rows[p] for p in PEERS if rows[p]]
        if linear and peers:
            best_acc = max(peers, key=lambda r: r["accuracy"])
            best_f1 = max(peers, key=lambda r: r["macro_f1"])
            notes.append(f"- {corpus}: linear accuracy {linear['accuracy']:.4f} vs best peer "
                         f"{best_acc['accuracy']:.4f} ({best_acc['system']}); macro-F1 "
                         f"{linear['macro_f1']:.4f} vs {best_f1['macro_f1']:.4f} "
                         f"({best_f1['system']})")
        if linear and fasttext:
            notes.append(f"- {corpus}: linear / fastText: train time "
                         f"{linear['train_s'] / fasttext['train_s']:.2f}x, predict "
                         f"{linear['predict_docs_per_s'] / fasttext['predict_docs_per_s']:.1f}x, "
                         f"peak RSS {linear['rss_mb'] / fasttext['rss_mb']:.2f}x")
        if rows["classiflow-lsi"]:
            lsi = rows["classiflow-lsi"]
            notes.append(f"- {corpus}: lsi accuracy {lsi['accuracy']:.4f} (target on spam: "
                         f">= 0.95), macro-F1 {lsi['macro_f1']:.4f}")
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
