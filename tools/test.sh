#!/usr/bin/env bash
# Builds Pathways and runs every test through ctest. Exit code is ctest's.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
start=$(date +%s)
bash "$root/tools/build.sh"
built=$(date +%s)
cd "$build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 300
echo "build $((built - start)) s, tests $(($(date +%s) - built)) s"
