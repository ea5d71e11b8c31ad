#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (into ./build-fuzz) and fuzzes the API for a while.
#   tools/fuzz.sh [SECONDS]     default 30; CI runs it briefly from test.sh
# The seed corpus (tests/fuzz/corpus/api) is copied, so findings stay in build-fuzz/corpus;
# a crash leaves its input in build-fuzz/ (crash-*) and fails the script.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-30}
bash "$root/tools/deps.sh"
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
export CCACHE_BASEDIR=$root
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPATHWAYS_FUZZ=ON >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)" --target api_fuzz
mkdir -p "$build/corpus"
cp -n "$root"/tests/fuzz/corpus/api/* "$build/corpus/" 2>/dev/null || true
cd "$build"
rm -f crash-* timeout-* oom-* leak-*
# detect_leaks=0: the store and its threads live until exit on purpose.
ASAN_OPTIONS=detect_leaks=0 ./tests/fuzz/api_fuzz -max_total_time="$seconds" -timeout=25 \
  -rss_limit_mb=4096 -max_len=4096 -dict="$root/tests/fuzz/api.dict" -print_final_stats=1 \
  corpus 2>&1 | grep -v -e "^#[0-9]" -e "NEW_FUNC" |
  sed '/Recommended dictionary/,/End of recommended dictionary/d' ||
  true
# libFuzzer's exit status is lost in the pipe: a crash leaves a crash-/timeout-/oom- file.
if ls crash-* timeout-* oom-* >/dev/null 2>&1; then
  echo "fuzz: found a failing input:" >&2
  ls crash-* timeout-* oom-* >&2
  exit 1
fi
echo "fuzz: ${seconds} s without a failure"
