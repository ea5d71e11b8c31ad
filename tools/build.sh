#!/usr/bin/env bash
# Configures and builds Pathways (Release with debug info, ccache, Ninja) into ./build.
# Used by run.sh and test.sh; BUILD_DIR overrides the directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/tools/deps.sh"
# ccache with compiler-check by content: a fresh CI clone still hits the cache of a reused machine.
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
export CCACHE_BASEDIR=$root
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)"
