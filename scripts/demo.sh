#!/usr/bin/env bash
# The main job: Debian package descriptions -> section, trained into a RocksDB directory,
# reopened, evaluated on the held-out part; then a million short descriptions streamed through a
# durable pipeline (classify -> result), with its throughput and latency. Installs what it needs, builds, prepares the corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh bench
bash scripts/build.sh build Release
/usr/bin/python3 bench/prepare_data.py
./build/examples/classiflow_demo .data/debian_train.tsv .data/debian_test.tsv .data/demo-db
echo
echo "== pipeline: 1M short Debian descriptions, submit -> classify -> durable result (RocksDB)"
./build/bench/classiflow_bench_pipeline .data/debian_train.tsv .data/debian_test.tsv 1000000 \
  .data/demo-pipeline
echo
echo "Peer comparison (scikit-learn, fastText) on both corpora: /usr/bin/python3 bench/compare.py"
echo "The pipeline beside Celery + redis: .venv/bin/python bench/pipeline_compare.py"
