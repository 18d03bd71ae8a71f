#!/usr/bin/env bash
# Runs every test: GoogleTest suites, the C test program and the install test (ctest), the same
# C++ suites under ThreadSanitizer, and pytest against the pip-installed Python package.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install_deps.sh build

echo "== build and ctest (Release)"
bash scripts/build.sh build Release
ctest --test-dir build --output-on-failure -j2

echo "== build and ctest (ThreadSanitizer)"
bash scripts/build.sh build-tsan TSan -DCLASSIFLOW_BUILD_BENCH=OFF
TSAN_OPTIONS="halt_on_error=1" \
  ctest --test-dir build-tsan --output-on-failure -E install_consumers

echo "== Python package (pip install --no-build-isolation .) and pytest"
/usr/bin/python3 -m venv --system-site-packages .venv
.venv/bin/pip install -q --no-build-isolation "$root"
cd /tmp  # import the installed package, not the source tree
"$root/.venv/bin/python" -m pytest -q "$root/tests/python"
