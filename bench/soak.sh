#!/usr/bin/env bash
# The long kill -9 soak: the crash test's child is SIGKILLed KILLS times (default 120) at
# random moments, some in bursts a few ms apart, alternating 1 thread and all cores; the store
# is verified after every kill and after a final clean run (tests/cpp/pipeline/crash_test.cpp).
# Usage: bench/soak.sh [KILLS] [BUILD_DIR]
set -euo pipefail
kills=${1:-120}
build=${2:-build}
cd "$(dirname "$0")/.."
[[ -x "$build/tests/classiflow_pipeline_tests" ]] || bash scripts/build.sh "$build" Release
start=$(date +%s)
CLASSIFLOW_SOAK_KILLS=$kills "$build/tests/classiflow_pipeline_tests" \
  --gtest_filter=CrashTest.KillNineSoak
echo "soak: $kills kills, verified after each and at the end, in $(( $(date +%s) - start )) s"
