#!/usr/bin/env bash
# Runs clang-tidy (Debian's clang-tidy-14, checks in .clang-tidy) over every .cpp of core/,
# storage/, capi/ and python/ and fails on any finding. Usage: scripts/tidy.sh [BUILD_DIR]
# BUILD_DIR (default build-tidy) is configured, not built: only its compile_commands.json is read,
# with the Python module on so that python/ gets pybind11's and Python's include flags.
# CLASSIFLOW_TIDY_JOBS sets how many files are checked at once (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-tidy}
jobs=${CLASSIFLOW_TIDY_JOBS:-$(nproc)}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy) || {
  echo "tidy.sh: clang-tidy not found (scripts/install_deps.sh installs it)" >&2; exit 1; }

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCLASSIFLOW_BUILD_PYTHON=ON -DCLASSIFLOW_BUILD_BENCH=OFF >/dev/null

mapfile -t files < <(git ls-files 'core/*.cpp' 'storage/*.cpp' 'capi/*.cpp' 'python/*.cpp')
for f in "${files[@]}"; do  # a file outside the build would be checked without its flags
  grep -qF "\"$PWD/$f\"" "$dir/compile_commands.json" || {
    echo "tidy.sh: $f is not in $dir/compile_commands.json" >&2; exit 1; }
done

# One file per clang-tidy; its output is printed in one piece, without the "N warnings
# generated" counts of system headers. The compile commands are GCC's, so clang is told to
# ignore the GCC-only warning options in them.
check_one='out=$("$0" -p "$1" --quiet --extra-arg=-Wno-unknown-warning-option "$2" 2>&1) && exit 0
  printf "%s\n" "$out" | grep -Ev "^[0-9]+ warnings?( and [0-9]+ errors?)? generated\.$" >&2
  exit 1'
start=$SECONDS
if printf '%s\0' "${files[@]}" | xargs -0 -n1 -P"$jobs" bash -c "$check_one" "$tidy" "$dir"; then
  echo "clang-tidy: ${#files[@]} files clean ($((SECONDS - start)) s)"
else
  echo "clang-tidy: findings above ($((SECONDS - start)) s)" >&2
  exit 1
fi
