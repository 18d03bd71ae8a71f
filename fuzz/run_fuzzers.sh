#!/usr/bin/env bash
# Runs every libFuzzer target of a Fuzz build for a bounded time, starting from its seed and
# regression corpora (read only: new inputs go to a scratch corpus). An input that crashes, leaks
# or hangs is copied to fuzz/regressions/<target>/, where it becomes part of the ordinary test
# fuzz_<target>, and the script fails. Usage: fuzz/run_fuzzers.sh BUILD_DIR [SECONDS_EACH]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/run_fuzzers.sh BUILD_DIR [SECONDS_EACH]}
seconds=${2:-15}
targets=(model_file_fuzzer model_file_sealed_fuzzer options_fuzzer analyzer_fuzzer)
work=$(mktemp -d "${TMPDIR:-/tmp}/classiflow-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

failed=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  flags=()
  [[ -f fuzz/$target.dict ]] && flags+=(-dict="fuzz/$target.dict")
  corpora=("$work/$target" "fuzz/corpus/$target")
  [[ -d fuzz/regressions/$target ]] && corpora+=("fuzz/regressions/$target")
  start=$SECONDS
  TMPDIR="$work" "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/$target-" "${flags[@]}" \
    "${corpora[@]}" >"$work/$target.log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$')
  echo "$target: exit $status, ${runs:-?} runs in $((SECONDS - start)) s"
  artifacts=("$work/$target"-*)
  if ((status != 0)) || [[ -e ${artifacts[0]} ]]; then
    failed+=("$target")
    tail -n 60 "$work/$target.log"
    mkdir -p "fuzz/regressions/$target"
    for artifact in "${artifacts[@]}"; do
      [[ -e $artifact ]] || continue
      cp "$artifact" "fuzz/regressions/$target/"
      echo "saved fuzz/regressions/$target/$(basename "$artifact") — add it to git with the fix"
    done
  fi
done
if ((${#failed[@]})); then
  echo "fuzzers failed: ${failed[*]}"
  exit 1
fi
