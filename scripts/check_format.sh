#!/usr/bin/env bash
# Fails when a C or C++ file does not follow .clang-format. Fix with:
#   git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror
echo "format: $(git ls-files '*.cpp' '*.h' '*.c' | wc -l) files follow .clang-format"
