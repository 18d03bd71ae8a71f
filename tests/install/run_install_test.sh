#!/usr/bin/env bash
# Installs a built tree into a temporary prefix and builds two consumers against it: a C program
# through pkg-config and a C++ program through find_package(classiflow). Both must run and
# classify "cheap pills" as spam. Usage: run_install_test.sh <build-dir> <source-dir>
# Optional environment: CC, CXX (compilers for the consumers).
set -euo pipefail

build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
here="$source_dir/tests/install"
prefix=$(mktemp -d "${TMPDIR:-/tmp}/classiflow_install_XXXXXX")
trap 'rm -rf "$prefix"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== cmake --install $build_dir --prefix $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$prefix/install.log" ||
  { cat "$prefix/install.log"; fail "cmake --install"; }

# GNUInstallDirs may pick lib, lib64 or lib/<multiarch>: find what was installed.
pc_file=$(find "$prefix" -name classiflow.pc -path '*/pkgconfig/*' | head -n1)
lib_file=$(find "$prefix" -name 'libclassiflow.so' | head -n1)
[[ -n "$pc_file" ]] || fail "no classiflow.pc installed"
[[ -n "$lib_file" ]] || fail "no libclassiflow.so installed"
[[ -f "$prefix/include/classiflow/classiflow.h" ]] || fail "no classiflow/classiflow.h installed"
echo "ok   installed ${pc_file#"$prefix"/}, ${lib_file#"$prefix"/}"

# The .pc file finds its prefix relative to itself (${pcfiledir}), so it must point here.
PKG_CONFIG_PATH=$(dirname "$pc_file")
export PKG_CONFIG_PATH
pc_flags=$(pkg-config --cflags --libs classiflow)
[[ "$pc_flags" == *"$prefix"/include* || "$pc_flags" == *"$(dirname "$pc_file")"/../../include* ]] \
  || fail "pkg-config flags do not point into the install prefix: $pc_flags"
echo "ok   pkg-config --cflags --libs classiflow: $pc_flags"

echo "== C consumer"
# shellcheck disable=SC2086  # the flags must split into words
"${CC:-cc}" -std=c11 -Wall -Wextra -Werror -pedantic -o "$prefix/c_consumer" \
  "$here/c_consumer/main.c" $pc_flags || fail "building the C consumer"
lib_dir=$(dirname "$lib_file")
out=$(LD_LIBRARY_PATH="$lib_dir" "$prefix/c_consumer") || fail "running the C consumer"
echo "$out"
[[ "$out" == "c_consumer 0.1.0: spam "* ]] || fail "unexpected C consumer output: $out"
# The consumer must have loaded the installed library, not the one in the build tree.
ldd_out=$(LD_LIBRARY_PATH="$lib_dir" ldd "$prefix/c_consumer")
grep -q "$prefix" <<<"$ldd_out" || fail "the C consumer did not load the installed library"
echo "ok   C consumer"

echo "== C++ consumer"
cmake_args=(-S "$here/cpp_consumer" -B "$prefix/cpp_build" -DCMAKE_PREFIX_PATH="$prefix"
            -DCMAKE_BUILD_TYPE=Release)
[[ -n "${CXX:-}" ]] && cmake_args+=(-DCMAKE_CXX_COMPILER="$CXX")
cmake "${cmake_args[@]}" >"$prefix/cpp_configure.log" 2>&1 ||
  { cat "$prefix/cpp_configure.log"; fail "configuring the C++ consumer"; }
cmake --build "$prefix/cpp_build" >"$prefix/cpp_build.log" 2>&1 ||
  { cat "$prefix/cpp_build.log"; fail "building the C++ consumer"; }
out=$("$prefix/cpp_build/cpp_consumer") || fail "running the C++ consumer"
echo "$out"
[[ "$out" == "cpp_consumer: spam "* ]] || fail "unexpected C++ consumer output: $out"
echo "ok   C++ consumer"
echo "install test passed"
