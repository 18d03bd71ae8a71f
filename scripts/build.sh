#!/usr/bin/env bash
# Configures and builds classiflow. Usage: scripts/build.sh [BUILD_DIR] [BUILD_TYPE] [cmake args...]
set -euo pipefail
dir=${1:-build}
type=${2:-Release}
shift $(($# > 2 ? 2 : $#))
cmake -S "$(dirname "$0")/.." -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
